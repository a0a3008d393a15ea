package io.weft.agent.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.weft.agent.metrics.LeanMeterProvider;
import io.weft.instrumentation.trace.TelemetryResource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus endpoint over a real socket, in front of Weft's meter provider: what a scrape returns
 * (names, units, types, labels, cumulative buckets, the resource), that it is cumulative scrape after scrape
 * beside a delta OTLP-like exporter, and how it answers what is not a scrape.
 */
class PrometheusEndpointTest {

  private static final TelemetryResource RESOURCE = new TelemetryResource(Attributes.builder()
      .put("service.name", "prom-test")
      .put("host.name", "a\"b\\c\nd")
      .build());

  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private PrometheusEndpoint endpoint;
  private LeanMeterProvider provider;

  @AfterEach
  void close() {
    if (provider != null) {
      provider.shutdown();
    }
    if (endpoint != null) {
      endpoint.shutdown();
    }
  }

  private void open(List<MetricExporter> others) throws IOException {
    endpoint = PrometheusEndpoint.open("127.0.0.1", 0, RESOURCE, warnings::add);
    List<MetricExporter> exporters = new ArrayList<>(others);
    exporters.add(endpoint);
    provider = new LeanMeterProvider(RESOURCE, exporters, 60_000);
    provider.start();
  }

  @Test
  void aScrapeWritesEveryKindAsTheSpecificationMapsIt() throws IOException {
    open(List.of());
    Meter meter = provider.meterBuilder("io.weft.test").setInstrumentationVersion("1.2").build();
    DoubleHistogram duration = meter.histogramBuilder("http.server.request.duration").setUnit("s")
        .setDescription("Duration of HTTP server requests.").setExplicitBucketBoundariesAdvice(List.of(0.1, 1.0)).build();
    Attributes get = Attributes.builder().put("http.request.method", "GET").put("http.response.status_code", 200L).build();
    duration.record(0.05, get);
    duration.record(0.5, get);
    duration.record(2.0, get);
    LongCounter requests = meter.counterBuilder("weft.test.requests").setUnit("{request}").build();
    // two keys that clean to the same label: values joined in the order of the keys ("." sorts before "_")
    requests.add(5, Attributes.builder().put("a_b", "2").put("a.b", "1").build());
    LongUpDownCounter active = meter.upDownCounterBuilder("http.server.active_requests").setUnit("{request}").build();
    active.add(3);
    active.add(-1);
    meter.gaugeBuilder("jvm.cpu.recent_utilization").setUnit("1").buildWithCallback(m -> m.record(0.25));
    meter.counterBuilder("jvm.gc.bytes").setUnit("By").buildWithCallback(m -> m.record(1024, Attributes.of(AttributeKey.stringArrayKey("tags"), List.of("x", "y\"z"))));

    // as Prometheus asks: gzip, which it gets
    HttpAnswer answer = request("GET /metrics HTTP/1.1\r\nHost: localhost\r\naccept-encoding: gzip\r\n\r\n");

    assertEquals(200, answer.status, answer.toString());
    assertTrue(answer.headers.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8"), answer.headers);
    assertTrue(answer.headers.contains("Content-Encoding: gzip"), answer.headers);
    HttpAnswer plain = request("GET /metrics HTTP/1.1\r\nAccept-Encoding: identity\r\n\r\n");
    assertFalse(plain.headers.contains("Content-Encoding"), plain.headers);
    assertEquals(answer.body, plain.body);
    String scope = "otel_scope_name=\"io.weft.test\",otel_scope_version=\"1.2\"";
    String labels = "http_request_method=\"GET\",http_response_status_code=\"200\"," + scope;
    assertEquals(String.join("\n",
        "# HELP target_info Target metadata",
        "# TYPE target_info gauge",
        "target_info{host_name=\"a\\\"b\\\\c\\nd\",service_name=\"prom-test\"} 1",
        "# HELP http_server_request_duration_seconds Duration of HTTP server requests.",
        "# TYPE http_server_request_duration_seconds histogram",
        "http_server_request_duration_seconds_bucket{" + labels + ",le=\"0.1\"} 1",
        "http_server_request_duration_seconds_bucket{" + labels + ",le=\"1.0\"} 2",
        "http_server_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} 3",
        "http_server_request_duration_seconds_sum{" + labels + "} 2.55",
        "http_server_request_duration_seconds_count{" + labels + "} 3",
        "# TYPE weft_test_requests_total counter",
        "weft_test_requests_total{a_b=\"1;2\"," + scope + "} 5",
        "# TYPE http_server_active_requests gauge",
        "http_server_active_requests{" + scope + "} 2",
        "# TYPE jvm_cpu_recent_utilization_ratio gauge",
        "jvm_cpu_recent_utilization_ratio{" + scope + "} 0.25",
        "# TYPE jvm_gc_bytes_total counter",
        "jvm_gc_bytes_total{tags=\"[\\\"x\\\",\\\"y\\\\\\\"z\\\"]\"," + scope + "} 1024",
        ""), answer.body);
    assertEquals(List.of(), warnings);
  }

  @Test
  void scrapesStayCumulativeBesideADeltaExporter() throws IOException {
    Pushed delta = new Pushed();
    open(List.of(delta));
    LongCounter counter = provider.meterBuilder("s").build().counterBuilder("events").build();
    counter.add(1);
    assertTrue(request("GET /metrics HTTP/1.1\r\n\r\n").body.contains("\nevents_total{otel_scope_name=\"s\"} 1\n"));
    provider.forceFlush(); // the delta exporter takes the 1 ...
    counter.add(2);
    provider.forceFlush(); // ... and the 2
    assertEquals(2, delta.exports.get());
    // ... and the endpoint's own collection still has them all
    assertTrue(request("GET /metrics?name=x HTTP/1.0\n\n").body.contains("\nevents_total{otel_scope_name=\"s\"} 3\n"));
  }

  @Test
  void twoMetricsOfOneNameAndTwoTypesKeepTheFirstAndSaySoOnce() throws IOException {
    open(List.of());
    Meter meter = provider.meterBuilder("s").build();
    meter.counterBuilder("jobs").build().add(4); // jobs_total, a counter
    meter.upDownCounterBuilder("jobs.total").build().add(9); // jobs_total too, a gauge: left out
    String first = request("GET / HTTP/1.1\r\n\r\n").body;
    String second = request("GET / HTTP/1.1\r\n\r\n").body;
    assertTrue(first.contains("# TYPE jobs_total counter\njobs_total{otel_scope_name=\"s\"} 4\n"), first);
    assertFalse(first.contains(" 9\n"), first);
    assertEquals(first, second);
    assertEquals(List.of("the Prometheus endpoint leaves out jobs.total as a gauge named jobs_total, already a counter: one name cannot have two types"),
        warnings);
  }

  @Test
  void whatIsNotAScrapeGetsItsOwnAnswer() throws IOException {
    open(List.of());
    provider.meterBuilder("s").build().counterBuilder("events").build().add(1);
    assertEquals(404, request("GET /other HTTP/1.1\r\n\r\n").status);
    HttpAnswer post = request("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    assertEquals(405, post.status);
    assertTrue(post.headers.contains("Allow: GET, HEAD"), post.headers);
    assertEquals(400, request("GARBAGE\r\n\r\n").status);
    assertEquals(400, request("GET /metrics SPDY/3\r\n\r\n").status);
    // a head larger than the endpoint reads
    assertEquals(400, request("GET /metrics HTTP/1.1\r\nX-Big: " + "a".repeat(PrometheusEndpoint.MAX_REQUEST_BYTES) + "\r\n\r\n").status);
    HttpAnswer head = request("HEAD /metrics HTTP/1.1\r\n\r\n");
    assertEquals(200, head.status);
    assertEquals("", head.body);
    String headLength = head.headers.lines().filter(l -> l.startsWith("Content-Length: ")).findFirst().orElseThrow();
    assertEquals(request("GET /metrics HTTP/1.1\r\n\r\n").body.getBytes(StandardCharsets.UTF_8).length,
        Integer.parseInt(headLength.substring("Content-Length: ".length())));
    // a client that connects and says nothing holds one connection, not the endpoint
    try (Socket silent = new Socket(InetAddress.getLoopbackAddress(), port())) {
      assertEquals(200, request("GET /metrics HTTP/1.1\r\n\r\n").status);
    }
  }

  @Test
  void beyondFourConnectionsAtOnceTheNextIsTurnedAwayUntilOneEnds() throws IOException, InterruptedException {
    open(List.of());
    List<Socket> silent = new ArrayList<>();
    try {
      for (int i = 0; i < PrometheusEndpoint.MAX_CONNECTIONS; i++) {
        silent.add(new Socket(InetAddress.getLoopbackAddress(), port()));
      }
      HttpAnswer turnedAway = request("GET /metrics HTTP/1.1\r\n\r\n");
      assertEquals(503, turnedAway.status, turnedAway.toString());
    } finally {
      for (Socket socket : silent) {
        socket.close();
      }
    }
    // their exchanges end when they see the close; poll until a place is free
    long deadline = System.nanoTime() + 10_000_000_000L;
    int status;
    while ((status = request("GET /metrics HTTP/1.1\r\n\r\n").status) == 503 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(200, status);
  }

  @Test
  void aTakenPortIsAnErrorForTheCallerAndShutdownStopsListening() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      assertThrows(IOException.class, () -> PrometheusEndpoint.open("127.0.0.1", taken.getLocalPort(), RESOURCE, warnings::add));
    }
    open(List.of());
    int port = port();
    assertEquals("http://127.0.0.1:" + port + "/metrics", endpoint.url());
    provider.shutdown();
    provider = null;
    assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close());
  }

  @Test
  void gzipOnlyWhenTheRequestAcceptsIt() {
    assertTrue(PrometheusEndpoint.Exchange.acceptsGzip("GET / HTTP/1.1\nAccept-Encoding: gzip\n\n"));
    assertTrue(PrometheusEndpoint.Exchange.acceptsGzip("GET / HTTP/1.1\nHost: x\nACCEPT-ENCODING:deflate, GZip;q=0.5\n\n"));
    assertFalse(PrometheusEndpoint.Exchange.acceptsGzip("GET / HTTP/1.1\nAccept-Encoding: gzip;q=0\n\n"));
    assertFalse(PrometheusEndpoint.Exchange.acceptsGzip("GET / HTTP/1.1\nAccept-Encoding: gzip; q=0.000\n\n"));
    assertFalse(PrometheusEndpoint.Exchange.acceptsGzip("GET / HTTP/1.1\nAccept-Encoding: identity, x-gzip\n\n"));
    assertFalse(PrometheusEndpoint.Exchange.acceptsGzip("GET / HTTP/1.1\nX-Note: Accept-Encoding: gzip\n\n"));
    assertFalse(PrometheusEndpoint.Exchange.acceptsGzip("GET /gzip HTTP/1.1\n\n"));
  }

  @Test
  void namesUnitsAndLabelsFollowTheSpecification() {
    assertEquals("http_server_request_duration_seconds", PrometheusText.metricName("http.server.request.duration", "s", "histogram"));
    assertEquals("jvm_memory_used_bytes", PrometheusText.metricName("jvm.memory.used", "By", "gauge"));
    assertEquals("net_io_bytes_per_second", PrometheusText.metricName("net.io", "By/s", "gauge"));
    assertEquals("rate_per_second", PrometheusText.metricName("rate", "1/s", "gauge"));
    assertEquals("jvm_class_count", PrometheusText.metricName("jvm.class.count", "{class}", "gauge"));
    assertEquals("jvm_cpu_count_total", PrometheusText.metricName("jvm.cpu.count", "1", "counter"));
    assertEquals("requests_total", PrometheusText.metricName("requests.total", "{request}", "counter"));
    assertEquals("latency_seconds", PrometheusText.metricName("latency_seconds", "s", "histogram"));
    assertEquals("sent_bytes_total", PrometheusText.metricName("sent_total", "By", "counter"));
    assertEquals("_2xx_count_total", PrometheusText.metricName("2xx.count", "", "counter"));
    assertEquals("a_b_c_milliseconds", PrometheusText.metricName("a..b--c", "ms", "gauge"));
    assertEquals("queue_packets", PrometheusText.metricName("queue", "packets", "gauge"));
    assertEquals("ns:latency_microseconds", PrometheusText.metricName("ns:latency", "us", "gauge"));
    assertEquals("temperature_celsius", PrometheusText.metricName("temperature", "Cel", "gauge"));
    assertEquals("x", PrometheusText.metricName("x", null, "gauge"));
    assertEquals("http_route", PrometheusText.labelName("http.route"));
    assertEquals("key_1st", PrometheusText.labelName("1st"));
    assertEquals("a_b", PrometheusText.labelName("a::b"));
    assertEquals("_", PrometheusText.labelName(""));
    assertEquals("+Inf", PrometheusText.number(Double.POSITIVE_INFINITY));
    assertEquals("-Inf", PrometheusText.number(Double.NEGATIVE_INFINITY));
    assertEquals("NaN", PrometheusText.number(Double.NaN));
    assertEquals("0.005", PrometheusText.number(0.005));
  }

  private int port() {
    String url = endpoint.url();
    return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1, url.indexOf("/metrics")));
  }

  private HttpAnswer request(String raw) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port()), 5_000);
      socket.setSoTimeout(15_000);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      } catch (IOException e) {
        // the endpoint may answer and close before an oversized head is all written: read what it said
      }
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      int read;
      while ((read = in.read(buffer)) >= 0) {
        bytes.write(buffer, 0, read);
      }
      byte[] all = bytes.toByteArray();
      String text = new String(all, StandardCharsets.ISO_8859_1);
      int split = text.indexOf("\r\n\r\n");
      assertTrue(split > 0, "no head in: " + text);
      String headers = text.substring(0, split);
      byte[] body = java.util.Arrays.copyOfRange(all, split + 4, all.length);
      String length = headers.lines().filter(l -> l.startsWith("Content-Length: ")).findFirst().orElseThrow();
      if (!raw.startsWith("HEAD ")) {
        assertEquals(body.length, Integer.parseInt(length.substring("Content-Length: ".length())), headers);
      }
      if (headers.contains("\r\nContent-Encoding: gzip")) {
        body = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body)).readAllBytes();
      }
      return new HttpAnswer(Integer.parseInt(headers.substring(9, 12)), headers, new String(body, StandardCharsets.UTF_8));
    }
  }

  private static final class HttpAnswer {
    final int status;
    final String headers;
    final String body;

    HttpAnswer(int status, String headers, String body) {
      this.status = status;
      this.headers = headers;
      this.body = body;
    }

    @Override
    public String toString() {
      return headers + "\n\n" + body;
    }
  }

  /** A push exporter asking for delta points, counting its exports. */
  private static final class Pushed implements MetricExporter {
    final AtomicInteger exports = new AtomicInteger();

    @Override
    public CompletableResultCode export(Collection<MetricData> metrics) {
      exports.incrementAndGet();
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
      return AggregationTemporality.DELTA;
    }
  }
}
