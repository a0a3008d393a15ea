package io.weft.agent.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sender against a real HTTP server on loopback: how each answer is classified. */
class OtlpSenderTest {

  private HttpServer server;
  private volatile int status = 200;
  private volatile String retryAfter;
  private volatile byte[] answer = new byte[0];
  private final List<Map<String, List<String>>> headers = new CopyOnWriteArrayList<>();
  private final List<byte[]> bodies = new CopyOnWriteArrayList<>();

  private String start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/traces", exchange -> {
      headers.add(exchange.getRequestHeaders());
      InputStream in = exchange.getRequestBody();
      if ("gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
        in = new GZIPInputStream(in);
      }
      bodies.add(in.readAllBytes());
      if (retryAfter != null) {
        exchange.getResponseHeaders().add("Retry-After", retryAfter);
      }
      exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private static OtlpSender sender(String url, boolean gzip) {
    return new OtlpSender(new Endpoint("traces", Endpoint.HTTP_PROTOBUF, url, Map.of("Authorization", "Bearer s3cret"), gzip, 2000,
        null, null, null));
  }

  @Test
  void deliversTheBytesWithHeadersAndReadsOtlpResponses() throws Exception {
    String url = start();
    answer = new byte[] {0x0a, 0x02, 0x08, 0x03};
    SendResult result = send(sender(url, false), new byte[] {1, 2, 3}, false);
    assertEquals(SendResult.Outcome.DELIVERED, result.outcome);
    assertEquals(3, result.rejectedItems);
    assertArrayEquals(new byte[] {1, 2, 3}, bodies.get(0));
    assertEquals("application/x-protobuf", headers.get(0).get("Content-type").get(0));
    assertEquals("Bearer s3cret", headers.get(0).get("Authorization").get(0));
  }

  @Test
  void aConnectionMadeAheadDeliversTheFirstRequest() throws Exception {
    String url = start();
    OtlpSender sender = sender(url, false);
    sender.connectAhead();

    SendResult result = send(sender, new byte[] {7}, false);

    assertEquals(SendResult.Outcome.DELIVERED, result.outcome, result.reason);
    assertArrayEquals(new byte[] {7}, bodies.get(0));
  }

  @Test
  void gzipPayloadsAreLabelled() throws Exception {
    String url = start();
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(zipped)) {
      out.write(new byte[] {9, 8, 7});
    }
    assertEquals(SendResult.Outcome.DELIVERED, send(sender(url, true), zipped.toByteArray(), true).outcome);
    assertArrayEquals(new byte[] {9, 8, 7}, bodies.get(0));
  }

  @Test
  void retryableStatusesCarryRetryAfter() throws Exception {
    String url = start();
    for (int code : new int[] {429, 502, 503, 504}) {
      status = code;
      retryAfter = "4";
      SendResult result = send(sender(url, false), new byte[] {1}, false);
      assertEquals(SendResult.Outcome.RETRY, result.outcome, "status " + code);
      assertEquals(4000, result.retryAfterMillis);
      assertEquals(String.valueOf(code), result.errorType);
      assertTrue(result.reason.contains("Retry-After 4000 ms"), result.reason);
    }
    retryAfter = null;
    status = 503;
    assertEquals(-1, send(sender(url, false), new byte[] {1}, false).retryAfterMillis);
  }

  @Test
  void otherErrorsAreRejectedForGood() throws Exception {
    String url = start();
    for (int code : new int[] {400, 401, 404, 413, 500}) {
      status = code;
      SendResult result = send(sender(url, false), new byte[] {1}, false);
      assertEquals(SendResult.Outcome.REJECTED, result.outcome, "status " + code);
      assertEquals(String.valueOf(code), result.errorType);
    }
  }

  @Test
  void aGarbageBodyWithSuccessIsDelivered() throws Exception {
    String url = start();
    answer = "<html>hello</html>".getBytes();
    SendResult result = send(sender(url, false), new byte[] {1}, false);
    assertEquals(SendResult.Outcome.DELIVERED, result.outcome);
    assertEquals(0, result.rejectedItems);
  }

  @Test
  void noCollectorOrANonHttpPeerIsRetried() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    OtlpSender nobody = sender("http://127.0.0.1:" + port + "/v1/traces", false);
    nobody.connectAhead(); // silent: the first request says what is wrong
    SendResult refused = send(nobody, new byte[] {1}, false);
    assertEquals(SendResult.Outcome.RETRY, refused.outcome);
    assertEquals("java.net.ConnectException", refused.errorType);

    try (ServerSocket garbage = new ServerSocket(0)) {
      Thread peer = new Thread(() -> {
        try (Socket s = garbage.accept()) {
          s.getInputStream().read(new byte[100]);
          s.getOutputStream().write("SSH-2.0-nonsense\r\n\r\n".getBytes());
        } catch (IOException ignored) {
          // the test reads the client's view
        }
      });
      peer.start();
      SendResult result = send(sender("http://127.0.0.1:" + garbage.getLocalPort() + "/v1/traces", false), new byte[] {1}, false);
      assertEquals(SendResult.Outcome.RETRY, result.outcome, result.reason);
      peer.join(5000);
    }
  }

  @Test
  void aCollectorThatNeverAnswersTimesOutAndCanBeCancelled() throws Exception {
    try (ServerSocket silent = new ServerSocket(0)) {
      OtlpSender sender = new OtlpSender(new Endpoint("traces", Endpoint.HTTP_PROTOBUF,
          "http://127.0.0.1:" + silent.getLocalPort() + "/v1/traces", Map.of(), false, 300, null, null, null));
      long start = System.nanoTime();
      SendResult result = send(sender, new byte[] {1}, false);
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertEquals(SendResult.Outcome.RETRY, result.outcome);
      assertTrue(millis >= 250 && millis < 5000, "bounded by the timeout: " + millis + " ms");
      assertTrue(result.reason.contains("no answer within 300 ms"), result.reason);
    }
  }

  /** A whole array as the request. */
  private static SendResult send(OtlpSender sender, byte[] body, boolean gzip) {
    return sender.send(body, body.length, gzip);
  }
}
