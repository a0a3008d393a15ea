package io.weft.receiver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The OTLP/HTTP fault modes, through real sockets, switched between requests as a test would while an application runs. */
class HttpFaultsTest {
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final OtlpReceiver receiver = OtlpReceiver.start(0, -1).withTimeout(Duration.ofSeconds(10));
  private final byte[] trace = TestExports.parentAndChild().toByteArray();

  @AfterEach
  void stop() {
    receiver.close();
  }

  @Test
  void throttlingAnswersCarryRetryAfterInWholeSecondsAndStoreNothing() throws Exception {
    receiver.respondWithStatus(429, Duration.ofMillis(1500));
    HttpResponse<byte[]> throttled = post(trace);
    receiver.respondWithStatus(503, Duration.ofSeconds(3));
    HttpResponse<byte[]> unavailable = post(trace);
    receiver.respondWithStatus(503);
    HttpResponse<byte[]> plain = post(trace);
    receiver.respondWithStatus(0);
    HttpResponse<byte[]> accepted = post(trace);

    assertEquals(429, throttled.statusCode());
    assertEquals("2", throttled.headers().firstValue("retry-after").orElse(null), "1.5 s rounds up, never down");
    assertEquals(503, unavailable.statusCode());
    assertEquals("3", unavailable.headers().firstValue("retry-after").orElse(null));
    assertEquals(503, plain.statusCode());
    assertFalse(plain.headers().firstValue("retry-after").isPresent());
    assertEquals(200, accepted.statusCode());
    List<ExportAttempt> attempts = receiver.attempts();
    assertEquals(List.of("HTTP 429 Retry-After: 2", "HTTP 503 Retry-After: 3", "HTTP 503", "HTTP 200"),
        attempts.stream().map(ExportAttempt::answer).toList());
    assertEquals(List.of(false, false, false, true), attempts.stream().map(ExportAttempt::stored).toList());
    assertEquals(List.of(1, 2, 3, 4), attempts.stream().map(ExportAttempt::number).toList());
    assertTrue(ExportAttempt.gaps(attempts).stream().noneMatch(Duration::isNegative), attempts.toString());
    assertEquals(Signal.TRACES, attempts.get(0).signal());
    assertEquals(Transport.HTTP, attempts.get(0).transport());
    assertEquals(2, receiver.spans().size(), "only the accepted export is stored");
    assertEquals(3, receiver.faultedRequests());
  }

  @Test
  void badRequestStatusIsA400() throws Exception {
    receiver.respondWithStatus(400);

    assertEquals(400, post(trace).statusCode());
    assertTrue(receiver.spans().isEmpty());
  }

  @Test
  void slowAnswersTakeTheDelayThenStoreAsUsual() throws Exception {
    receiver.respondSlowly(Duration.ofMillis(600));
    long start = System.nanoTime();
    HttpResponse<byte[]> slow = post(trace);
    long slowNanos = System.nanoTime() - start;
    receiver.respondSlowly(Duration.ZERO);
    HttpResponse<byte[]> quick = post(trace);

    assertEquals(200, slow.statusCode());
    assertEquals(200, quick.statusCode());
    assertTrue(slowNanos >= Duration.ofMillis(600).toNanos(), "answered after " + slowNanos / 1_000_000 + " ms");
    assertEquals(4, receiver.spans().size());
    assertEquals("HTTP 200 after 600 ms", receiver.attempts().get(0).answer());
    assertEquals("HTTP 200", receiver.attempts().get(1).answer());
  }

  @Test
  void slownessCombinesWithAStatus() throws Exception {
    receiver.respondSlowly(Duration.ofMillis(300));
    receiver.respondWithStatus(503, Duration.ofSeconds(1));
    long start = System.nanoTime();

    assertEquals(503, post(trace).statusCode());
    assertTrue(System.nanoTime() - start >= Duration.ofMillis(300).toNanos());
    receiver.respondNormally();
    assertEquals(200, post(trace).statusCode());
    assertEquals("HTTP 200", receiver.attempts().get(1).answer(), "respondNormally also ends the delay");
  }

  @Test
  void garbageIsA200WhoseBodyNoProtobufParserAcceptsAndTheDataIsStored() throws Exception {
    receiver.respondWithGarbage();

    HttpResponse<byte[]> response = post(trace);

    assertEquals(200, response.statusCode());
    assertEquals("application/x-protobuf", response.headers().firstValue("content-type").orElse(""));
    assertThrows(InvalidProtocolBufferException.class, () -> ExportTraceServiceResponse.parseFrom(response.body()));
    assertEquals(2, receiver.awaitSpans(SpanMatchers.any(), 2).size());
    assertEquals("HTTP 200 garbage body", receiver.attempts().get(0).answer());
  }

  @Test
  void nonHttpBytesThenClose() throws Exception {
    receiver.respondWithNonHttpBytes();
    try (RawHttp raw = new RawHttp(receiver.httpPort())) {
      raw.send(RawHttp.head("/v1/traces", trace.length), trace);

      byte[] answer = raw.readToEnd();

      assertArrayEquals(HttpExportServer.NON_HTTP_BYTES, answer);
      assertFalse(new String(answer, StandardCharsets.ISO_8859_1).startsWith("HTTP/"));
    }
    assertThrows(IOException.class, () -> post(trace), "an HTTP client cannot read this answer");
    assertTrue(receiver.spans().isEmpty());
    assertEquals("non-HTTP bytes", receiver.awaitAttempts(Signal.TRACES, 2).get(0).answer());
  }

  @Test
  void closeMidRequestReadsPartOfTheBodyAndAnswersNothing() throws Exception {
    receiver.closeMidRequest();
    byte[] big = new byte[20_000];
    try (RawHttp raw = new RawHttp(receiver.httpPort())) {
      // only 60% of the body is sent: the receiver must give up after about half, not wait for the rest
      raw.send(RawHttp.head("/v1/traces", big.length), Arrays.copyOf(big, 12_000));

      assertEquals(0, raw.readToEnd().length, "closed without a byte of answer");
    }
    assertThrows(IOException.class, () -> post(trace));
    assertEquals("closed mid-request", receiver.awaitAttempts(Signal.TRACES, 2).get(1).answer());
    assertTrue(receiver.spans().isEmpty());
  }

  @Test
  void aBodyShorterThanItsContentLengthIsNotStoredAndTheReceiverServesOn() throws Exception {
    // a small announcement is read into one array of its size, a large one as the bytes come: both must end
    // at the early end of the stream, answer nothing and store nothing
    for (int announced : new int[] {trace.length + 100, 50 * 1024 * 1024}) {
      try (RawHttp raw = new RawHttp(receiver.httpPort())) {
        raw.send(RawHttp.head("/v1/traces", announced), trace);
        raw.endOutput();

        assertEquals(0, raw.readToEnd().length, "announced " + announced + ": closed without an answer");
      }
    }
    assertTrue(receiver.spans().isEmpty());
    assertEquals(200, post(trace).statusCode(), "the next export is served");
    assertEquals(2, receiver.spans().size(), "its parent and child span, and nothing of the cut bodies");
  }

  @Test
  void aFaultSwitchedOnReachesTheNextRequestOfAKeptAliveConnection() throws Exception {
    try (RawHttp raw = new RawHttp(receiver.httpPort())) {
      raw.send(RawHttp.head("/v1/traces", trace.length), trace);
      String first = raw.readResponse();
      receiver.respondWithStatus(503, Duration.ofSeconds(2));
      raw.send(RawHttp.head("/v1/traces", trace.length), trace);
      String second = raw.readResponse();
      receiver.respondWithNonHttpBytes();
      raw.send(RawHttp.head("/v1/traces", trace.length), trace);
      byte[] third = raw.readToEnd();

      assertTrue(first.startsWith("HTTP/1.1 200 OK\r\n"), first);
      assertTrue(second.startsWith("HTTP/1.1 503 Service Unavailable\r\n"), second);
      assertTrue(second.contains("\r\nRetry-After: 2\r\n"), second);
      assertArrayEquals(HttpExportServer.NON_HTTP_BYTES, third);
    }
    assertEquals(2, receiver.spans().size());
  }

  @Test
  void chunkedBodiesAreDecoded() throws Exception {
    try (RawHttp raw = new RawHttp(receiver.httpPort())) {
      int half = trace.length / 2;
      raw.send(("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
              + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(half) + "\r\n").getBytes(StandardCharsets.US_ASCII),
          Arrays.copyOfRange(trace, 0, half),
          ("\r\n" + Integer.toHexString(trace.length - half) + ";ext=1\r\n").getBytes(StandardCharsets.US_ASCII),
          Arrays.copyOfRange(trace, half, trace.length),
          "\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

      assertTrue(raw.readResponse().startsWith("HTTP/1.1 200 OK"));
    }
    assertEquals(2, receiver.awaitSpans(SpanMatchers.inTrace(TestExports.TRACE_ID), 2).size());
  }

  @Test
  void binaryOnThePlainPortIsRefusedAtOnce() throws Exception {
    try (RawHttp raw = new RawHttp(receiver.httpPort())) {
      raw.send(new byte[] {0x16, 0x03, 0x01, 0x00, 0x05}); // the start of a TLS ClientHello

      String answer = new String(raw.readToEnd(), StandardCharsets.ISO_8859_1);

      assertTrue(answer.startsWith("HTTP/1.1 400 Bad Request\r\n"), answer);
    }
  }

  private HttpResponse<byte[]> post(byte[] body) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(receiver.httpEndpoint() + "/v1/traces"))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }
}
