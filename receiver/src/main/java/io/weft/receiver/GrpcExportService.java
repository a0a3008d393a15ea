package io.weft.receiver;

import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The three OTLP/gRPC Export methods, declared by hand from the published messages so the receiver does
 * not depend on generated stubs; clients in tests may call them through the same descriptors.
 */
public final class GrpcExportService {
  public static final MethodDescriptor<ExportTraceServiceRequest, ExportTraceServiceResponse> TRACE_EXPORT =
      export("opentelemetry.proto.collector.trace.v1.TraceService",
          ExportTraceServiceRequest.getDefaultInstance(), ExportTraceServiceResponse.getDefaultInstance());
  public static final MethodDescriptor<ExportMetricsServiceRequest, ExportMetricsServiceResponse> METRICS_EXPORT =
      export("opentelemetry.proto.collector.metrics.v1.MetricsService",
          ExportMetricsServiceRequest.getDefaultInstance(), ExportMetricsServiceResponse.getDefaultInstance());
  public static final MethodDescriptor<ExportLogsServiceRequest, ExportLogsServiceResponse> LOGS_EXPORT =
      export("opentelemetry.proto.collector.logs.v1.LogsService",
          ExportLogsServiceRequest.getDefaultInstance(), ExportLogsServiceResponse.getDefaultInstance());

  private static final Context.Key<Map<String, String>> HEADERS = Context.key("weft-request-headers");

  private GrpcExportService() {}

  static List<ServerServiceDefinition> definitions(Inbox inbox) {
    return List.of(
        service(TRACE_EXPORT, Signal.TRACES, ExportTraceServiceResponse.getDefaultInstance(), inbox),
        service(METRICS_EXPORT, Signal.METRICS, ExportMetricsServiceResponse.getDefaultInstance(), inbox),
        service(LOGS_EXPORT, Signal.LOGS, ExportLogsServiceResponse.getDefaultInstance(), inbox));
  }

  private static <Q extends Message, R extends Message> ServerServiceDefinition service(
      MethodDescriptor<Q, R> method, Signal signal, R emptyResponse, Inbox inbox) {
    ServerServiceDefinition definition = ServerServiceDefinition.builder(method.getServiceName())
        .addMethod(method, ServerCalls.asyncUnaryCall((request, responses) -> {
          int fault = inbox.faultStatus();
          if (fault != 0) {
            inbox.faulted();
            responses.onError(statusFor(fault).withDescription("fault injected: HTTP " + fault).asRuntimeException());
            return;
          }
          inbox.record(signal, Transport.GRPC, HEADERS.get(), request);
          responses.onNext(emptyResponse);
          responses.onCompleted();
        }))
        .build();
    return ServerInterceptors.intercept(definition, new HeaderCapture());
  }

  /** The gRPC status a collector answers for an HTTP status, after grpc's http-grpc-status-mapping. */
  static Status statusFor(int httpStatus) {
    switch (httpStatus) {
      case 400:
        return Status.INTERNAL;
      case 401:
        return Status.UNAUTHENTICATED;
      case 403:
        return Status.PERMISSION_DENIED;
      case 404:
        return Status.UNIMPLEMENTED;
      case 429:
      case 502:
      case 503:
      case 504:
        return Status.UNAVAILABLE;
      default:
        return Status.UNKNOWN;
    }
  }

  private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> export(
      String service, Q request, R response) {
    return MethodDescriptor.<Q, R>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(service, "Export"))
        .setRequestMarshaller(ProtoUtils.marshaller(request))
        .setResponseMarshaller(ProtoUtils.marshaller(response))
        .build();
  }

  /** Copies the call's ASCII metadata into the Context the handler runs in. */
  private static final class HeaderCapture implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata metadata, ServerCallHandler<Q, R> next) {
      Map<String, String> headers = new TreeMap<>();
      for (String key : metadata.keys()) {
        if (!key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
          Iterable<String> values = metadata.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
          if (values != null) {
            headers.put(key.toLowerCase(Locale.ROOT), String.join(",", values));
          }
        }
      }
      return Contexts.interceptCall(Context.current().withValue(HEADERS, headers), call, metadata, next);
    }
  }
}
