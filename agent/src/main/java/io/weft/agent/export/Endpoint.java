package io.weft.agent.export;

import java.util.Map;

/**
 * Where and how one signal is sent: the OTLP endpoint, transport, headers, compression, timeout and
 * TLS material. Built from the configuration by the agent; header values are never printed.
 */
public final class Endpoint {

  public static final String HTTP_PROTOBUF = "http/protobuf";
  public static final String GRPC = "grpc";

  final String signal;
  final String protocol;
  final String url;
  final Map<String, String> headers;
  final boolean gzip;
  final long timeoutMillis;
  /** PEM bytes or null: trusted certificates, client key (PKCS#8), client certificate chain. */
  final byte[] trustedCertificates;
  final byte[] clientKey;
  final byte[] clientCertificate;

  public Endpoint(String signal, String protocol, String url, Map<String, String> headers, boolean gzip, long timeoutMillis,
      byte[] trustedCertificates, byte[] clientKey, byte[] clientCertificate) {
    this.signal = signal;
    this.protocol = protocol;
    this.url = url;
    this.headers = headers;
    this.gzip = gzip;
    this.timeoutMillis = timeoutMillis;
    this.trustedCertificates = trustedCertificates;
    this.clientKey = clientKey;
    this.clientCertificate = clientCertificate;
  }

  boolean grpc() {
    return protocol.equals(GRPC);
  }

  /** {@code otel.component.type} of the exporter, as the SDK self-monitoring conventions name it. */
  String componentType() {
    String kind = signal.equals("traces") ? "span" : signal.equals("logs") ? "log" : "metric";
    return (grpc() ? "otlp_grpc_" : "otlp_http_") + kind + "_exporter";
  }

  /** The request URL: gRPC appends the service method to the endpoint. */
  String requestUrl() {
    if (!grpc()) {
      return url;
    }
    String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    return base + (signal.equals("traces")
        ? "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
        : signal.equals("logs")
            ? "/opentelemetry.proto.collector.logs.v1.LogsService/Export"
            : "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export");
  }
}
