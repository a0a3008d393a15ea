package io.weft.receiver;

import static io.weft.receiver.SpanMatchers.childOf;
import static io.weft.receiver.SpanMatchers.inTrace;
import static io.weft.receiver.SpanMatchers.kind;
import static io.weft.receiver.SpanMatchers.named;
import static io.weft.receiver.SpanMatchers.root;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** OTLP/HTTP through a real socket: protobuf plain and gzipped, JSON, and the refusals. */
class HttpReceiverTest {
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final OtlpReceiver receiver = OtlpReceiver.start(0, -1);

  @AfterEach
  void stop() {
    receiver.close();
  }

  @Test
  void decodesProtobufSpansWithParentageAttributesAndResource() throws Exception {
    HttpResponse<byte[]> response = post("/v1/traces", "application/x-protobuf", null,
        TestExports.parentAndChild().toByteArray(), "authorization", "Bearer s3cret");

    assertEquals(200, response.statusCode());
    assertEquals("application/x-protobuf", response.headers().firstValue("content-type").orElse(""));
    assertEquals(ExportTraceServiceResponse.getDefaultInstance(), ExportTraceServiceResponse.parseFrom(response.body()));
    List<ReceivedSpan> spans = receiver.awaitSpans(inTrace(TestExports.TRACE_ID), 2);
    ReceivedSpan parent = receiver.awaitSpan(root().and(kind(Span.SpanKind.SPAN_KIND_SERVER)));
    ReceivedSpan child = receiver.awaitSpan(childOf(parent));
    assertEquals(2, spans.size());
    assertEquals("GET /orders", parent.name());
    assertEquals(TestExports.TRACE_ID, parent.traceId());
    assertEquals(TestExports.PARENT_ID, parent.spanId());
    assertEquals("", parent.parentSpanId());
    assertEquals(TestExports.PARENT_ID, child.parentSpanId());
    assertFalse(child.isRoot());
    assertEquals("GET", parent.stringAttr("http.request.method"));
    assertEquals(200L, parent.longAttr("http.response.status_code"));
    assertEquals(200L, parent.attr("http.response.status_code"));
    assertEquals(List.of(true, 1.5), child.attr("db.flags"));
    assertNull(child.attr("absent"));
    assertEquals("checkout", child.resourceAttr("service.name"));
    assertEquals("io.weft.jdbc", child.scopeName());
    assertEquals(Status.StatusCode.STATUS_CODE_ERROR, child.statusCode());
    assertEquals("timeout", child.statusMessage());
    assertEquals("java.sql.SQLTimeoutException", child.eventAttr("exception", "exception.type"));
    assertEquals(20_000_000L, child.durationNanos());
    assertEquals(TestExports.START + 5_000_000, child.startEpochNanos());
    assertEquals("Bearer s3cret", receiver.requestHeaders().get(0).get("authorization"));
    assertEquals(1, receiver.exportRequests(Signal.TRACES, Transport.HTTP));
  }

  @Test
  void decodesGzippedProtobuf() throws Exception {
    HttpResponse<byte[]> response = post("/v1/traces", "application/x-protobuf", "gzip",
        gzip(TestExports.parentAndChild().toByteArray()));

    assertEquals(200, response.statusCode());
    ReceivedSpan child = receiver.awaitSpan(named("SELECT orders"));
    assertEquals(TestExports.CHILD_ID, child.spanId());
    assertEquals("postgresql", child.stringAttr("db.system.name"));
    assertEquals("gzip", receiver.requestHeaders().get(0).get("content-encoding"));
  }

  @Test
  void decodesOtlpJsonWithHexIds() throws Exception {
    String json = JsonFormat.printer().print(TestExports.parentAndChild());
    String base64TraceId = java.util.Base64.getEncoder().encodeToString(TestExports.id(TestExports.TRACE_ID).toByteArray());
    String otlpJson = json.replace(base64TraceId, TestExports.TRACE_ID); // OTLP/JSON carries ids as hex

    HttpResponse<byte[]> response = post("/v1/traces", "application/json", null,
        otlpJson.getBytes(StandardCharsets.UTF_8));

    assertEquals(200, response.statusCode());
    assertEquals("application/json", response.headers().firstValue("content-type").orElse(""));
    assertEquals(2, receiver.awaitSpans(inTrace(TestExports.TRACE_ID), 2).size());
  }

  @Test
  void garbageIsA400AndCounted() throws Exception {
    HttpResponse<byte[]> truncated = post("/v1/traces", "application/x-protobuf", null, new byte[] {0x0A, (byte) 0xFF});
    HttpResponse<byte[]> notGzip = post("/v1/metrics", "application/x-protobuf", "gzip", new byte[] {1, 2, 3});

    assertEquals(400, truncated.statusCode());
    assertEquals(400, notGzip.statusCode());
    assertEquals(2, receiver.badRequests());
    assertTrue(receiver.spans().isEmpty());
    assertTrue(receiver.exportRequests().isEmpty());
  }

  @Test
  void unknownPathIsA404() throws Exception {
    assertEquals(404, post("/v1/profiles", "application/x-protobuf", null, new byte[0]).statusCode());
  }

  @Test
  void faultStatusIsAnsweredAndNothingIsStored() throws Exception {
    receiver.respondWithStatus(503);
    HttpResponse<byte[]> refused = post("/v1/traces", "application/x-protobuf", null,
        TestExports.parentAndChild().toByteArray());
    receiver.respondWithStatus(0);
    HttpResponse<byte[]> accepted = post("/v1/metrics", "application/x-protobuf", null,
        TestExports.histogram().toByteArray());

    assertEquals(503, refused.statusCode());
    assertEquals(200, accepted.statusCode());
    assertEquals(1, receiver.faultedRequests());
    assertTrue(receiver.spans().isEmpty());
    assertEquals(1, receiver.requestHeaders().size());
  }

  @Test
  void clearForgetsEverything() throws Exception {
    post("/v1/traces", "application/x-protobuf", null, TestExports.parentAndChild().toByteArray());
    receiver.awaitSpans(SpanMatchers.any(), 2);

    receiver.clear();

    assertTrue(receiver.spans().isEmpty());
    assertTrue(receiver.requestHeaders().isEmpty());
    assertEquals(0, receiver.exportRequests(Signal.TRACES, Transport.HTTP));
  }

  @Test
  void emptyProtobufBodyIsAValidEmptyExport() throws Exception {
    assertEquals(200, post("/v1/logs", "application/x-protobuf", null, new byte[0]).statusCode());
    assertEquals(1, receiver.exportRequests(Signal.LOGS, Transport.HTTP));
    assertArrayEquals(new byte[0], post("/v1/logs", "application/x-protobuf", null, new byte[0]).body());
  }

  private HttpResponse<byte[]> post(String path, String contentType, String encoding, byte[] body,
      String... extraHeaders) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(receiver.httpEndpoint() + path))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (encoding != null) {
      request.header("Content-Encoding", encoding);
    }
    for (int i = 0; i < extraHeaders.length; i += 2) {
      request.header(extraHeaders[i], extraHeaders[i + 1]);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes);
    }
    return out.toByteArray();
  }
}
