package io.weft.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The collector going away and coming back on the same ports, and a collector absent at first. */
class StopRestartTest {
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final byte[] trace = TestExports.parentAndChild().toByteArray();

  @Test
  void stopRefusesBothTransportsAndRestartComesBackOnTheSamePortsKeepingWhatArrived() throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.start()) {
      int httpPort = receiver.httpPort();
      int grpcPort = receiver.grpcPort();
      assertEquals(200, post(receiver).statusCode());

      receiver.stop();

      assertFalse(receiver.isRunning());
      assertThrows(ConnectException.class, () -> post(receiver));
      assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", grpcPort).close());
      assertEquals(Status.Code.UNAVAILABLE, grpcExport(grpcPort).getCode());

      receiver.restart();

      assertTrue(receiver.isRunning());
      assertEquals(httpPort, receiver.httpPort());
      assertEquals(grpcPort, receiver.grpcPort());
      assertEquals(200, post(receiver).statusCode());
      assertEquals(Status.Code.OK, grpcExport(grpcPort).getCode());
      assertEquals(6, receiver.spans().size(), "spans from before the stop are kept");
      assertEquals(1, receiver.exportRequests(Signal.TRACES, Transport.GRPC));
    }
  }

  @Test
  void stopCutsConnectionsInFlight() throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.start(0, -1);
        RawHttp raw = new RawHttp(receiver.httpPort())) {
      receiver.respondSlowly(Duration.ofSeconds(30));
      raw.send(RawHttp.head("/v1/traces", trace.length), trace);
      receiver.awaitArrivals(1); // the request is in; its answer waits 30 s
      receiver.stop();

      assertEquals(0, raw.readToEnd().length, "no answer, the connection is closed");
      assertTrue(receiver.spans().isEmpty());
    }
  }

  @Test
  void restartTwiceInARowAndStopTwiceAreHarmless() {
    try (OtlpReceiver receiver = OtlpReceiver.start()) {
      receiver.restart();
      receiver.stop();
      receiver.stop();
      receiver.restart();
      assertTrue(receiver.isRunning());
    }
  }

  @Test
  void anAbsentCollectorRefusesUntilItAppearsOnThePortsItAnnounced() throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.absent()) {
      String endpoint = receiver.httpEndpoint();
      assertFalse(receiver.isRunning());
      assertThrows(ConnectException.class, () -> post(receiver));

      receiver.restart();

      assertEquals(endpoint, receiver.httpEndpoint());
      assertEquals(200, post(receiver).statusCode());
      assertEquals(Status.Code.OK, grpcExport(receiver.grpcPort()).getCode());
      assertEquals(4, receiver.awaitSpans(SpanMatchers.any(), 4).size());
    }
  }

  @Test
  void freePortCanBeListenedOn() throws IOException {
    int port = OtlpReceiver.freePort();
    try (ServerSocket socket = new ServerSocket(port)) {
      assertEquals(port, socket.getLocalPort());
    }
  }

  private HttpResponse<byte[]> post(OtlpReceiver receiver) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(receiver.httpEndpoint() + "/v1/traces"))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(trace))
        .build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** One trace export on a fresh channel; the status it ended with. */
  private static Status grpcExport(int port) throws InterruptedException {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      ClientCalls.blockingUnaryCall(channel, GrpcExportService.TRACE_EXPORT,
          CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), TestExports.parentAndChild());
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
