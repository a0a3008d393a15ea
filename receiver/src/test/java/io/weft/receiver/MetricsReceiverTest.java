package io.weft.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.metrics.v1.Metric;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A histogram over OTLP/HTTP, read back through the metric views. */
class MetricsReceiverTest {
  private final OtlpReceiver receiver = OtlpReceiver.start();

  @AfterEach
  void stop() {
    receiver.close();
  }

  @Test
  void histogramPointKeepsCountsBoundsAndAttributes() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(receiver.httpEndpoint() + "/v1/metrics"))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(TestExports.histogram().toByteArray()))
        .build();

    int status = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();

    assertEquals(200, status);
    ReceivedMetric metric = receiver.awaitMetric(m -> m.type() == Metric.DataCase.HISTOGRAM);
    assertEquals("http.server.request.duration", metric.name());
    assertEquals("s", metric.unit());
    assertEquals("Duration of HTTP server requests.", metric.description());
    assertEquals("checkout", metric.resourceAttr("service.name"));
    assertEquals("io.weft.servlet", metric.scopeName());
    assertFalse(metric.isMonotonic());
    assertTrue(metric.sumPoints().isEmpty());
    HistogramPointView point = metric.histogramPoints().get(0);
    assertEquals(Map.of("http.route", "/orders", "http.response.status_code", 200L), point.attributes());
    assertEquals(3, point.count());
    assertEquals(0.42, point.sum());
    assertEquals(List.of(0.1, 0.5), point.explicitBounds());
    assertEquals(List.of(1L, 2L, 0L), point.bucketCounts());
    assertEquals(1, receiver.exportRequests(Signal.METRICS, Transport.HTTP));
  }
}
