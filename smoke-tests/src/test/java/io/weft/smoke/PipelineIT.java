package io.weft.smoke;

import static io.weft.receiver.SpanMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.receiver.OtlpReceiver;
import io.weft.receiver.ReceivedSpan;
import io.weft.receiver.Signal;
import io.weft.receiver.Transport;
import io.weft.receiver.NumberPointView;
import io.weft.receiver.ReceivedMetric;
import io.weft.smoke.app.BatchJobApp;
import io.weft.smoke.app.SteadyLoadApp;
import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.Jdk;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The export pipeline end to end: flush at every kind of exit, both protocols, sampling, identity, a missing collector. */
class PipelineIT {

  private static final String JOB = "io.weft.smoke.app.BatchJobApp$Job[step]";

  static List<Object[]> jdksAndExits() {
    List<Object[]> cases = new ArrayList<>();
    io.weft.smoke.support.Jdks.all().forEach(jdk -> {
      cases.add(new Object[] {jdk, "return"});
      cases.add(new Object[] {jdk, "exit:3"});
      cases.add(new Object[] {jdk, "sigterm"});
    });
    return cases;
  }

  @ParameterizedTest(name = "JDK {0}, {1}")
  @MethodSource("jdksAndExits")
  void aThousandCallsThenExitDeliverAThousandSpans(Jdk jdk, String exit) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            // the default 5 s delay: the spans can only arrive through the flush at exit
            .env("OTEL_BSP_SCHEDULE_DELAY", "5000")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", JOB)
            .start(BatchJobApp.class, "1000", exit.equals("sigterm") ? "wait" : exit)) {
      if (exit.equals("sigterm")) {
        app.awaitOutput("waiting for SIGTERM");
        app.terminate();
        assertEquals(143, app.awaitExit(), app::describe);
      } else {
        assertEquals(exit.equals("return") ? 0 : 3, app.awaitExit(), "the exit code is the application's own\n" + app.describe());
      }
      List<ReceivedSpan> steps = otlp.spans().stream().filter(named("BatchJobApp$Job.step")).collect(Collectors.toList());
      assertEquals(1000, steps.size(), "every span is flushed before the JVM is gone\n" + app.describe());
      assertEquals(1000, steps.stream().map(ReceivedSpan::spanId).distinct().count());
      assertTrue(app.output().contains("batch done 1000"), app.describe());
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void grpcDeliversSpansAndMetricsWithHeaders(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.grpcEndpoint())
            .env("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=s3cr3t-value,x-tenant=acme")
            // the metrics' own headers replace the general ones for them, as the OpenTelemetry SDK's do
            .env("OTEL_EXPORTER_OTLP_METRICS_HEADERS", "x-metrics-key=m-value")
            .env("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", JOB)
            .start(BatchJobApp.class, "10")) {
      assertEquals(0, app.awaitExit(), app::describe);
      assertEquals(10, otlp.awaitSpans(named("BatchJobApp$Job.step"), 10).size());
      otlp.awaitMetric("weft.method.duration");
      assertTrue(otlp.exportRequests(Signal.TRACES, Transport.GRPC) > 0);
      assertEquals(0, otlp.exportRequests(Signal.TRACES, Transport.HTTP));
      List<Map<String, String>> headers = otlp.requestHeaders();
      assertTrue(headers.stream().anyMatch(h -> "s3cr3t-value".equals(h.get("x-api-key")) && "acme".equals(h.get("x-tenant"))
          && !h.containsKey("x-metrics-key")), headers.toString());
      assertTrue(headers.stream().anyMatch(h -> "m-value".equals(h.get("x-metrics-key"))), headers.toString());
      assertTrue(headers.stream().noneMatch(h -> h.containsKey("x-metrics-key") && (h.containsKey("x-api-key") || h.containsKey("x-tenant"))),
          "the general headers never go with the metrics: " + headers);
      assertTrue(app.output().contains("grpc " + otlp.grpcEndpoint()), app.describe());
      assertTrue(!app.output().contains("s3cr3t-value"), "header values are never printed\n" + app.describe());
    }
  }

  /**
   * gRPC without compression: a full batch (512 spans, more than half of the encoder's 64 KiB buffer) goes out as
   * the head of the encoder's own buffer, framed with its length, and the buffer is reused for later batches.
   */
  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void grpcDeliversFullBatchesWhole(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.grpcEndpoint())
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", JOB)
            // room for every span: the loop ends them faster than any exporter sends them
            .env("OTEL_BSP_MAX_QUEUE_SIZE", "4096")
            .start(BatchJobApp.class, "3000")) {
      assertEquals(0, app.awaitExit(), app::describe);
      List<ReceivedSpan> steps;
      try {
        steps = otlp.awaitSpans(named("BatchJobApp$Job.step"), 3000);
      } catch (AssertionError missing) {
        throw new AssertionError(missing.getMessage().substring(0, 200) + "\n" + app.describe(), missing);
      }
      assertEquals(3000, steps.size(), app.describe());
      assertEquals(3000, steps.stream().map(ReceivedSpan::spanId).distinct().count(), "each once, none mangled");
      assertTrue(otlp.exportRequests(Signal.TRACES, Transport.GRPC) >= 6, "in full batches of 512: "
          + otlp.exportRequests(Signal.TRACES, Transport.GRPC));
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void samplerOffMeansNoSpansButMetrics(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_TRACES_SAMPLER", "always_off")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", JOB)
            .start(BatchJobApp.class, "50")) {
      assertEquals(0, app.awaitExit(), app::describe);
      // metrics are flushed at exit after the spans would have been: their arrival proves the spans had their chance
      assertEquals(50, otlp.awaitMetric("weft.method.duration").histogramPoints().get(0).count());
      assertEquals(0, otlp.spans().size(), "always_off records no span: " + otlp.spans());
    }
  }

  static List<Object[]> jdksAndMetricSwitches() {
    List<Object[]> cases = new ArrayList<>();
    io.weft.smoke.support.Jdks.all().forEach(jdk -> {
      cases.add(new Object[] {jdk, "WEFT_METHODS_METRIC_ENABLED", "false"});
      cases.add(new Object[] {jdk, "OTEL_METRICS_EXPORTER", "none"});
    });
    return cases;
  }

  /**
   * Without the method metric, woven code reads no clock and a call that is not sampled records nothing:
   * the sampled half still gets spans with real start times and durations (the clock read when the span is
   * made), and no weft.method.duration is sent.
   */
  @ParameterizedTest(name = "JDK {0}, {1}={2}")
  @MethodSource("jdksAndMetricSwitches")
  void withoutTheMethodMetricSampledCallsStillHaveTheirTimes(Jdk jdk, String switchName, String value) {
    long before = System.currentTimeMillis() * 1_000_000L;
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_TRACES_SAMPLER", "traceidratio")
            .env("OTEL_TRACES_SAMPLER_ARG", "0.5")
            .env(switchName, value)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", JOB)
            .start(BatchJobApp.class, "200")) {
      assertEquals(0, app.awaitExit(), app::describe);
      assertTrue(app.output().contains("batch done 200 sum=594"), app.describe());
      assertTrue(!app.output().contains("is not a Weft setting"), "the switch is a known setting\n" + app.describe());
      long after = System.currentTimeMillis() * 1_000_000L;
      if (switchName.startsWith("WEFT_")) {
        // the other metrics still go, after the spans: their arrival says the exit flush is done
        otlp.awaitMetric("otel.sdk.processor.span.processed");
      }
      // the child has exited and flushed: what is here is all there is
      List<ReceivedSpan> steps = otlp.spans().stream().filter(named("BatchJobApp$Job.step")).collect(Collectors.toList());
      assertTrue(steps.size() > 40 && steps.size() < 160, "about half of 200 calls sampled: " + steps.size());
      for (ReceivedSpan step : steps) {
        assertTrue(step.startEpochNanos() >= before && step.endEpochNanos() <= after,
            "a span's times are within the run [" + before + ", " + after + "]: " + step);
        assertTrue(step.durationNanos() >= 0 && step.durationNanos() < 1_000_000_000L, step.toString());
      }
      assertTrue(otlp.metrics().stream().noneMatch(m -> m.name().equals("weft.method.duration")),
          "no method metric: " + otlp.metrics());
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void processesStartedTogetherHaveDistinctInstanceIds(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start()) {
      List<ChildJvm> apps = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          apps.add(ChildJvm.withAgent(jdk, otlp).env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", JOB).start(BatchJobApp.class, "1"));
        }
        for (ChildJvm app : apps) {
          assertEquals(0, app.awaitExit(), app::describe);
        }
      } finally {
        apps.forEach(ChildJvm::close);
      }
      List<ReceivedSpan> spans = otlp.awaitSpans(named("BatchJobApp$Job.step"), 3);
      Set<Object> ids = new HashSet<>();
      Set<Object> pids = new HashSet<>();
      for (ReceivedSpan span : spans) {
        ids.add(span.resourceAttr("service.instance.id"));
        pids.add(span.resourceAttr("process.pid"));
        assertEquals("smoke-app", span.serviceName());
      }
      assertEquals(3, ids.size(), "one service.instance.id per process: " + ids);
      assertEquals(3, pids.size());
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void instanceIdCanBeSetByTheUser(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_RESOURCE_ATTRIBUTES", "service.instance.id=pod-7,deployment.environment.name=test,service.name=ignored")
            .env("OTEL_SERVICE_NAME", "from-service-name")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", JOB)
            .start(BatchJobApp.class, "1")) {
      assertEquals(0, app.awaitExit(), app::describe);
      ReceivedSpan span = otlp.awaitSpan(named("BatchJobApp$Job.step"));
      assertEquals("pod-7", span.resourceAttr("service.instance.id"));
      assertEquals("test", span.resourceAttr("deployment.environment.name"));
      assertEquals("from-service-name", span.serviceName(), "OTEL_SERVICE_NAME wins over the resource attribute");
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void aMissingCollectorCostsTheApplicationNothing(Jdk jdk) throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (OtlpReceiver unused = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, unused)
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + closedPort)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", JOB)
            .env("WEFT_SHUTDOWN_TIMEOUT", "3000")
            .start(BatchJobApp.class, "100", "exit:5")) {
      long started = System.nanoTime();
      assertEquals(5, app.awaitExit(Duration.ofSeconds(30)), app::describe);
      assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 20, "exit is bounded by WEFT_SHUTDOWN_TIMEOUT");
      String out = app.output();
      assertTrue(out.contains("batch done 100"), out);
      // retries may still be running when the bounded exit flush gives up: one line per signal at most, never one per batch
      assertTrue(out.lines().filter(l -> l.startsWith("[weft] cannot export traces")).count() <= 1, out);
      assertTrue(out.lines().filter(l -> l.startsWith("[weft] cannot export metrics")).count() <= 1, out);
      assertTrue(out.lines().anyMatch(l -> l.startsWith("[weft] cannot export") || l.startsWith("[weft] gave up flushing")),
          "the user is told telemetry did not get through\n" + out);
      assertTrue(out.lines().noneMatch(l -> l.contains("Exception") && !l.startsWith("[weft]")), "no stack trace\n" + out);
    }
  }

  static List<Object[]> jdksAndHelp() {
    List<Object[]> cases = new ArrayList<>();
    io.weft.smoke.support.Jdks.all().forEach(jdk -> {
      cases.add(new Object[] {jdk, true});
      cases.add(new Object[] {jdk, false});
    });
    return cases;
  }

  /**
   * A batch thread kept off the CPU (the test-only stall: 200 ms before each look at its queue) behind a queue of
   * 64 spans, which this load (2,000 spans/s) fills in 32 ms. By default the application thread that finds the
   * queue full encodes a batch in the batch thread's place: every span arrives, once, and those batches are
   * counted. With WEFT_BSP_HELP_WHEN_STARVED=false the full queue drops most spans, and counts them.
   */
  @ParameterizedTest(name = "JDK {0}, help {1}")
  @MethodSource("jdksAndHelp")
  void aBatchThreadKeptOffTheCpuLosesNoSpansWhenTheApplicationThreadsHelp(Jdk jdk, boolean help) {
    int calls = 1500;
    int spans = 2 * calls;
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .property("weft.test.fault", "stall")
            .env("OTEL_BSP_MAX_QUEUE_SIZE", "64")
            .env("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "16")
            .env("WEFT_BSP_HELP_WHEN_STARVED", String.valueOf(help))
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.app.SteadyLoadApp$Service[handle,work]")
            .start(SteadyLoadApp.class, String.valueOf(calls), "1000")) {
      assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), app::describe);
      assertTrue(app.output().contains("load done calls=" + calls), app.describe());
      assertTrue(!app.output().contains("is not a Weft setting") && !app.output().contains("internal error"), app.describe());
      // the exit's last collection counts every span; it is sent after the spans
      ReceivedMetric processed = otlp.withTimeout(Duration.ofSeconds(30)).awaitMetric(m -> m.name().equals("otel.sdk.processor.span.processed")
          && m.sumPoints().stream().mapToLong(NumberPointView::longValue).sum() == spans);
      long queueFull = processed.sumPoints().stream().filter(p -> "queue_full".equals(p.attr("error.type")))
          .mapToLong(NumberPointView::longValue).sum();
      // a cumulative counter, sent in the same request as the count above: its largest value is the last
      long batches = otlp.metrics().stream().filter(m -> m.name().equals("weft.processor.span.producer_batches"))
          .flatMap(m -> m.sumPoints().stream()).mapToLong(NumberPointView::longValue).max()
          .orElseThrow(() -> new AssertionError("weft.processor.span.producer_batches is reported\n" + otlp.metrics()));
      long delivered = otlp.spans().size();
      assertEquals(delivered, otlp.spans().stream().map(ReceivedSpan::spanId).distinct().count(), "none twice");
      assertEquals(spans, delivered + queueFull, "every span is delivered or counted as dropped: " + delivered + " + " + queueFull);
      if (help) {
        // a span is still dropped if it finds the queue full in the microseconds the batch thread takes a batch
        assertTrue(queueFull <= 16, "the application threads kept up: " + queueFull + " dropped\n" + app.describe());
        assertTrue(batches >= (spans - 200) / 16 / 2, "most batches were encoded by the application thread: " + batches);
      } else {
        assertTrue(queueFull > spans / 2, "without help the full queue drops most spans: " + queueFull + " dropped");
        assertEquals(0, batches);
      }
    }
  }
}
