package io.weft.receiver;

import static io.weft.receiver.LogMatchers.bodyContains;
import static io.weft.receiver.LogMatchers.scope;
import static io.weft.receiver.LogMatchers.severity;
import static io.weft.receiver.LogMatchers.withTrace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.resource.v1.Resource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Log records over OTLP/HTTP (protobuf and JSON) and OTLP/gRPC, read back through ReceivedLog and LogMatchers. */
class LogsReceiverTest {
  private final OtlpReceiver receiver = OtlpReceiver.start();

  @AfterEach
  void stop() {
    receiver.close();
  }

  @Test
  void decodesEveryFieldOfTwoRecords() throws Exception {
    assertEquals(200, post(receiver, "application/x-protobuf", TestExports.logs().toByteArray()));

    List<ReceivedLog> logs = receiver.awaitLogs(scope("io.weft.logback"), 2);
    ReceivedLog error = receiver.awaitLog(severity("ERROR").and(withTrace(TestExports.TRACE_ID)));
    ReceivedLog event = receiver.awaitLog(bodyContains("placed"));
    assertEquals(List.of(error, event), logs);
    assertEquals(logs, receiver.logs());

    assertEquals(TestExports.ERROR_BODY, error.body());
    assertEquals(17, error.severityNumber());
    assertEquals("ERROR", error.severityText());
    assertEquals(TestExports.START + 5_000_000, error.timeUnixNano());
    assertEquals(TestExports.START + 5_000_100, error.observedTimeUnixNano());
    assertEquals(TestExports.TRACE_ID, error.traceId());
    assertEquals(TestExports.CHILD_ID, error.spanId());
    assertEquals(1, error.flags());
    assertEquals("", error.eventName());
    assertEquals("java.sql.SQLTimeoutException", error.attribute("exception.type"));
    assertEquals("query timed out", error.attribute("exception.message"));
    assertTrue(error.attribute("exception.stacktrace").contains("\n\tat com.acme.Orders.load("),
        error.attribute("exception.stacktrace"));
    assertEquals("42", error.attribute("order.id"));
    assertNull(error.attribute("absent"));
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("exception.type", "java.sql.SQLTimeoutException");
    attributes.put("exception.message", "query timed out");
    attributes.put("exception.stacktrace", error.attribute("exception.stacktrace"));
    attributes.put("order.id", "42");
    assertEquals(attributes, error.attributes());
    assertEquals(List.copyOf(attributes.keySet()), List.copyOf(error.attributes().keySet()), "order kept");
    assertEquals("checkout", error.resourceAttribute("service.name"));
    assertNull(error.resourceAttribute("absent"));
    assertEquals("checkout", error.serviceName());
    assertEquals("io.weft.logback", error.scopeName());
    assertEquals("1.2.0", error.scopeVersion());
    assertEquals("ERROR io.weft.logback \"" + TestExports.ERROR_BODY.substring(0, 80) + "...\" trace="
        + TestExports.TRACE_ID, error.toString());

    assertEquals("{order.id=43, status=placed}", event.body(), "a map body through the attribute conversion");
    assertEquals(9, event.severityNumber());
    assertEquals("INFO", event.severityText());
    assertEquals(TestExports.START + 60_000_000, event.timeUnixNano());
    assertEquals("", event.traceId());
    assertEquals("", event.spanId());
    assertEquals(0, event.flags());
    assertEquals("order.placed", event.eventName());
    assertEquals("false", event.attribute("retried"));
    assertEquals(Map.of("retried", "false"), event.attributes());
    assertEquals("INFO io.weft.logback \"{order.id=43, status=placed}\"", event.toString());

    assertEquals(1, receiver.exportRequests(Signal.LOGS, Transport.HTTP));
    assertEquals(1, receiver.requestHeaders().size());
    assertTrue(receiver.spans().isEmpty());
    assertTrue(receiver.metrics().isEmpty());
  }

  @Test
  void anEmptyRecordReadsAsEmptyValues() {
    ReceivedLog empty = new ReceivedLog(LogRecord.getDefaultInstance(), Resource.getDefaultInstance(),
        InstrumentationScope.getDefaultInstance());

    assertEquals("", empty.body());
    assertEquals(0, empty.severityNumber());
    assertEquals("", empty.severityText());
    assertEquals("", empty.traceId());
    assertEquals("", empty.spanId());
    assertEquals("", empty.scopeName());
    assertEquals("", empty.scopeVersion());
    assertTrue(empty.attributes().isEmpty());
    assertNull(empty.serviceName());
    assertEquals("severity=0 <no scope> \"\"", empty.toString());
    assertThrows(NullPointerException.class, () -> new ReceivedLog(null, Resource.getDefaultInstance(),
        InstrumentationScope.getDefaultInstance()));
    assertEquals(2, ReceivedLog.flatten(TestExports.logs()).size());
    assertTrue(ReceivedLog.flatten(ExportLogsServiceRequest.getDefaultInstance()).isEmpty());
  }

  @Test
  void decodesOtlpJsonWithHexIds() throws Exception {
    String json = OtlpJsonIds.base64ToHex(JsonFormat.printer().print(TestExports.logs()));
    assertTrue(json.contains("\"traceId\": \"" + TestExports.TRACE_ID + "\""), json);

    assertEquals(200, post(receiver, "application/json", json.getBytes(StandardCharsets.UTF_8)));

    ReceivedLog error = receiver.awaitLog(withTrace(TestExports.TRACE_ID));
    assertEquals(TestExports.CHILD_ID, error.spanId());
    assertEquals(TestExports.ERROR_BODY, error.body());
  }

  @Test
  void decodesLogsOverGrpc() throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", receiver.grpcPort()).usePlaintext().build();
    try {
      ExportLogsServiceResponse response = ClientCalls.blockingUnaryCall(channel, GrpcExportService.LOGS_EXPORT,
          CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), TestExports.logs());

      assertEquals(ExportLogsServiceResponse.getDefaultInstance(), response);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    assertEquals(TestExports.CHILD_ID, receiver.awaitLog(severity("ERROR")).spanId());
    assertEquals(2, receiver.logs().size());
    assertEquals(1, receiver.exportRequests(Signal.LOGS, Transport.GRPC));
  }

  @Test
  void timeoutNamesThePredicateAndListsWhatArrived() throws Exception {
    receiver.withTimeout(Duration.ofMillis(200));
    assertEquals(200, post(receiver, "application/x-protobuf", TestExports.logs().toByteArray()));
    receiver.awaitLogs(LogMatchers.any(), 2);

    AssertionError noMatch = assertThrows(AssertionError.class,
        () -> receiver.awaitLog(severity("FATAL").and(bodyContains("disk full"))));
    AssertionError tooFew = assertThrows(AssertionError.class,
        () -> receiver.awaitLogs(scope("io.weft.logback"), 3));

    String message = noMatch.getMessage();
    assertTrue(message.contains("waited 200 ms for 1 log record(s) matching severity=FATAL and body contains "
        + "\"disk full\", found 0"), message);
    assertTrue(message.contains("received 2 log record(s): ERROR io.weft.logback \"Order 42 could not be loaded"),
        message);
    assertTrue(message.contains("trace=" + TestExports.TRACE_ID + ", INFO io.weft.logback"), message);
    assertTrue(message.contains("logs/http=1"), message);
    assertTrue(tooFew.getMessage().contains("scope=io.weft.logback, found 2"), tooFew.getMessage());
  }

  @Test
  void clearForgetsLogs() throws Exception {
    assertEquals(200, post(receiver, "application/x-protobuf", TestExports.logs().toByteArray()));
    receiver.awaitLogs(LogMatchers.any(), 2);

    receiver.clear();

    assertTrue(receiver.logs().isEmpty());
  }

  @Test
  void forwardingReceiverHandsLogsOverAndKeepsNone() throws Exception {
    List<ReceivedLog> forwarded = Collections.synchronizedList(new ArrayList<>());
    ExportListener listener = new ExportListener() {
      @Override
      public void logsReceived(List<ReceivedLog> logs) {
        forwarded.addAll(logs);
      }
    };
    try (OtlpReceiver forwarding = OtlpReceiver.forward(0, -1, listener)) {
      // the records are handed over before the answer is sent
      assertEquals(200, post(forwarding, "application/x-protobuf", TestExports.logs().toByteArray()));

      assertEquals(2, forwarded.size());
      assertEquals("ERROR", forwarded.get(0).severityText());
      assertTrue(forwarding.logs().isEmpty());
      assertEquals(1, forwarding.exportRequests(Signal.LOGS, Transport.HTTP));
    }
  }

  private static int post(OtlpReceiver to, String contentType, byte[] body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(to.httpEndpoint() + "/v1/logs"))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
