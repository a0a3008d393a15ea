package io.weft.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.metrics.v1.Metric;
import io.weft.receiver.HistogramPointView;
import io.weft.receiver.NumberPointView;
import io.weft.receiver.OtlpReceiver;
import io.weft.receiver.ReceivedMetric;
import io.weft.smoke.app.HelloApp;
import io.weft.smoke.app.RuntimeApp;
import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.Jdk;
import io.weft.smoke.support.Jdks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JVM's runtime metrics ({@code jvm.*}) from a real JVM on each JDK, decoded from what the agent sent:
 * a JVM that weaves nothing still reports them once {@code WEFT_RUNTIME_TELEMETRY_DELAY} has passed, with the
 * pools, collectors, threads and processors that JVM reports of itself; the switch turns them off; a JVM that
 * ends before the delay never reads the management beans.
 */
class RuntimeMetricsIT {

  private static final String SCOPE = "io.weft.runtime-telemetry";

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void aJvmThatWeavesNothingReportsItsPoolsCollectorsThreadsClassesAndCpu(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("WEFT_RUNTIME_TELEMETRY_DELAY", "0")
            .start(RuntimeApp.class, "2500")) {
      assertEquals(0, app.awaitExit(), app::describe);
      String out = app.output();
      try {
        assertTrue(out.contains("runtime-telemetry") && !out.contains("internal error") && !out.contains("cannot report"), out);
        Set<String> pools = set(value(out, "pools="));
        Set<String> collectors = set(value(out, "collectors="));
        long collections = Long.parseLong(value(out, "collections="));

        ReceivedMetric used = metric(otlp, "jvm.memory.used");
        assertEquals(SCOPE, used.scopeName());
        assertEquals("smoke-app", used.serviceName());
        assertEquals("By", used.unit());
        assertEquals(Metric.DataCase.SUM, used.type());
        assertFalse(used.isMonotonic());
        Set<String> reportedPools = new HashSet<>();
        for (NumberPointView point : used.sumPoints()) {
          reportedPools.add(point.attr("jvm.memory.type") + "/" + point.attr("jvm.memory.pool.name"));
          assertTrue(point.longValue() >= 0, point.toString());
        }
        assertEquals(pools, reportedPools, "one point per pool the JVM has, typed heap or non_heap");
        for (String name : List.of("jvm.memory.committed", "jvm.memory.limit", "jvm.memory.used_after_last_gc")) {
          ReceivedMetric metric = metric(otlp, name);
          assertEquals("By", metric.unit(), name);
          assertFalse(metric.sumPoints().isEmpty(), name);
          for (NumberPointView point : metric.sumPoints()) {
            assertTrue(pools.contains(point.attr("jvm.memory.type") + "/" + point.attr("jvm.memory.pool.name")), name + " " + point);
          }
        }

        ReceivedMetric gc = metric(otlp, "jvm.gc.duration");
        assertEquals("s", gc.unit());
        long recorded = 0;
        for (HistogramPointView point : gc.histogramPoints()) {
          assertTrue(collectors.contains(String.valueOf(point.attr("jvm.gc.name"))), point + " not among " + collectors);
          assertTrue(String.valueOf(point.attr("jvm.gc.action")).startsWith("end of "), point.toString());
          assertEquals(List.of(0.01, 0.1, 1.0, 10.0), point.explicitBounds());
          assertTrue(point.sum() >= 0 && point.sum() < 60 * point.count(), "seconds: " + point);
          recorded += point.count();
        }
        // every System.gc() of the app after the listeners were in place, at most every collection the JVM made
        assertTrue(recorded >= 10 && recorded <= collections, recorded + " recorded, " + collections + " made");

        ReceivedMetric threads = metric(otlp, "jvm.thread.count");
        assertEquals("{thread}", threads.unit());
        assertTrue(count(threads, true, "waiting") >= 1, "the app's daemon waiting on its lock: " + threads.sumPoints());
        assertTrue(count(threads, false, "timed_waiting") + count(threads, false, "runnable") >= 1,
            "the main thread, sleeping or running: " + threads.sumPoints());

        long loaded = single(metric(otlp, "jvm.class.loaded"));
        long current = single(metric(otlp, "jvm.class.count"));
        assertTrue(metric(otlp, "jvm.class.loaded").isMonotonic());
        assertTrue(current > 500 && loaded >= current, loaded + " loaded, " + current + " now");
        assertTrue(single(metric(otlp, "jvm.class.unloaded")) >= 0);
        assertEquals(Long.parseLong(value(out, "processors=")), single(metric(otlp, "jvm.cpu.count")));
        ReceivedMetric cpu = metric(otlp, "jvm.cpu.time");
        assertEquals("s", cpu.unit());
        assertTrue(cpu.isMonotonic());
        double seconds = cpu.sumPoints().get(0).doubleValue();
        assertTrue(cpu.sumPoints().get(0).isDouble() && seconds > 0.1 && seconds < 600, "CPU seconds: " + seconds);
        ReceivedMetric utilization = metric(otlp, "jvm.cpu.recent_utilization");
        assertEquals(Metric.DataCase.GAUGE, utilization.type());
        double share = utilization.gaugePoints().get(0).doubleValue();
        assertTrue(share >= 0 && share <= 1, "a share of the machine: " + share);
        // the child has exited: every export is in, and none had the metrics still in development in the conventions
        assertEquals(List.of(), jvmMetricNames(otlp).stream().filter(EXPERIMENTAL::contains).toList(),
            "experimental JVM metrics without OTEL_INSTRUMENTATION_RUNTIME_TELEMETRY_EMIT_EXPERIMENTAL_TELEMETRY");
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\n" + app.describe(), e);
      }
    }
  }

  /** The metrics the conventions still mark as in development, which the OpenTelemetry agent's switch adds. */
  private static final List<String> EXPERIMENTAL = List.of("jvm.memory.init", "jvm.buffer.memory.used", "jvm.buffer.memory.limit",
      "jvm.buffer.count", "jvm.system.cpu.utilization", "jvm.system.cpu.load_1m");

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void experimentalTelemetryAddsInitialMemoryBufferPoolsAndTheMachinesCpu(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("WEFT_RUNTIME_TELEMETRY_DELAY", "0")
            .env("OTEL_INSTRUMENTATION_RUNTIME_TELEMETRY_EMIT_EXPERIMENTAL_TELEMETRY", "true")
            .start(RuntimeApp.class, "1500")) {
      assertEquals(0, app.awaitExit(), app::describe);
      String out = app.output();
      try {
        assertTrue(!out.contains("internal error") && !out.contains("cannot report"), out);
        Set<String> pools = set(value(out, "pools="));
        ReceivedMetric init = metric(otlp, "jvm.memory.init");
        assertEquals("By", init.unit());
        assertFalse(init.isMonotonic());
        assertFalse(init.sumPoints().isEmpty());
        for (NumberPointView point : init.sumPoints()) {
          assertTrue(pools.contains(point.attr("jvm.memory.type") + "/" + point.attr("jvm.memory.pool.name")), point.toString());
          assertTrue(point.longValue() >= 0, point.toString());
        }
        long capacity = Long.parseLong(value(out, "direct buffer "));
        Map<String, String> units = Map.of("jvm.buffer.memory.used", "By", "jvm.buffer.memory.limit", "By", "jvm.buffer.count", "{buffer}");
        for (Map.Entry<String, String> name : units.entrySet()) {
          ReceivedMetric buffers = metric(otlp, name.getKey());
          assertEquals(name.getValue(), buffers.unit(), name.getKey());
          assertFalse(buffers.isMonotonic(), name.getKey());
          NumberPointView direct = buffers.sumPoints().stream().filter(p -> "direct".equals(p.attr("jvm.buffer.pool.name")))
              .findFirst().orElseThrow(() -> new AssertionError("no direct pool in " + buffers));
          long least = name.getKey().equals("jvm.buffer.count") ? 1 : capacity;
          assertTrue(direct.longValue() >= least, name.getKey() + ": the app's 1 MiB direct buffer is in " + direct);
        }
        ReceivedMetric load = metric(otlp, "jvm.system.cpu.load_1m");
        assertEquals("{run_queue_item}", load.unit());
        assertEquals(Metric.DataCase.GAUGE, load.type());
        assertTrue(load.gaugePoints().get(0).doubleValue() >= 0, load.toString());
        ReceivedMetric system = metric(otlp, "jvm.system.cpu.utilization");
        assertEquals("1", system.unit());
        double share = system.gaugePoints().get(0).doubleValue();
        assertTrue(share >= 0 && share <= 1, "a share of the machine: " + share);
        // the stable ones are still there
        assertFalse(metric(otlp, "jvm.memory.used").sumPoints().isEmpty());
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\n" + app.describe(), e);
      }
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void theSwitchTurnsThemOffAndTheOtherMetricsStay(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_RUNTIME_TELEMETRY_ENABLED", "false")
            .env("WEFT_RUNTIME_TELEMETRY_DELAY", "0")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.app.RuntimeApp[main]")
            .start(RuntimeApp.class, "1500")) {
      assertEquals(0, app.awaitExit(), app::describe);
      assertEquals("weft.method.duration", otlp.awaitMetric("weft.method.duration").name());
      assertTrue(app.output().contains("runtime-telemetry(off)"), app.describe());
      // the exit's export holds the last collection: nothing of the JVM's in any export
      assertEquals(List.of(), jvmMetricNames(otlp));
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void aJvmThatEndsBeforeTheDelayNeverReadsTheManagementBeans(Jdk jdk, @TempDir Path dir) throws IOException {
    Path classLog = dir.resolve("classes.log");
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.app.HelloApp[greet]")
            .jvmArg("-Xlog:class+load=info:file=" + classLog)
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      assertEquals("weft.method.duration", otlp.awaitMetric("weft.method.duration").name());
      assertEquals(List.of(), jvmMetricNames(otlp));
      List<String> management = Files.readAllLines(classLog).stream()
          .filter(line -> line.contains(" java.lang.management.") || line.contains(" sun.management.")).toList();
      assertEquals(List.of(), management, "the JVM metrics' first reading (50-150 ms of CPU) is not a short JVM's cost");
    }
  }

  /**
   * A runtime image trimmed by {@code jlink} (as container images often are): without {@code jdk.management} the
   * memory, thread and class metrics still arrive and one line names the two that cannot; without
   * {@code java.management} at all one line says there are none. The application runs as it would either way.
   */
  @ParameterizedTest(name = "image with {0}")
  @ValueSource(strings = {"java.management", "no management module"})
  void aTrimmedRuntimeImageReportsWhatItCanAndSaysWhatItCannot(String modulesAdded, @TempDir Path dir) throws Exception {
    boolean management = modulesAdded.equals("java.management");
    Path image = dir.resolve("image");
    String modules = "java.base,java.instrument,java.logging,jdk.unsupported" + (management ? ",java.management" : "");
    Path jlink = Jdks.current().home().resolve("bin").resolve("jlink");
    Process process = new ProcessBuilder(jlink.toString(), "--add-modules", modules, "--output", image.toString())
        .redirectErrorStream(true).start();
    String jlinkOutput = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, process.waitFor(), "jlink: " + jlinkOutput);
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(new Jdk("jlinked", image), otlp)
            .env("WEFT_RUNTIME_TELEMETRY_DELAY", "0")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.app.HelloApp[greet]")
            .start(HelloApp.class, "1500")) {
      assertEquals(7, app.awaitExit(), app::describe);
      List<String> lines = app.output().lines().filter(line -> !line.startsWith("[weft] Weft ")).toList();
      if (!management) {
        assertEquals(1, lines.stream().filter(line -> line.startsWith("[weft] this runtime has no java.management module: no JVM metrics")).count(),
            app.describe());
      } else {
        assertEquals(1, lines.stream().filter(line -> line.startsWith("[weft] this runtime cannot report jvm.cpu.time and jvm.cpu.recent_utilization"
            + " (no jdk.management module); jvm.gc.duration (no jdk.management module); the other JVM metrics are reported")).count(), app.describe());
        ReceivedMetric used = metric(otlp, "jvm.memory.used");
        assertFalse(used.sumPoints().isEmpty(), used.toString());
        assertEquals(Runtime.getRuntime().availableProcessors(), single(metric(otlp, "jvm.cpu.count")));
      }
      assertTrue(lines.contains("hello from app hi weft"), app.describe());
      assertEquals(2, lines.size(), "the application's line and the agent's one: " + lines);
      assertEquals("weft.method.duration", otlp.awaitMetric("weft.method.duration").name());
    }
  }

  /** The names of every {@code jvm.*} metric received so far. */
  private static List<String> jvmMetricNames(OtlpReceiver otlp) {
    return otlp.metrics().stream().filter(metric -> metric.name().startsWith("jvm.")).map(ReceivedMetric::name).distinct().toList();
  }

  private static ReceivedMetric metric(OtlpReceiver otlp, String name) {
    ReceivedMetric metric = otlp.awaitMetric(name);
    assertEquals(SCOPE, metric.scopeName(), name);
    return metric;
  }

  private static long count(ReceivedMetric threads, boolean daemon, String state) {
    return threads.sumPoints().stream()
        .filter(point -> Boolean.valueOf(daemon).equals(point.attr("jvm.thread.daemon")) && state.equals(point.attr("jvm.thread.state")))
        .mapToLong(NumberPointView::longValue).sum();
  }

  private static long single(ReceivedMetric metric) {
    assertEquals(1, metric.sumPoints().size(), metric.toString());
    assertTrue(metric.sumPoints().get(0).attributes().isEmpty(), metric.toString());
    return metric.sumPoints().get(0).longValue();
  }

  private static String value(String output, String prefix) {
    return output.lines().filter(line -> line.startsWith(prefix)).map(line -> line.substring(prefix.length())).findFirst()
        .orElseThrow(() -> new AssertionError("the app printed no " + prefix + " line"));
  }

  private static Set<String> set(String commaSeparated) {
    return new TreeSet<>(Arrays.asList(commaSeparated.split(",")));
  }
}
