package io.weft.receiver;

import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

/** The three OTLP signals, with their OTLP/HTTP path and their export request and response types. */
public enum Signal {
  TRACES("/v1/traces", ExportTraceServiceRequest.getDefaultInstance(),
      ExportTraceServiceResponse.getDefaultInstance()),
  METRICS("/v1/metrics", ExportMetricsServiceRequest.getDefaultInstance(),
      ExportMetricsServiceResponse.getDefaultInstance()),
  LOGS("/v1/logs", ExportLogsServiceRequest.getDefaultInstance(),
      ExportLogsServiceResponse.getDefaultInstance());

  private final String path;
  private final Message requestPrototype;
  private final Message emptyResponse;

  Signal(String path, Message requestPrototype, Message emptyResponse) {
    this.path = path;
    this.requestPrototype = requestPrototype;
    this.emptyResponse = emptyResponse;
  }

  /** The OTLP/HTTP path, such as {@code /v1/traces}. */
  public String path() {
    return path;
  }

  /** The signal served at an OTLP/HTTP path, or null. */
  public static Signal forPath(String path) {
    for (Signal signal : values()) {
      if (signal.path.equals(path)) {
        return signal;
      }
    }
    return null;
  }

  Message.Builder newRequestBuilder() {
    return requestPrototype.newBuilderForType();
  }

  Message emptyResponse() {
    return emptyResponse;
  }

  /** Lower-case name used in request counts: {@code traces}, {@code metrics}, {@code logs}. */
  String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
