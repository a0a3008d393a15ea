package io.weft.instrumentation.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The JVM metrics on the SDK's meter provider, read from this test's own JVM: names, units, types and
 * attributes as the conventions give them, and values the JVM confirms.
 */
class JvmMetricsTest {

  @Test
  void everyInstrumentReportsThisJvmUnderTheConventionsNamesUnitsAndAttributes() {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    try (SdkMeterProvider provider = SdkMeterProvider.builder().registerMetricReader(reader).build()) {
      assertEquals(List.of(), JvmMetrics.register(provider.get(RuntimeTelemetryInstrumentation.SCOPE)), "a full JDK lacks nothing");
      Collection<MetricData> metrics = reader.collectAllMetrics();

      Set<String> names = new TreeSet<>();
      metrics.forEach(metric -> names.add(metric.getName()));
      // jvm.gc.duration has no point before a collection (next test)
      assertEquals(new TreeSet<>(List.of("jvm.class.count", "jvm.class.loaded", "jvm.class.unloaded", "jvm.cpu.count", "jvm.cpu.recent_utilization",
          "jvm.cpu.time", "jvm.memory.committed", "jvm.memory.limit", "jvm.memory.used", "jvm.memory.used_after_last_gc", "jvm.thread.count")),
          names);
      for (MetricData metric : metrics) {
        assertEquals(RuntimeTelemetryInstrumentation.SCOPE, metric.getInstrumentationScopeInfo().getName());
        assertFalse(metric.getDescription().isEmpty(), metric.getName());
      }

      // memory: one point per pool of this JVM, typed heap or non_heap, in bytes, non-monotonic
      MetricData used = find(metrics, "jvm.memory.used");
      assertEquals("By", used.getUnit());
      assertEquals(MetricDataType.LONG_SUM, used.getType());
      assertFalse(used.getLongSumData().isMonotonic());
      Set<String> expectedPools = new HashSet<>();
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        expectedPools.add((pool.getType() == MemoryType.HEAP ? "heap" : "non_heap") + "/" + pool.getName());
      }
      Set<String> reportedPools = new HashSet<>();
      for (LongPointData point : used.getLongSumData().getPoints()) {
        reportedPools.add(point.getAttributes().get(JvmMetrics.MEMORY_TYPE) + "/" + point.getAttributes().get(JvmMetrics.MEMORY_POOL));
        assertEquals(2, point.getAttributes().size(), point.getAttributes().toString());
        assertTrue(point.getValue() >= 0);
      }
      assertEquals(expectedPools, reportedPools);
      assertTrue(reportedPools.stream().anyMatch(pool -> pool.startsWith("heap/")) && reportedPools.stream().anyMatch(pool -> pool.startsWith("non_heap/")),
          reportedPools.toString());
      long heapUsed = used.getLongSumData().getPoints().stream()
          .filter(point -> "heap".equals(point.getAttributes().get(JvmMetrics.MEMORY_TYPE))).mapToLong(LongPointData::getValue).sum();
      assertTrue(heapUsed > 0 && heapUsed <= Runtime.getRuntime().totalMemory(), heapUsed + " of " + Runtime.getRuntime().totalMemory());
      // used after the last collection: only pools a collector manages, all of them heap here
      for (LongPointData point : find(metrics, "jvm.memory.used_after_last_gc").getLongSumData().getPoints()) {
        assertEquals("heap", point.getAttributes().get(JvmMetrics.MEMORY_TYPE), point.getAttributes().toString());
      }

      // threads: this one among them (not a daemon, runnable), and the counts add up to the JVM's
      MetricData threads = find(metrics, "jvm.thread.count");
      assertEquals("{thread}", threads.getUnit());
      long total = 0;
      boolean runnable = false;
      for (LongPointData point : threads.getLongSumData().getPoints()) {
        total += point.getValue();
        assertNotNull(point.getAttributes().get(JvmMetrics.THREAD_DAEMON));
        String state = point.getAttributes().get(JvmMetrics.THREAD_STATE);
        assertTrue(Set.of("new", "runnable", "blocked", "waiting", "timed_waiting", "terminated").contains(state), state);
        runnable |= "runnable".equals(state) && !point.getAttributes().get(JvmMetrics.THREAD_DAEMON);
      }
      assertTrue(runnable, threads.toString());
      long live = ManagementFactory.getThreadMXBean().getThreadCount();
      assertTrue(Math.abs(total - live) <= 2, total + " counted, " + live + " live"); // threads may come and go in between

      // classes and CPU
      MetricData loaded = find(metrics, "jvm.class.loaded");
      assertTrue(loaded.getLongSumData().isMonotonic());
      long loadedValue = single(loaded);
      long count = single(find(metrics, "jvm.class.count"));
      assertTrue(count > 1000 && loadedValue >= count, loadedValue + " loaded, " + count + " loaded now");
      assertEquals(Runtime.getRuntime().availableProcessors(), single(find(metrics, "jvm.cpu.count")));
      MetricData cpuTime = find(metrics, "jvm.cpu.time");
      assertEquals("s", cpuTime.getUnit());
      assertEquals(MetricDataType.DOUBLE_SUM, cpuTime.getType());
      double seconds = cpuTime.getDoubleSumData().getPoints().iterator().next().getValue();
      assertTrue(seconds > 0 && seconds < 3600, String.valueOf(seconds));
      MetricData utilization = find(metrics, "jvm.cpu.recent_utilization");
      assertEquals("1", utilization.getUnit());
      assertEquals(MetricDataType.DOUBLE_GAUGE, utilization.getType());
    }
  }

  @Test
  void aCollectionIsRecordedAsItEndsWithTheCollectorsNameAndAction() throws Exception {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    try (SdkMeterProvider provider = SdkMeterProvider.builder().registerMetricReader(reader).build()) {
      JvmMetrics.register(provider.get(RuntimeTelemetryInstrumentation.SCOPE));
      System.gc();
      // the notification comes on the JVM's own thread, after the collection: poll with a deadline
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      List<HistogramPointData> points = new ArrayList<>();
      while (points.isEmpty() && System.nanoTime() < deadline) {
        for (MetricData metric : reader.collectAllMetrics()) {
          if (metric.getName().equals("jvm.gc.duration")) {
            points.addAll(metric.getHistogramData().getPoints());
          }
        }
        if (points.isEmpty()) {
          Thread.sleep(20);
        }
      }
      assertFalse(points.isEmpty(), "no jvm.gc.duration point within 10 s of System.gc()");
      long collections = 0;
      for (HistogramPointData point : points) {
        assertEquals(JvmMetrics.GC_BUCKETS, point.getBoundaries());
        assertEquals(2, point.getAttributes().size(), point.getAttributes().toString());
        String name = point.getAttributes().get(JvmMetrics.GC_NAME);
        String action = point.getAttributes().get(JvmMetrics.GC_ACTION);
        assertTrue(name != null && !name.isEmpty() && action != null && action.startsWith("end of "), point.getAttributes().toString());
        assertTrue(point.getSum() >= 0 && point.getMax() < 60, "seconds, not milliseconds: " + point.getMax());
        collections += point.getCount();
      }
      assertTrue(collections >= 1, points.toString());
    }
  }

  @Test
  void aCollectorsAttributeSetIsMadeOnceAndFailuresInTheListenerStayThere() {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    try (SdkMeterProvider provider = SdkMeterProvider.builder().registerMetricReader(reader).build()) {
      JvmMetrics.GcPauses pauses = pausesFor(provider);
      Attributes first = pauses.attributes("G1 Young Generation", "end of minor GC");
      assertSame(first, pauses.attributes("G1 Young Generation", "end of minor GC"));
      assertEquals("end of major GC", pauses.attributes("G1 Young Generation", "end of major GC").get(JvmMetrics.GC_ACTION));
      // a notification of another type, or one without the expected data, is ignored: never thrown at the JVM's thread
      pauses.handleNotification(new javax.management.Notification("something.else", "source", 1), null);
      pauses.handleNotification(new javax.management.Notification(
          com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION, "source", 2), null);
    }
  }

  private static JvmMetrics.GcPauses pausesFor(SdkMeterProvider provider) {
    return new JvmMetrics.GcPauses(provider.get("test").histogramBuilder("h").build());
  }

  private static MetricData find(Collection<MetricData> metrics, String name) {
    return metrics.stream().filter(metric -> metric.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in " + metrics));
  }

  private static long single(MetricData metric) {
    Collection<LongPointData> points = metric.getLongSumData().getPoints();
    assertEquals(1, points.size(), metric.toString());
    assertEquals(Attributes.empty(), points.iterator().next().getAttributes());
    return points.iterator().next().getValue();
  }
}
