package io.weft.receiver;

import static io.weft.receiver.SpanMatchers.childOf;
import static io.weft.receiver.SpanMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** OTLP/gRPC through a real plaintext channel, called with the receiver's own method descriptors. */
class GrpcReceiverTest {
  private final OtlpReceiver receiver = OtlpReceiver.start(-1, 0);
  private final ManagedChannel channel =
      NettyChannelBuilder.forAddress("127.0.0.1", receiver.grpcPort()).usePlaintext().build();

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    receiver.close();
  }

  @Test
  void decodesSpansAndRecordsMetadata() {
    Metadata metadata = new Metadata();
    metadata.put(Metadata.Key.of("X-Weft-Tenant", Metadata.ASCII_STRING_MARSHALLER), "acme");
    Channel withHeaders = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(metadata));

    ExportTraceServiceResponse response = ClientCalls.blockingUnaryCall(withHeaders,
        GrpcExportService.TRACE_EXPORT, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
        TestExports.parentAndChild());

    assertEquals(ExportTraceServiceResponse.getDefaultInstance(), response);
    ReceivedSpan parent = receiver.awaitSpan(named("GET /orders"));
    ReceivedSpan child = receiver.awaitSpan(childOf(parent));
    assertEquals(TestExports.CHILD_ID, child.spanId());
    assertEquals("checkout", child.resourceAttr("service.name"));
    assertEquals("acme", receiver.requestHeaders().get(0).get("x-weft-tenant"));
    assertEquals(1, receiver.exportRequests(Signal.TRACES, Transport.GRPC));
    assertEquals(-1, receiver.httpPort());
  }

  @Test
  void decodesMetrics() {
    ClientCalls.blockingUnaryCall(channel, GrpcExportService.METRICS_EXPORT,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), TestExports.histogram());

    assertEquals(3, receiver.awaitMetric("http.server.request.duration").histogramPoints().get(0).count());
  }

  @Test
  void faultStatusBecomesUnavailable() {
    receiver.respondWithStatus(503);

    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () ->
        ClientCalls.blockingUnaryCall(channel, GrpcExportService.TRACE_EXPORT,
            CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), TestExports.parentAndChild()));

    assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
    assertEquals(1, receiver.faultedRequests());
    assertTrue(receiver.spans().isEmpty());
  }
}
