package io.weft.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tool end to end on ephemeral ports: startup line, metrics and logs lines, JSON lines, traces on close. */
class WeftReceiverTest {

  @Test
  void printsTracesAndMetricsAndAppendsJson(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("spans.jsonl");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    // a long quiet time: the trace stays pending until close prints it, so nothing here races the ticker
    ReceiverOptions options = ReceiverOptions.parse("--http-port=0", "--grpc-port=0", "--json", json.toString(),
        "--quiet-ms=600000");

    WeftReceiver tool = new WeftReceiver(options, out, false);
    try {
      tool.start();
      post(tool.httpPort(), "/v1/traces", TestExports.parentAndChild().toByteArray());
      post(tool.httpPort(), "/v1/metrics", TestExports.histogram().toByteArray());
      post(tool.httpPort(), "/v1/logs", TestExports.logs().toByteArray());
    } finally {
      tool.close();
    }

    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertTrue(lines[0].startsWith("weft-receiver listening: OTLP/HTTP http://127.0.0.1:"), lines[0]);
    assertTrue(lines[0].contains("OTLP/gRPC http://127.0.0.1:"), lines[0]);
    assertEquals("metrics: 1 point from service checkout: http.server.request.duration", lines[1]);
    assertEquals("logs: 2 records from service checkout: ERROR 1, INFO 1", lines[2]);
    assertEquals("trace " + TestExports.TRACE_ID + "  service checkout  50.00ms  2 spans", lines[3]);
    assertTrue(lines[4].contains("SERVER   GET /orders"), lines[4]);
    assertTrue(lines[5].contains("  CLIENT   SELECT orders  ERROR \"timeout\""), lines[5]);
    List<String> jsonLines = Files.readAllLines(json);
    assertEquals(2, jsonLines.size());
    assertTrue(jsonLines.get(0).startsWith("{\"service.name\":\"checkout\",\"span\":{\"traceId\":\""
        + TestExports.TRACE_ID + "\",\"spanId\":\"" + TestExports.PARENT_ID + "\",\"name\":\"GET /orders\""),
        jsonLines.get(0));
    assertTrue(jsonLines.get(1).contains("\"parentSpanId\":\"" + TestExports.PARENT_ID + "\""), jsonLines.get(1));
  }

  @Test
  void countModePrintsRunningTotalsInsteadOfTraces() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    WeftReceiver tool = new WeftReceiver(ReceiverOptions.parse("--http-port=0", "--grpc-port=-1", "--count"), out, false);
    try {
      tool.start();
      post(tool.httpPort(), "/v1/traces", TestExports.parentAndChild().toByteArray());
      byte[] whole = TestExports.parentAndChild().toByteArray();
      // counted from the wire, not decoded: a request cut short is still refused, and counts nothing
      assertEquals(400, send(tool.httpPort(), "/v1/traces", java.util.Arrays.copyOf(whole, whole.length - 3)));
      post(tool.httpPort(), "/v1/traces", whole);
      post(tool.httpPort(), "/v1/metrics", TestExports.histogram().toByteArray());
      post(tool.httpPort(), "/v1/logs", TestExports.logs().toByteArray());
    } finally {
      tool.close();
    }

    // the ticker may have printed intermediate totals; close prints the final ones, and nothing else appears
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertTrue(lines[0].startsWith("weft-receiver listening: OTLP/HTTP http://127.0.0.1:"), lines[0]);
    assertEquals("count spans=4 metric-points=1 log-records=2", lines[lines.length - 1]);
    for (int i = 1; i < lines.length; i++) {
      assertTrue(lines[i].matches("count spans=\\d+ metric-points=\\d+ log-records=\\d+"), lines[i]);
    }
  }

  private static void post(int port, String path, byte[] body) throws Exception {
    assertEquals(200, send(port, path, body));
  }

  private static int send(int port, String path, byte[] body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
