package io.weft.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.receiver.HistogramPointView;
import io.weft.receiver.OtlpReceiver;
import io.weft.receiver.ReceivedMetric;
import io.weft.receiver.ReceivedSpan;
import io.weft.smoke.app.HelloApp;
import io.weft.smoke.app.servlet.ServletContainers;
import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.Jdk;
import io.weft.smoke.support.PrometheusServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code OTEL_METRICS_EXPORTER=prometheus,otlp} on a real Tomcat in a child JVM: the endpoint's text carries the
 * same HTTP, method and runtime metrics, with the same counts, as the OTLP export of the same JVM, and the resource
 * of its spans as {@code target_info}; a real Prometheus server scrapes it and answers queries over what it
 * stored. A port that is taken is one line at start, and the application and its traces run on.
 */
class PrometheusIT {

  private static final Pattern STARTED = Pattern.compile("metrics=prometheus (http://\\S+/metrics)");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void prometheusScrapesWhatOtlpReceivesFromTheSameJvm(Jdk jdk, @TempDir Path dir) throws Exception {
    PrometheusServer.binary(); // skipped (or failed under CI) before anything starts
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .libs("tomcat11")
            .env("OTEL_METRICS_EXPORTER", "prometheus,otlp")
            .env("OTEL_EXPORTER_PROMETHEUS_HOST", "127.0.0.1")
            .env("OTEL_EXPORTER_PROMETHEUS_PORT", "0")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.app.servlet.Work[compute]")
            .env("WEFT_RUNTIME_TELEMETRY_DELAY", "0")
            .jvmArg("-Xmx256m")
            .start(ServletContainers.class, "tomcat", "io.weft.smoke.app.servlet.jakarta.JakartaApp")) {
      // the SDK's start-up line (it names the endpoint) comes from its own thread: in any order with the container's READY
      String out = app.awaitOutput("READY ").awaitOutput("metrics=prometheus ").output();
      Matcher started = STARTED.matcher(out);
      assertTrue(started.find(), out);
      URI metrics = URI.create(started.group(1));
      int at = out.indexOf("READY ") + 6;
      URI base = URI.create("http://127.0.0.1:" + out.substring(at, out.indexOf('\n', at)).trim());

      for (int i = 0; i < 3; i++) {
        assertEquals(200, get(base.resolve("/app/hello")).statusCode());
      }
      assertEquals(200, get(base.resolve("/app/work")).statusCode());
      assertEquals(500, get(base.resolve("/app/fail")).statusCode());
      ReceivedSpan span = otlp.awaitSpan(s -> "/app/work".equals(s.stringAttr("http.route")));

      HttpResponse<String> scrape = get(metrics);
      assertEquals(200, scrape.statusCode());
      assertEquals("text/plain; version=0.0.4; charset=utf-8", scrape.headers().firstValue("Content-Type").orElse(""));
      Scrape text = Scrape.parse(scrape.body());

      // the resource, as the spans carry it: one process, one service.instance.id
      Map<String, String> target = text.only("target_info");
      assertEquals("smoke-app", target.get("service_name"));
      assertEquals(span.resourceAttr("service.instance.id"), target.get("service_instance_id"));
      assertEquals("1", text.value("target_info", target));

      // the server histogram: the three /app/hello requests and the failed one, with their own labels
      assertEquals("histogram", text.types.get("http_server_request_duration_seconds"));
      Map<String, String> hello = text.labels("http_server_request_duration_seconds_count", "http_route", "/app/hello");
      assertEquals("GET", hello.get("http_request_method"));
      assertEquals("200", hello.get("http_response_status_code"));
      assertEquals("io.weft.servlet", hello.get("otel_scope_name"));
      assertEquals("3", text.value("http_server_request_duration_seconds_count", hello));
      Map<String, String> plusInf = new LinkedHashMap<>(hello);
      plusInf.put("le", "+Inf");
      assertEquals("3", text.value("http_server_request_duration_seconds_bucket", plusInf));
      Map<String, String> failed = text.labels("http_server_request_duration_seconds_count", "http_route", "/app/fail");
      assertEquals("500", failed.get("http_response_status_code"));
      assertEquals("java.lang.IllegalStateException", failed.get("error_type")); // what /app/fail throws

      // the same histogram over OTLP: the same count for the same series
      ReceivedMetric pushed = otlp.awaitMetric(m -> m.name().equals("http.server.request.duration")
          && m.histogramPoints().stream().anyMatch(p -> "/app/hello".equals(p.attr("http.route")) && p.count() == 3));
      HistogramPointView pushedHello = pushed.histogramPoints().stream()
          .filter(p -> "/app/hello".equals(p.attr("http.route"))).findFirst().orElseThrow();
      assertEquals(Double.parseDouble(text.value("http_server_request_duration_seconds_sum", hello)), pushedHello.sum(), 1e-9,
          "the same requests' durations over both exporters");

      // the configured method, and the JVM's own metrics
      assertEquals("1", text.value("weft_method_duration_seconds_count",
          text.labels("weft_method_duration_seconds_count", "code_function_name", "io.weft.smoke.app.servlet.Work.compute")));
      assertEquals("gauge", text.types.get("jvm_memory_used_bytes"));
      assertFalse(text.all("jvm_memory_used_bytes").isEmpty(), scrape.body());
      assertEquals("counter", text.types.get("jvm_class_loaded_total"));
      assertFalse(out.contains("internal error"), out);

      // a real Prometheus server scrapes the endpoint and stores what it says
      try (PrometheusServer prometheus = PrometheusServer.scraping(metrics.getHost() + ":" + metrics.getPort(), "weft", dir)) {
        prometheus.awaitValue("http_server_request_duration_seconds_count{http_route=\"/app/hello\"}", "3", Duration.ofSeconds(30));
        assertEquals("1", prometheus.value("up{job=\"weft\"}"), prometheus.targets());
        assertTrue(prometheus.targets().contains("\"lastError\":\"\""), prometheus.targets());
        assertEquals("smoke-app", labelOf(prometheus.query("target_info"), "service_name"), prometheus.query("target_info"));
        assertNotNull(prometheus.value("sum(jvm_memory_used_bytes{jvm_memory_type=\"heap\"})"), prometheus.query("jvm_memory_used_bytes"));
        // a fourth request is in the next scrape
        assertEquals(200, get(base.resolve("/app/hello")).statusCode());
        prometheus.awaitValue("http_server_request_duration_seconds_count{http_route=\"/app/hello\"}", "4", Duration.ofSeconds(30));
      }
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void aTakenPortIsOneLineAndTheApplicationAndItsTracesRunOn(Jdk jdk) throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_METRICS_EXPORTER", "prometheus")
            .env("OTEL_EXPORTER_PROMETHEUS_HOST", "127.0.0.1")
            .env("OTEL_EXPORTER_PROMETHEUS_PORT", String.valueOf(taken.getLocalPort()))
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.app.HelloApp[greet]")
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      String out = app.output();
      assertTrue(out.contains("hello from app hi weft"), out);
      String line = "[weft] OTEL_EXPORTER_PROMETHEUS_HOST/PORT: the Prometheus endpoint cannot listen on 127.0.0.1:" + taken.getLocalPort();
      assertEquals(1, out.split(Pattern.quote(line), -1).length - 1, out);
      assertTrue(out.contains("metrics=none"), out);
      assertFalse(out.contains("internal error"), out);
      assertEquals("io.weft.smoke.app.HelloApp.greet", otlp.awaitSpan(s -> s.name().endsWith("greet")).stringAttr("code.function.name"));
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void aPortOutOfRangeIsOneLineNamingIt(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_METRICS_EXPORTER", "prometheus")
            .env("OTEL_EXPORTER_PROMETHEUS_HOST", "127.0.0.1")
            .env("OTEL_EXPORTER_PROMETHEUS_PORT", "99999")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.app.HelloApp[greet]")
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      String out = app.output();
      List<String> lines = out.lines().filter(l -> l.contains("OTEL_EXPORTER_PROMETHEUS_PORT") && l.contains("99999")).toList();
      assertEquals(1, lines.size(), out);
      // the default port applies: listening there, or (taken on this machine) the line saying it cannot
      assertTrue(out.contains("metrics=prometheus http://127.0.0.1:9464/metrics")
          || out.contains("cannot listen on 127.0.0.1:9464"), out);
      assertFalse(out.contains("internal error"), out);
      otlp.awaitSpan(s -> s.name().endsWith("greet"));
    }
  }

  private static String labelOf(String json, String label) {
    Matcher matcher = Pattern.compile("\"" + label + "\":\"([^\"]*)\"").matcher(json);
    return matcher.find() ? matcher.group(1) : null;
  }

  private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A scrape's samples and types, read back from the text format. */
  private static final class Scrape {
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    final Map<String, String> types = new LinkedHashMap<>();
    final List<String[]> samples = new ArrayList<>(); // name, labels as text, value
    final List<Map<String, String>> labelSets = new ArrayList<>();

    static Scrape parse(String body) {
      Scrape scrape = new Scrape();
      for (String line : body.split("\n")) {
        if (line.startsWith("# TYPE ")) {
          String[] parts = line.split(" ");
          assertEquals(null, scrape.types.put(parts[2], parts[3]), "one TYPE per family: " + line);
        } else if (!line.startsWith("#") && !line.isEmpty()) {
          Matcher sample = SAMPLE.matcher(line);
          assertTrue(sample.matches(), "not a sample line: " + line);
          Map<String, String> labels = new LinkedHashMap<>();
          if (sample.group(3) != null) {
            Matcher label = LABEL.matcher(sample.group(3));
            int end = 0;
            while (label.find() && label.start() == end) {
              labels.put(label.group(1), label.group(2).replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\"));
              end = label.end();
            }
            assertEquals(sample.group(3).length(), end, "labels not all read: " + line);
          }
          scrape.samples.add(new String[] {sample.group(1), sample.group(3), sample.group(4)});
          scrape.labelSets.add(labels);
        }
      }
      return scrape;
    }

    List<Map<String, String>> all(String name) {
      List<Map<String, String>> found = new ArrayList<>();
      for (int i = 0; i < samples.size(); i++) {
        if (samples.get(i)[0].equals(name)) {
          found.add(labelSets.get(i));
        }
      }
      return found;
    }

    Map<String, String> only(String name) {
      List<Map<String, String>> found = all(name);
      assertEquals(1, found.size(), name + ": " + found);
      return found.get(0);
    }

    /** The one series of {@code name} whose label {@code key} is {@code value}. */
    Map<String, String> labels(String name, String key, String value) {
      List<Map<String, String>> found = new ArrayList<>();
      for (Map<String, String> labels : all(name)) {
        if (value.equals(labels.get(key))) {
          found.add(labels);
        }
      }
      assertEquals(1, found.size(), name + "{" + key + "=" + value + "}: " + all(name));
      return found.get(0);
    }

    String value(String name, Map<String, String> labels) {
      for (int i = 0; i < samples.size(); i++) {
        if (samples.get(i)[0].equals(name) && labelSets.get(i).equals(labels)) {
          return samples.get(i)[2];
        }
      }
      throw new AssertionError("no " + name + labels + " among " + all(name));
    }
  }
}
