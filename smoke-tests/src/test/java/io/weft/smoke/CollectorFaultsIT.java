package io.weft.smoke;

import static io.weft.receiver.SpanMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.receiver.NumberPointView;
import io.weft.receiver.OtlpReceiver;
import io.weft.receiver.ReceivedMetric;
import io.weft.receiver.ReceivedSpan;
import io.weft.smoke.app.SteadyLoadApp;
import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.Jdk;
import io.weft.smoke.support.Jdks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector misbehaves; the application does not notice, and no span that the buffer can hold
 * is lost. Each test runs a real application under steady load with the agent, against a real
 * OTLP receiver that is absent, goes away, refuses or hangs.
 */
class CollectorFaultsIT {

  private static final String SERVICE = "io.weft.smoke.app.SteadyLoadApp$Service[handle,work]";
  private static final Predicate<ReceivedSpan> HANDLE = named("SteadyLoadApp$Service.handle");
  private static final Predicate<ReceivedSpan> WORK = named("SteadyLoadApp$Service.work");
  private static final Pattern LATENCY = Pattern.compile("load done calls=(\\d+) checksum=(\\d+) p50us=(\\d+) p99us=(\\d+)");

  private final Jdk jdk = Jdks.all().findFirst().orElseThrow();

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ChildJvm.Builder app(int port) {
    return ChildJvm.withoutAgent(jdk)
        .jvmArg("-javaagent:" + ChildJvm.agentJar())
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + port)
        .env("OTEL_SERVICE_NAME", "steady")
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .env("OTEL_METRIC_EXPORT_INTERVAL", "500")
        .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", SERVICE)
        // recover quickly in a test; the defaults (1 s, doubling to 30 s) suit production
        .env("WEFT_EXPORT_RETRY_INITIAL_BACKOFF", "100")
        .env("WEFT_EXPORT_RETRY_MAX_BACKOFF", "400");
  }

  /** Every call's two spans arrived exactly once, and within a trace the child before its parent (their end order). */
  private static void assertEverySpanOnceInOrder(OtlpReceiver otlp, int calls, ChildJvm app) {
    otlp.withTimeout(Duration.ofSeconds(60)).awaitSpans(HANDLE, calls);
    List<ReceivedSpan> spans = otlp.spans();
    assertEquals(2L * calls, spans.size(), "every span exactly once\n" + app.describe());
    assertEquals(2L * calls, spans.stream().map(ReceivedSpan::spanId).distinct().count(), "no duplicates");
    Map<String, Integer> workArrival = new HashMap<>();
    for (int i = 0; i < spans.size(); i++) {
      if (WORK.test(spans.get(i))) {
        workArrival.put(spans.get(i).traceId(), i);
      }
    }
    for (int i = 0; i < spans.size(); i++) {
      ReceivedSpan span = spans.get(i);
      if (HANDLE.test(span)) {
        Integer child = workArrival.get(span.traceId());
        assertTrue(child != null && child < i, "the child of trace " + span.traceId() + " arrived before its parent");
      }
    }
  }

  private static long[] latency(ChildJvm app) {
    Matcher m = LATENCY.matcher(app.output());
    assertTrue(m.find(), app.describe());
    return new long[] {Long.parseLong(m.group(3)), Long.parseLong(m.group(4)), Long.parseLong(m.group(2))};
  }

  @Test
  void collectorAbsentAtStartAppearingLaterGetsEverySpanOnceInOrder() {
    int port = freePort();
    try (ChildJvm app = app(port).start(SteadyLoadApp.class, "800", "400")) {
      app.awaitOutput("halfway");
      try (OtlpReceiver otlp = OtlpReceiver.start(port, -1)) {
        assertEquals(0, app.awaitExit(), app::describe);
        assertEverySpanOnceInOrder(otlp, 800, app);
        assertTrue(app.output().contains("[weft] cannot export traces to http://127.0.0.1:" + port + "/v1/traces"), app.describe());
        assertTrue(app.output().contains("[weft] exporting traces to http://127.0.0.1:" + port + "/v1/traces works again"), app.describe());
      }
    }
  }

  @Test
  void collectorGoingAwayMidRunAndComingBackLosesNothing() throws Exception {
    int port = freePort();
    OtlpReceiver first = OtlpReceiver.start(port, -1);
    List<ReceivedSpan> beforeOutage;
    try (ChildJvm app = app(port).start(SteadyLoadApp.class, "1200", "400")) {
      try {
        first.withTimeout(Duration.ofSeconds(30)).awaitSpans(HANDLE, 100);
      } finally {
        first.close();
      }
      beforeOutage = first.spans();
      app.awaitOutput("halfway");
      try (OtlpReceiver second = OtlpReceiver.start(port, -1)) {
        assertEquals(0, app.awaitExit(), app::describe);
        second.withTimeout(Duration.ofSeconds(60)).awaitSpans(HANDLE, 1200 - (int) beforeOutage.stream().filter(HANDLE).count());
        java.util.Set<String> firstIds = beforeOutage.stream().map(ReceivedSpan::spanId).collect(Collectors.toSet());
        List<String> again = second.spans().stream().map(ReceivedSpan::spanId).filter(firstIds::contains).collect(Collectors.toList());
        java.util.Set<String> all = new java.util.HashSet<>(firstIds);
        second.spans().forEach(s -> all.add(s.spanId()));
        assertEquals(2400, all.size(), "all spans across both collector lives\n" + app.describe());
        assertEquals(second.spans().size(), second.spans().stream().map(ReceivedSpan::spanId).distinct().count(),
            "the second collector got nothing twice");
        // the only repeats allowed: the request in flight when the first collector died, stored there but never answered
        assertTrue(again.size() <= 512, "at most one batch sent again (at least once when an answer is lost): " + again.size());
      }
    }
  }

  @Test
  void grpcUnavailableIsRetriedUntilTheCollectorTakesEverything() {
    try (OtlpReceiver otlp = OtlpReceiver.start(-1, 0)) {
      otlp.respondWithStatus(503); // gRPC UNAVAILABLE
      try (ChildJvm app = app(otlp.grpcPort())
          .env("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
          .env("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip")
          .start(SteadyLoadApp.class, "600", "400")) {
        List<io.weft.receiver.ExportAttempt> refused = otlp.withTimeout(Duration.ofSeconds(30)).awaitAttempts(io.weft.receiver.Signal.TRACES, 2);
        assertTrue(refused.stream().allMatch(a -> a.answer().contains("UNAVAILABLE") && !a.stored()), refused.toString());
        otlp.respondWithStatus(0);
        assertEquals(0, app.awaitExit(), app::describe);
        assertEverySpanOnceInOrder(otlp, 600, app);
        assertTrue(app.output().contains("[weft] cannot export traces to http://127.0.0.1:" + otlp.grpcPort() + ": gRPC UNAVAILABLE"),
            app.describe());
      }
    }
  }

  @Test
  void theDiskBufferCarriesSpansAcrossARestartOfTheApplication(@TempDir Path buffer) throws Exception {
    int port = freePort();
    Path dir = buffer.resolve("weft-buffer");
    String firstInstance;
    try (ChildJvm first = app(port)
        .env("WEFT_EXPORT_BUFFER_DIR", dir.toString())
        .env("WEFT_SHUTDOWN_TIMEOUT", "1500")
        .start(SteadyLoadApp.class, "300", "1000")) {
      assertEquals(0, first.awaitExit(), first::describe);
      assertTrue(first.output().matches("(?s).*\\[weft\\] exit: 600 spans could not be delivered to http://127.0.0.1:" + port
          + "/v1/traces \\(the collector is not taking data: ConnectException[^)]*\\); 600 kept in "
          + Pattern.quote(dir.toString()) + " for the next start\n.*"), first.describe());
    }
    try (var files = Files.list(dir)) {
      assertTrue(files.anyMatch(f -> f.getFileName().toString().endsWith(".traces.otlp")), "requests are on disk");
    }
    try (OtlpReceiver otlp = OtlpReceiver.start(port, -1);
        ChildJvm second = app(port)
            .env("WEFT_EXPORT_BUFFER_DIR", dir.toString())
            .start(SteadyLoadApp.class, "10", "1000")) {
      assertEquals(0, second.awaitExit(), second::describe);
      assertTrue(second.output().contains("600 traces items from an earlier run are in " + dir), second.describe());
      List<ReceivedSpan> handles = otlp.withTimeout(Duration.ofSeconds(30)).awaitSpans(HANDLE, 310);
      Map<Object, Long> perInstance = handles.stream()
          .collect(Collectors.groupingBy(s -> s.resourceAttr("service.instance.id"), Collectors.counting()));
      assertEquals(2, perInstance.size(), perInstance.toString());
      assertTrue(perInstance.containsValue(300L) && perInstance.containsValue(10L), "each run's spans under its own identity: " + perInstance);
      assertEquals(620, otlp.spans().size(), "exactly once");
      assertEquals(620, otlp.spans().stream().map(ReceivedSpan::spanId).distinct().count());
    }
    try (var files = Files.list(dir)) {
      assertEquals(List.of("weft.lock"), files.map(f -> f.getFileName().toString()).collect(Collectors.toList()), "delivered files are removed");
    }
  }

  @Test
  void whatTheBuffersCannotHoldIsDroppedAndCountedToTheSpan() {
    try (OtlpReceiver otlp = OtlpReceiver.absent()) {
      try (ChildJvm app = app(otlp.httpPort())
          .env("OTEL_BSP_MAX_QUEUE_SIZE", "256")
          .env("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "128")
          .env("WEFT_EXPORT_BUFFER_MEMORY_SIZE", "48KB")
          .start(SteadyLoadApp.class, "3000", "1000")) {
        app.awaitOutput("halfway");
        otlp.restart();
        assertEquals(0, app.awaitExit(), app::describe);
        assertTrue(app.output().contains("load done calls=3000"), app.describe());
        ReceivedMetric exported = otlp.withTimeout(Duration.ofSeconds(30)).awaitMetric(m -> m.name().equals("otel.sdk.exporter.span.exported")
            && m.sumPoints().stream().anyMatch(p -> p.attr("error.type") == null && p.longValue() == otlp.spans().size()));
        long delivered = otlp.spans().size();
        long bufferFull = exported.sumPoints().stream().filter(p -> "buffer_full".equals(p.attr("error.type")))
            .mapToLong(NumberPointView::longValue).sum();
        ReceivedMetric processed = otlp.awaitMetric("otel.sdk.processor.span.processed");
        long queueFull = processed.sumPoints().stream().filter(p -> "queue_full".equals(p.attr("error.type")))
            .mapToLong(NumberPointView::longValue).sum();
        assertTrue(delivered > 0 && delivered < 6000,
            "a 48 KB buffer cannot hold the outage, and what it held is sent once the collector is back: " + delivered
                + " delivered\n" + app.describe());
        // with the buffer full nothing more is encoded: a few batches of 128 at most are encoded in vain (the batch thread's
        // last before the buffer filled, one a producer helping it encoded at the same moment, each having seen room for
        // one, and at exit what the 256-span queue still held if the buffer had no room yet); encoding on would be thousands
        assertTrue(queueFull > 0 && bufferFull <= 4 * 128, "the queue refuses what it cannot hold: buffer_full " + bufferFull
            + ", queue_full " + queueFull);
        assertEquals(6000, delivered + bufferFull + queueFull,
            "every span is delivered or counted as dropped: delivered " + delivered + ", buffer_full " + bufferFull + ", queue_full " + queueFull);
        assertEquals(delivered, otlp.spans().stream().map(ReceivedSpan::spanId).distinct().count(), "none twice");
        // the exit line says why the queue refused spans: here because the export buffer was full
        Matcher why = Pattern.compile("queue_full=(\\d+) \\((\\d+) while the batch thread ran and could not keep up, (\\d+) "
            + "while the export buffer was full, (\\d+) while the batch thread could not run\\)").matcher(app.output());
        assertTrue(why.find(), "the exit line breaks queue_full down\n" + app.describe());
        assertEquals(queueFull, Long.parseLong(why.group(1)), "the exit line's count is the metric's");
        assertTrue(Long.parseLong(why.group(3)) > Long.parseLong(why.group(2)) + Long.parseLong(why.group(4)),
            "with the collector away most refusals came while the buffer was full: " + why.group());
      }
    }
  }

  @Test
  void aHangingCollectorDelaysExitOnlyByTheShutdownTimeout() throws Exception {
    List<Socket> held = new CopyOnWriteArrayList<>();
    try (ServerSocket hanging = new ServerSocket(0)) {
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            held.add(hanging.accept()); // reads nothing, answers nothing
          }
        } catch (IOException closed) {
          // test over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      long start = System.nanoTime();
      try (ChildJvm app = app(hanging.getLocalPort())
          .env("OTEL_BSP_SCHEDULE_DELAY", "5000")
          .env("WEFT_SHUTDOWN_TIMEOUT", "2000")
          .start(SteadyLoadApp.class, "200", "2000")) {
        assertEquals(0, app.awaitExit(Duration.ofSeconds(30)), app::describe);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(app.output().contains("load done calls=200"), app.describe());
        assertTrue(app.output().matches("(?s).*\\[weft\\] exit: 400 spans could not be delivered to "
            + "http://127.0.0.1:\\d+/v1/traces before WEFT_SHUTDOWN_TIMEOUT ran out; 400 dropped\n.*"), app.describe());
        // start-up + 0.1 s of load + at most the 2 s flush: generous for a loaded 2-core machine, far below "hangs"
        assertTrue(millis < 15_000, "the JVM exits in bounded time: " + millis + " ms\n" + app.describe());
      }
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
  }

  /**
   * OTEL_METRIC_EXPORT_TIMEOUT caps a metric export below the OTLP request timeout: a collector slower than the
   * first but quicker than the second times the metric exports out and still takes every span.
   */
  @Test
  void aMetricExportGivesUpAfterTheMetricExportTimeout() {
    try (OtlpReceiver otlp = OtlpReceiver.start(0, -1)) {
      otlp.respondSlowly(Duration.ofMillis(1500));
      try (ChildJvm app = app(otlp.httpPort())
          .env("OTEL_EXPORTER_OTLP_TIMEOUT", "20000")
          .env("OTEL_METRIC_EXPORT_TIMEOUT", "300")
          .start(SteadyLoadApp.class, "100000", "200")) {
        app.awaitOutput("[weft] cannot export metrics");
        assertTrue(app.output().matches("(?s).*\\[weft\\] cannot export metrics to http://127\\.0\\.0\\.1:\\d+/v1/metrics: no answer within 300 ms;[^\n]*\n.*"),
            app.describe());
        otlp.withTimeout(Duration.ofSeconds(30)).awaitSpans(HANDLE, 20);
        assertFalse(app.output().contains("cannot export traces"), "spans have 20 s to be answered\n" + app.describe());
        app.terminate();
      }
    }
  }

  @Test
  void aRejectingCollectorCostsTheSpansItRefusesAndSaysSoInTheAgentsMetrics() {
    try (OtlpReceiver otlp = OtlpReceiver.start(0, -1)) {
      otlp.respondWithStatus(400);
      try (ChildJvm app = app(otlp.httpPort()).start(SteadyLoadApp.class, "100000", "200")) {
        app.awaitOutput("[weft] cannot export traces");
        assertTrue(app.output().contains("HTTP 400"), app.describe());
        // metrics are refused too while the status holds; let them through and read the agent's own account
        otlp.respondWithStatus(0);
        ReceivedMetric exported = otlp.withTimeout(Duration.ofSeconds(30)).awaitMetric(m -> m.name().equals("otel.sdk.exporter.span.exported")
            && m.sumPoints().stream().anyMatch(p -> "400".equals(p.attr("error.type")) && p.longValue() > 0));
        NumberPointView refused = exported.sumPoints().stream().filter(p -> "400".equals(p.attr("error.type"))).findFirst().orElseThrow();
        assertEquals("otlp_http_span_exporter", refused.attr("otel.component.type"));
        assertEquals("io.weft.agent", exported.scopeName());
        ReceivedMetric queue = otlp.awaitMetric("otel.sdk.processor.span.queue.capacity");
        assertEquals(2048L, queue.sumPoints().get(0).longValue());
        // each attempt's duration carries its own outcome: refused ones theirs, delivered ones no error type
        ReceivedMetric duration = otlp.awaitMetric(m -> m.name().equals("otel.sdk.exporter.operation.duration")
            && m.histogramPoints().stream().anyMatch(p -> Long.valueOf(400).equals(p.attr("http.response.status_code"))
                && "400".equals(p.attr("error.type")) && "otlp_http_span_exporter".equals(p.attr("otel.component.type")))
            && m.histogramPoints().stream().anyMatch(p -> Long.valueOf(200).equals(p.attr("http.response.status_code"))
                && p.attr("error.type") == null && "otlp_http_span_exporter".equals(p.attr("otel.component.type"))));
        assertEquals("s", duration.unit());
        // seconds, so seconds' buckets (the SDK's default ones are for milliseconds: all of these in one bucket)
        assertEquals(List.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0),
            duration.histogramPoints().get(0).explicitBounds());
        app.terminate();
      }
    }
  }

  @Test
  void theApplicationsLatencyIsTheSameWhetherTheCollectorIsHealthyAbsentOrRefusing() {
    long[] healthy;
    try (OtlpReceiver otlp = OtlpReceiver.start(0, -1);
        ChildJvm app = app(otlp.httpPort()).start(SteadyLoadApp.class, "1500", "500")) {
      assertEquals(0, app.awaitExit(), app::describe);
      healthy = latency(app);
    }
    long[] absent;
    try (ChildJvm app = app(freePort()).env("WEFT_SHUTDOWN_TIMEOUT", "500").start(SteadyLoadApp.class, "1500", "500")) {
      assertEquals(0, app.awaitExit(), app::describe);
      absent = latency(app);
    }
    long[] unavailable;
    try (OtlpReceiver otlp = OtlpReceiver.start(0, -1)) {
      otlp.respondWithStatus(503);
      try (ChildJvm app = app(otlp.httpPort()).env("WEFT_SHUTDOWN_TIMEOUT", "500").start(SteadyLoadApp.class, "1500", "500")) {
        assertEquals(0, app.awaitExit(), app::describe);
        unavailable = latency(app);
      }
    }
    assertEquals(healthy[2], absent[2], "same results");
    assertEquals(healthy[2], unavailable[2], "same results");
    // generous: a shared 2-core machine is noisy; a blocking exporter would be off by milliseconds, not microseconds
    for (long[] faulty : new long[][] {absent, unavailable}) {
      assertTrue(faulty[0] <= healthy[0] * 2 + 200, "p50 " + faulty[0] + " us vs healthy " + healthy[0] + " us");
      assertTrue(faulty[1] <= healthy[1] * 3 + 2000, "p99 " + faulty[1] + " us vs healthy " + healthy[1] + " us");
    }
  }
}
