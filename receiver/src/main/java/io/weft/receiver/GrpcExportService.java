package io.weft.receiver;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.rpc.RetryInfo;
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
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

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

  static List<ServerServiceDefinition> definitions(Inbox inbox, Faults faults, ScheduledExecutorService delays) {
    return List.of(
        service(TRACE_EXPORT, Signal.TRACES, inbox, faults, delays),
        service(METRICS_EXPORT, Signal.METRICS, inbox, faults, delays),
        service(LOGS_EXPORT, Signal.LOGS, inbox, faults, delays));
  }

  private static <Q extends Message, R extends Message> ServerServiceDefinition service(
      MethodDescriptor<Q, R> method, Signal signal, Inbox inbox, Faults faults, ScheduledExecutorService delays) {
    // the server side answers through a marshaller that also passes raw bytes, for the garbage fault
    MethodDescriptor<Q, Object> serverMethod = method.toBuilder(method.getRequestMarshaller(), ANY_RESPONSE).build();
    ServerServiceDefinition definition = ServerServiceDefinition.builder(method.getServiceName())
        .addMethod(serverMethod, ServerCalls.asyncUnaryCall((request, responses) -> {
          int number = inbox.arrived();
          Instant arrivedAt = Instant.now();
          long arrivedNanos = System.nanoTime();
          Faults.Answer answer = faults.answer();
          Duration delay = faults.delay();
          Map<String, String> headers = HEADERS.get(); // read here: a delayed answer runs outside the call's Context
          boolean stored = answer.kind() == Faults.Kind.NORMAL || answer.kind() == Faults.Kind.GARBAGE;
          Consumer<String> log = text -> inbox.attempt(number, signal, Transport.GRPC, arrivedAt, arrivedNanos,
              text + (delay.isZero() ? "" : " after " + delay.toMillis() + " ms"), stored);
          Runnable respond = () -> {
            try {
              answer(signal, request, headers, answer, inbox, responses, log);
            } catch (RuntimeException e) {
              // the client gave up (deadline, cancel) or the receiver stopped while the answer was delayed;
              // the attempt was logged before the answer was sent
            }
          };
          if (delay.isZero()) {
            respond.run();
          } else {
            delays.schedule(respond, delay.toNanos(), TimeUnit.NANOSECONDS);
          }
        }))
        .build();
    return ServerInterceptors.intercept(definition, new HeaderCapture());
  }

  /**
   * Answers one call as the fault mode says, logging the attempt just before the answer goes out, so a
   * client that has its answer also finds the attempt logged.
   */
  private static void answer(Signal signal, Message request, Map<String, String> headers, Faults.Answer answer,
      Inbox inbox, StreamObserver<Object> responses, Consumer<String> log) {
    switch (answer.kind()) {
      case STATUS: {
        inbox.faulted();
        Status status = statusFor(answer.status());
        String description = "fault injected: HTTP " + answer.status();
        if (answer.retryAfter() == null) {
          log.accept("gRPC " + status.getCode());
          responses.onError(status.withDescription(description).asRuntimeException());
          return;
        }
        com.google.protobuf.Duration delay = com.google.protobuf.Duration.newBuilder()
            .setSeconds(answer.retryAfter().getSeconds()).setNanos(answer.retryAfter().getNano()).build();
        log.accept("gRPC " + status.getCode() + " RetryInfo " + answer.retryAfter().toMillis() + " ms");
        responses.onError(StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
            .setCode(status.getCode().value())
            .setMessage(description)
            .addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(delay).build()))
            .build()));
        return;
      }
      case NON_HTTP:
      case CLOSE_MID_REQUEST:
        // connection-level faults are OTLP/HTTP only; UNAVAILABLE is what a gRPC client reports for a dropped connection
        inbox.faulted();
        log.accept("gRPC UNAVAILABLE (connection faults are OTLP/HTTP only)");
        responses.onError(Status.UNAVAILABLE.withDescription("fault injected: connection fault (OTLP/HTTP only)")
            .asRuntimeException());
        return;
      case GARBAGE:
        inbox.record(signal, Transport.GRPC, headers, request);
        inbox.faulted();
        log.accept("gRPC OK garbage message");
        responses.onNext(HttpExportHandler.GARBAGE_BODY);
        responses.onCompleted();
        return;
      default:
        inbox.record(signal, Transport.GRPC, headers, request);
        log.accept("gRPC OK");
        responses.onNext(signal.emptyResponse());
        responses.onCompleted();
    }
  }

  /**
   * The gRPC status a collector answers for an HTTP status: 400 INVALID_ARGUMENT (undecodable data, not
   * retryable), 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 UNIMPLEMENTED, 429 RESOURCE_EXHAUSTED
   * (retryable when it carries a RetryInfo), 500 INTERNAL, 502/503/504 UNAVAILABLE, others UNKNOWN.
   */
  static Status statusFor(int httpStatus) {
    switch (httpStatus) {
      case 400:
        return Status.INVALID_ARGUMENT;
      case 401:
        return Status.UNAUTHENTICATED;
      case 403:
        return Status.PERMISSION_DENIED;
      case 404:
        return Status.UNIMPLEMENTED;
      case 429:
        return Status.RESOURCE_EXHAUSTED;
      case 500:
        return Status.INTERNAL;
      case 502:
      case 503:
      case 504:
        return Status.UNAVAILABLE;
      default:
        return Status.UNKNOWN;
    }
  }

  /** Serializes a response message, or passes raw bytes through unchanged; the server never parses responses. */
  private static final MethodDescriptor.Marshaller<Object> ANY_RESPONSE = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(Object value) {
      return value instanceof byte[] ? new ByteArrayInputStream((byte[]) value) : ((Message) value).toByteString().newInput();
    }

    @Override
    public Object parse(InputStream stream) {
      throw new UnsupportedOperationException("the receiver only sends responses");
    }
  };

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
