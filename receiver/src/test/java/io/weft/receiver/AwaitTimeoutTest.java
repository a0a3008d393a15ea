package io.weft.receiver;

import static io.weft.receiver.SpanMatchers.attr;
import static io.weft.receiver.SpanMatchers.kind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A wait that runs out says what it waited for and what did arrive. */
class AwaitTimeoutTest {
  private final OtlpReceiver receiver = OtlpReceiver.start(0, -1).withTimeout(Duration.ofMillis(200));

  @AfterEach
  void stop() {
    receiver.close();
  }

  @Test
  void timeoutWithNothingReceivedSaysSo() {
    AssertionError error = assertThrows(AssertionError.class,
        () -> receiver.awaitSpan(kind(Span.SpanKind.SPAN_KIND_PRODUCER)));

    assertTrue(error.getMessage().contains("kind=SPAN_KIND_PRODUCER"), error.getMessage());
    assertTrue(error.getMessage().contains("received 0 span(s)"), error.getMessage());
  }

  @Test
  void timeoutListsTheSpansAndMetricsThatDidArrive() throws Exception {
    send("/v1/traces", TestExports.parentAndChild().toByteArray());
    send("/v1/metrics", TestExports.histogram().toByteArray());

    AssertionError spanError = assertThrows(AssertionError.class,
        () -> receiver.awaitSpan(kind(Span.SpanKind.SPAN_KIND_CLIENT).and(attr("db.system.name", "mariadb"))));
    AssertionError metricError = assertThrows(AssertionError.class, () -> receiver.awaitMetric("jvm.memory.used"));

    String message = spanError.getMessage();
    assertTrue(message.contains("kind=SPAN_KIND_CLIENT and db.system.name=mariadb"), message);
    assertTrue(message.contains("received 2 span(s): GET /orders SERVER, SELECT orders CLIENT"), message);
    assertTrue(message.contains("traces/http=1"), message);
    assertTrue(metricError.getMessage().contains("name=jvm.memory.used"), metricError.getMessage());
    assertTrue(metricError.getMessage().contains("[http.server.request.duration]"), metricError.getMessage());
  }

  @Test
  void awaitSpansReportsHowManyMatched() throws Exception {
    send("/v1/traces", TestExports.parentAndChild().toByteArray());

    AssertionError error = assertThrows(AssertionError.class, () -> receiver.awaitSpans(SpanMatchers.any(), 3));

    assertTrue(error.getMessage().contains("found 2"), error.getMessage());
    assertEquals(2, receiver.awaitSpans(SpanMatchers.any(), 2).size());
  }

  private void send(String path, byte[] body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(receiver.httpEndpoint() + path))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    assertEquals(200, HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
  }
}
