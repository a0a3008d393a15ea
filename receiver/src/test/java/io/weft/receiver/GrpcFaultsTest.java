package io.weft.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.RetryInfo;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fault modes as an OTLP/gRPC client meets them, through a real plaintext channel. */
class GrpcFaultsTest {
  private final OtlpReceiver receiver = OtlpReceiver.start(-1, 0).withTimeout(Duration.ofSeconds(10));
  private final ManagedChannel channel =
      NettyChannelBuilder.forAddress("127.0.0.1", receiver.grpcPort()).usePlaintext().build();

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    receiver.close();
  }

  @Test
  void throttlingIsResourceExhaustedWithTheExactRetryDelay() {
    receiver.respondWithStatus(429, Duration.ofMillis(1500));

    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, this::export);

    assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
    com.google.rpc.Status details = StatusProto.fromThrowable(refused);
    assertNotNull(details, "status details carried in grpc-status-details-bin");
    RetryInfo retry = details.getDetailsList().stream().filter(d -> d.is(RetryInfo.class)).findFirst()
        .map(d -> unpack(d)).orElseThrow();
    assertEquals(1, retry.getRetryDelay().getSeconds());
    assertEquals(500_000_000, retry.getRetryDelay().getNanos());
    assertEquals("gRPC RESOURCE_EXHAUSTED RetryInfo 1500 ms", receiver.attempts().get(0).answer());
    assertTrue(receiver.spans().isEmpty());
  }

  @Test
  void unavailableWithAndWithoutRetryInfo() {
    receiver.respondWithStatus(503, Duration.ofSeconds(2));
    StatusRuntimeException withDelay = assertThrows(StatusRuntimeException.class, this::export);
    receiver.respondWithStatus(503);
    StatusRuntimeException without = assertThrows(StatusRuntimeException.class, this::export);

    assertEquals(Status.Code.UNAVAILABLE, withDelay.getStatus().getCode());
    assertNotNull(StatusProto.fromThrowable(withDelay));
    assertEquals(Status.Code.UNAVAILABLE, without.getStatus().getCode());
    assertEquals(0, StatusProto.fromThrowable(without).getDetailsCount(), "no RetryInfo without a delay");
  }

  @Test
  void badRequestIsInvalidArgument() {
    receiver.respondWithStatus(400);

    assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class, this::export).getStatus().getCode());
  }

  @Test
  void slowAnswersTakeTheDelayThenStore() {
    receiver.respondSlowly(Duration.ofMillis(500));
    long start = System.nanoTime();

    export();

    assertTrue(System.nanoTime() - start >= Duration.ofMillis(500).toNanos());
    assertEquals(2, receiver.spans().size());
    assertEquals("gRPC OK after 500 ms", receiver.attempts().get(0).answer());
  }

  @Test
  void aClientGivingUpOnASlowAnswerIsLoggedAndItsDataStillStored() {
    export(); // the connection is up: the next call reaches the receiver well within its deadline
    receiver.respondSlowly(Duration.ofMillis(2000));

    StatusRuntimeException late = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(channel,
        GrpcExportService.TRACE_EXPORT, CallOptions.DEFAULT.withDeadlineAfter(500, TimeUnit.MILLISECONDS),
        TestExports.parentAndChild()));

    assertEquals(Status.Code.DEADLINE_EXCEEDED, late.getStatus().getCode());
    List<ExportAttempt> attempts = receiver.awaitAttempts(Signal.TRACES, 2);
    assertTrue(attempts.get(1).stored());
    assertEquals(4, receiver.spans().size());
  }

  @Test
  void garbageIsAnOkTheClientCannotParseAndTheDataIsStored() {
    receiver.respondWithGarbage();

    StatusRuntimeException unreadable = assertThrows(StatusRuntimeException.class, this::export);

    // grpc-java reports a response it cannot parse as CANCELLED "Failed to read message"
    assertEquals(Status.Code.CANCELLED, unreadable.getStatus().getCode(), unreadable.toString());
    assertTrue(unreadable.getStatus().getDescription().contains("Failed to read message"), unreadable.toString());
    assertEquals(2, receiver.spans().size());
    assertEquals("gRPC OK garbage message", receiver.attempts().get(0).answer());
  }

  @Test
  void connectionFaultsBecomeUnavailableOnGrpc() {
    receiver.closeMidRequest();
    StatusRuntimeException closed = assertThrows(StatusRuntimeException.class, this::export);
    receiver.respondWithNonHttpBytes();
    StatusRuntimeException nonHttp = assertThrows(StatusRuntimeException.class, this::export);
    receiver.respondNormally();
    export();

    assertEquals(Status.Code.UNAVAILABLE, closed.getStatus().getCode());
    assertEquals(Status.Code.UNAVAILABLE, nonHttp.getStatus().getCode());
    assertEquals(2, receiver.spans().size(), "only the normal answer stored");
    assertEquals(3, receiver.attempts().size());
    assertEquals(Transport.GRPC, receiver.attempts().get(2).transport());
  }

  private void export() {
    ClientCalls.blockingUnaryCall(channel, GrpcExportService.TRACE_EXPORT,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), TestExports.parentAndChild());
  }

  private static RetryInfo unpack(com.google.protobuf.Any any) {
    try {
      return any.unpack(RetryInfo.class);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }
}
