package io.weft.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.DoubleExemplarData;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramPointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.DefaultAggregationSelector;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.weft.instrumentation.trace.TelemetryResource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Weft's meter provider against the SDK's, the reference: the same recordings through the same API
 * must give the same points (attributes, counts, sums, min/max, buckets, exemplars; not timestamps)
 * for each temporality preference, collection after collection.
 */
class LeanMeterProviderTest {

  private static final Resource RESOURCE = Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "lean-test"));
  private static final TelemetryResource LEAN_RESOURCE = new TelemetryResource(RESOURCE.getAttributes());
  private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  private static final Attributes A = Attributes.of(ROUTE, "/a");
  private static final Attributes B = Attributes.of(ROUTE, "/b");

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"cumulative", "delta", "lowmemory"})
  void everyInstrumentGivesTheSdksPointsCollectionAfterCollection(String preference) {
    AggregationTemporalitySelector selector = selector(preference);
    InMemoryMetricReader sdkReader = InMemoryMetricReader.builder().setAggregationTemporalitySelector(selector).build();
    SdkMeterProvider sdk = SdkMeterProvider.builder().setResource(RESOURCE).registerMetricReader(sdkReader).build();
    LeanMeterProvider lean = new LeanMeterProvider(LEAN_RESOURCE, List.of(new Captured(selector)), 60_000);
    AtomicLong observed = new AtomicLong(5);
    Recorder onSdk = new Recorder(sdk, observed);
    Recorder onLean = new Recorder(lean, observed);

    Context sampled = Context.root().with(Span.wrap(SpanContext.create(
        "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", TraceFlags.getSampled(), TraceState.getDefault())));
    Context notSampled = Context.root().with(Span.wrap(SpanContext.create(
        "0af7651916cd43dd8448eb211c80319d", "b7ad6b7169203332", TraceFlags.getDefault(), TraceState.getDefault())));

    for (Recorder recorder : List.of(onSdk, onLean)) {
      recorder.duration.record(0.003, A, sampled);
      recorder.duration.record(0.2, A, notSampled);
      recorder.duration.record(7.5, B, sampled);
      recorder.duration.record(-1, B, sampled); // dropped: negative
      recorder.duration.record(0.0005, A, Context.root());
      recorder.defaultBuckets.record(42, Attributes.empty(), Context.root());
      recorder.active.add(3, A);
      recorder.active.add(-1, A);
      recorder.requests.add(2, B);
    }
    String first = describe(lean.collectForTest(0));
    assertEquals(describe(sdkReader.collectAllMetrics()), first, "first collection");
    // what was compared is there: eight instruments, the sampled measurements as exemplars, the temporality asked for
    assertEquals(8, first.lines().count(), first);
    assertTrue(first.contains("observed.double.counter: ") && first.contains("{http.route=\"/a\"} value=1.25")
        && first.contains("DOUBLE_GAUGE [{http.route=\"/b\"} value=0.5]"), first);
    assertTrue(first.contains("count=3 sum=0.2035") && first.contains("min=5.0E-4 max=0.2 ") && first.contains("exemplars=[b7ad6b7169203331=0.003{}]"), first);
    assertTrue(first.contains(preference.equals("cumulative") ? "HISTOGRAM CUMULATIVE" : "HISTOGRAM DELTA"), first);

    observed.set(9);
    for (Recorder recorder : List.of(onSdk, onLean)) {
      recorder.duration.record(0.05, B, sampled);
      recorder.active.add(-2, A);
    }
    assertEquals(describe(sdkReader.collectAllMetrics()), describe(lean.collectForTest(0)), "second collection");
    assertEquals(describe(sdkReader.collectAllMetrics()), describe(lean.collectForTest(0)), "a collection with nothing new");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"cumulative", "delta"})
  void exponentialHistogramsGiveTheSdksPointsAsTheirRangeGrows(String preference) {
    AggregationTemporalitySelector selector = selector(preference);
    InMemoryMetricReader sdkReader = InMemoryMetricReader.builder().setAggregationTemporalitySelector(selector)
        .setDefaultAggregationSelector(DefaultAggregationSelector.getDefault()
            .with(InstrumentType.HISTOGRAM, Aggregation.base2ExponentialBucketHistogram()))
        .build();
    SdkMeterProvider sdk = SdkMeterProvider.builder().setResource(RESOURCE).registerMetricReader(sdkReader).build();
    Captured exponential = new Captured(selector, true);
    LeanMeterProvider lean = new LeanMeterProvider(LEAN_RESOURCE, List.of(exponential), 60_000);
    List<DoubleHistogram> histograms = new ArrayList<>();
    for (MeterProvider provider : List.of(sdk, lean)) {
      histograms.add(provider.get("io.weft.test").histogramBuilder("http.server.request.duration").setUnit("s")
          .setExplicitBucketBoundariesAdvice(List.of(0.1, 1.0)).build()); // advice that exponential buckets ignore
    }
    // one value, then a second close to it (scale 20 holds both), then ever wider ones: the scale falls step by step
    double[][] rounds = {
        {0.0153},
        {0.0153001, 0.0154, 0.0, 0.02},
        {1e-4, 0.5, 3.7, 1024.0, 0.25, 1.0},
        {7e-9, 1e6, 123.456, 0.0},
        {1e-300, 1e300, Double.MIN_VALUE, Double.MAX_VALUE, 0.3},
    };
    for (double[] round : rounds) {
      for (DoubleHistogram histogram : histograms) {
        for (double value : round) {
          histogram.record(value, A);
          histogram.record(value * 3, B);
        }
        histogram.record(-2, A); // dropped by both: negative
      }
      String expected = describe(sdkReader.collectAllMetrics());
      String actual = describe(lean.collectForTest(0));
      assertEquals(expected, actual, "after " + Arrays.toString(round));
      assertTrue(actual.contains("EXPONENTIAL_HISTOGRAM"), actual);
    }
    // what was compared is there: a scale that fell from 20, and buckets
    String last = describe(lean.collectForTest(0));
    assertTrue(preference.equals("delta") ? last.isEmpty() : last.contains(" scale=-"), last);
  }

  @Test
  void anExporterWithoutExponentialHistogramsKeepsExplicitBucketsBesideOneWithThem() {
    Captured explicit = new Captured(AggregationTemporalitySelector.alwaysCumulative());
    Captured exponential = new Captured(AggregationTemporalitySelector.alwaysCumulative(), true);
    LeanMeterProvider lean = new LeanMeterProvider(LEAN_RESOURCE, List.of(explicit, exponential), 60_000);
    DoubleHistogram histogram = lean.get("s").histogramBuilder("d").setExplicitBucketBoundariesAdvice(List.of(1.0)).build();
    histogram.record(0.5, A);
    histogram.record(2.0, A);
    String first = describe(lean.collectForTest(0));
    String second = describe(lean.collectForTest(1));
    assertTrue(first.contains(" HISTOGRAM CUMULATIVE") && first.contains("counts=[1, 1]"), first);
    assertTrue(second.contains(" EXPONENTIAL_HISTOGRAM CUMULATIVE") && second.contains("count=2 sum=2.5"), second);
  }

  @Test
  void theScanAndTheBinarySearchPutEveryValueInTheSameBucket() {
    // bucket i holds (boundaries[i-1], boundaries[i]]: a value equal to a boundary is in the bucket it closes
    double[] sdk = {0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000};
    double[] many = new double[LeanMeterProvider.Histogram.LINEAR_BOUNDARIES + 9]; // binary search
    for (int i = 0; i < many.length; i++) {
      many[i] = i * 0.5;
    }
    for (double[] boundaries : new double[][] {sdk, many, {1.0}, {}}) {
      List<Double> values = new ArrayList<>(List.of(0.0, Double.MIN_VALUE, 1e-9, Double.MAX_VALUE));
      for (double boundary : boundaries) {
        values.addAll(List.of(boundary, Math.nextDown(boundary), Math.nextUp(boundary)));
      }
      for (double value : values) {
        if (value < 0) {
          continue; // never recorded
        }
        int expected = 0;
        while (expected < boundaries.length && boundaries[expected] < value) {
          expected++;
        }
        assertEquals(expected, LeanMeterProvider.Histogram.bucketOf(boundaries, value),
            value + " in " + Arrays.toString(boundaries));
      }
    }
    assertEquals(0, LeanMeterProvider.Histogram.bucketOf(sdk, 0.0));
    assertEquals(1, LeanMeterProvider.Histogram.bucketOf(sdk, 5.0));
    assertEquals(2, LeanMeterProvider.Histogram.bucketOf(sdk, 5.000001));
    assertEquals(sdk.length, LeanMeterProvider.Histogram.bucketOf(sdk, 10001));
    assertEquals(many.length, LeanMeterProvider.Histogram.bucketOf(many, 1e9));
    assertEquals(3, LeanMeterProvider.Histogram.bucketOf(many, 1.2));
  }

  @Test
  void pastTheCardinalityLimitMeasurementsGoToTheOverflowSet() {
    LeanMeterProvider lean = new LeanMeterProvider(LEAN_RESOURCE, List.of(new Captured(AggregationTemporalitySelector.alwaysCumulative())), 60_000);
    DoubleHistogram histogram = lean.get("scope").histogramBuilder("h").build();
    for (int i = 0; i < LeanMeterProvider.CARDINALITY_LIMIT + 10; i++) {
      histogram.record(1, Attributes.of(ROUTE, "/" + i));
    }
    List<MetricData> collected = lean.collectForTest(0);
    Collection<HistogramPointData> points = collected.get(0).getHistogramData().getPoints();
    assertEquals(LeanMeterProvider.CARDINALITY_LIMIT, points.size());
    HistogramPointData overflow = points.stream().filter(p -> p.getAttributes().equals(LeanMeterProvider.OVERFLOW)).findFirst().orElseThrow();
    assertEquals(11, overflow.getCount(), "the sets beyond the limit, counted together");
  }

  @Test
  void aSharedSetAnEqualCopyAndSetsSharingASlotAllFindTheirOwnPoints() {
    LeanMeterProvider lean = new LeanMeterProvider(LEAN_RESOURCE, List.of(new Captured(AggregationTemporalitySelector.alwaysCumulative())), 60_000);
    LongCounter counter = lean.get("scope").counterBuilder("c").build();
    // more shared sets than the identity table has slots, so some share one; each passed as the same object
    // many times (found in front from the second call), interleaved with equal copies built per call (the map)
    int sets = LeanMeterProvider.Cells.FRONT_SLOTS * 3;
    List<Attributes> shared = new ArrayList<>();
    for (int i = 0; i < sets; i++) {
      shared.add(Attributes.of(ROUTE, "/" + i));
    }
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < sets; i++) {
        counter.add(1, shared.get(i));
        counter.add(10, Attributes.of(ROUTE, "/" + i));
      }
    }
    Map<String, Long> sums = new TreeMap<>();
    for (LongPointData point : lean.collectForTest(0).get(0).getLongSumData().getPoints()) {
      sums.put(point.getAttributes().get(ROUTE), point.getValue());
    }
    assertEquals(sets, sums.size(), sums.toString());
    for (int i = 0; i < sets; i++) {
      assertEquals(55L, sums.get("/" + i), "/" + i);
    }
  }

  @Test
  void sharedSetsWhoseHashesShareASlotAreAllFoundInFront() {
    LeanMeterProvider.Cells<Object> cells = new LeanMeterProvider.Cells<>(key -> new Object());
    // sets until three of them have the same slot: a method chain's sets, used in turn on every request
    Map<Integer, List<Attributes>> bySlot = new HashMap<>();
    List<Attributes> same = null;
    for (int i = 0; same == null; i++) {
      Attributes set = Attributes.of(ROUTE, "/" + i);
      List<Attributes> sets = bySlot.computeIfAbsent(System.identityHashCode(set) & (LeanMeterProvider.Cells.FRONT_SLOTS - 1), slot -> new ArrayList<>());
      sets.add(set);
      if (sets.size() == 3) {
        same = sets;
      }
    }
    Map<Attributes, Object> cellOf = new HashMap<>();
    for (int round = 0; round < 3; round++) {
      for (Attributes set : same) {
        Object cell = cells.get(set);
        assertSame(cellOf.computeIfAbsent(set, s -> cell), cell, "one cell per set, in front or not");
        // an equal copy, as a set built per call: the same cell, and never put in front
        Attributes copy = Attributes.of(ROUTE, set.get(ROUTE));
        assertSame(cell, cells.get(copy));
        assertFalse(cells.inFront(copy), "a set seen once is not put in front");
      }
    }
    for (Attributes set : same) {
      assertTrue(cells.inFront(set), set + " is in front");
    }
  }

  @Test
  void aSharedSetFirstSeenPastTheLimitStaysInTheOverflowSet() {
    LeanMeterProvider lean = new LeanMeterProvider(LEAN_RESOURCE, List.of(new Captured(AggregationTemporalitySelector.alwaysCumulative())), 60_000);
    LongCounter counter = lean.get("scope").counterBuilder("c").build();
    for (int i = 0; i < LeanMeterProvider.CARDINALITY_LIMIT; i++) {
      counter.add(1, Attributes.of(ROUTE, "/" + i));
    }
    Attributes late = Attributes.of(ROUTE, "/late");
    for (int i = 0; i < 4; i++) {
      counter.add(100, late);
    }
    Collection<LongPointData> points = lean.collectForTest(0).get(0).getLongSumData().getPoints();
    assertEquals(LeanMeterProvider.CARDINALITY_LIMIT, points.size());
    LongPointData overflow = points.stream().filter(p -> p.getAttributes().equals(LeanMeterProvider.OVERFLOW)).findFirst().orElseThrow();
    assertEquals(1 + 400, overflow.getValue(), "the last set under the limit's successor and the late set, every call");
  }

  @Test
  void aBucketKeepsTheFirstSampledMeasurementOfAnIntervalAsItsExemplar() {
    LeanMeterProvider lean = new LeanMeterProvider(LEAN_RESOURCE, List.of(new Captured(AggregationTemporalitySelector.alwaysCumulative())), 60_000);
    DoubleHistogram histogram = lean.get("scope").histogramBuilder("h").build();
    Context first = Context.root().with(Span.wrap(SpanContext.create(
        "0af7651916cd43dd8448eb211c80319c", "1111111111111111", TraceFlags.getSampled(), TraceState.getDefault())));
    Context second = Context.root().with(Span.wrap(SpanContext.create(
        "0af7651916cd43dd8448eb211c80319c", "2222222222222222", TraceFlags.getSampled(), TraceState.getDefault())));
    histogram.record(3, A, first);
    histogram.record(4, A, second); // the same bucket (0, 5]
    assertEquals(List.of("1111111111111111=3.0"), exemplars(lean));
    histogram.record(4.5, A, second); // a new interval: its own first
    assertEquals(List.of("2222222222222222=4.5"), exemplars(lean));
    assertEquals(List.of(), exemplars(lean), "none recorded since");
  }

  @Test
  void theExemplarFilterChoosesWhichMeasurementsMayBeExemplars() {
    Context sampled = Context.root().with(Span.wrap(SpanContext.create(
        "0af7651916cd43dd8448eb211c80319c", "1111111111111111", TraceFlags.getSampled(), TraceState.getDefault())));
    Context unsampled = Context.root().with(Span.wrap(SpanContext.create(
        "0af7651916cd43dd8448eb211c80319c", "3333333333333333", TraceFlags.getDefault(), TraceState.getDefault())));
    long before = LeanMeterProvider.epochNanos();

    LeanMeterProvider off = new LeanMeterProvider(LEAN_RESOURCE,
        List.of(new Captured(AggregationTemporalitySelector.alwaysCumulative())), 60_000, LeanMeterProvider.EXEMPLARS_ALWAYS_OFF);
    off.get("scope").histogramBuilder("h").build().record(3, A, sampled);
    assertEquals(List.of(), exemplars(off), "always_off: not even a sampled span's");

    LeanMeterProvider on = new LeanMeterProvider(LEAN_RESOURCE,
        List.of(new Captured(AggregationTemporalitySelector.alwaysCumulative())), 60_000, LeanMeterProvider.EXEMPLARS_ALWAYS_ON);
    DoubleHistogram histogram = on.get("scope").histogramBuilder("h").build();
    histogram.record(3, A, Context.root()); // (0, 5]: no span at all
    histogram.record(7, A, unsampled); // (5, 10]: a span not sampled
    histogram.record(30, A, sampled); // (25, 50]
    assertEquals(List.of("0000000000000000=3.0", "3333333333333333=7.0", "1111111111111111=30.0"), exemplars(on));
    histogram.record(4, A, Context.root());
    for (HistogramPointData point : on.collectForTest(0).get(0).getHistogramData().getPoints()) {
      assertTrue(point.getExemplars().get(0).getEpochNanos() >= before, "stamped when kept");
    }

    LeanMeterProvider traceBased = new LeanMeterProvider(LEAN_RESOURCE,
        List.of(new Captured(AggregationTemporalitySelector.alwaysCumulative())), 60_000);
    DoubleHistogram defaults = traceBased.get("scope").histogramBuilder("h").build();
    defaults.record(3, A, Context.root());
    defaults.record(7, A, unsampled);
    defaults.record(30, A, sampled);
    assertEquals(List.of("1111111111111111=30.0"), exemplars(traceBased), "the default: sampled spans only");
  }

  @Test
  void anExponentialHistogramKeepsAnyMeasurementAsItsExemplarWhenAlwaysOn() {
    LeanMeterProvider on = new LeanMeterProvider(LEAN_RESOURCE,
        List.of(new Captured(AggregationTemporalitySelector.alwaysCumulative(), true)), 60_000, LeanMeterProvider.EXEMPLARS_ALWAYS_ON);
    on.get("scope").histogramBuilder("h").build().record(0.25, A, Context.root());
    DoubleExemplarData exemplar = on.collectForTest(0).get(0).getExponentialHistogramData().getPoints().iterator().next()
        .getExemplars().get(0);
    assertEquals(0.25, exemplar.getValue());
    assertFalse(exemplar.getSpanContext().isValid());
    assertTrue(exemplar.getEpochNanos() > 0);
  }

  private static List<String> exemplars(LeanMeterProvider lean) {
    List<String> out = new ArrayList<>();
    for (HistogramPointData point : lean.collectForTest(0).get(0).getHistogramData().getPoints()) {
      for (DoubleExemplarData exemplar : point.getExemplars()) {
        out.add(exemplar.getSpanContext().getSpanId() + "=" + exemplar.getValue());
      }
    }
    return out;
  }

  /** 4 threads: a stripe of its own each; 40: more than the cell's slots, so most record into the shared stripes. */
  @ParameterizedTest
  @ValueSource(ints = {4, 40})
  void concurrentRecordingsAndDeltaCollectionsLoseNoMeasurement(int threads) throws Exception {
    LeanMeterProvider lean = new LeanMeterProvider(LEAN_RESOURCE, List.of(new Captured(AggregationTemporalitySelector.deltaPreferred())), 60_000);
    DoubleHistogram histogram = lean.get("scope").histogramBuilder("h").build();
    Context sampled = Context.root().with(Span.wrap(SpanContext.create(
        "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", TraceFlags.getSampled(), TraceState.getDefault())));
    int perThread = 400_000 / threads;
    List<Thread> recorders = new ArrayList<>();
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    for (int t = 0; t < threads; t++) {
      final int id = t;
      Thread thread = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < perThread; i++) {
          // 1, 2 or 3 (exact in binary, so the sum is exact); thread 0 also gives the extremes once
          double value = id == 0 && i == 1000 ? 0.5 : id == 0 && i == 2000 ? 99 : 1 + (i % 3);
          histogram.record(value, A, i % 2 == 0 ? sampled : Context.root());
        }
      });
      thread.start();
      recorders.add(thread);
    }
    long count = 0;
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    go.countDown();
    boolean recording = true;
    while (recording) {
      recording = recorders.stream().anyMatch(Thread::isAlive);
      for (MetricData data : lean.collectForTest(0)) { // delta: each collection takes what came since the last
        for (HistogramPointData point : data.getHistogramData().getPoints()) {
          count += point.getCount();
          sum += point.getSum();
          assertEquals(point.getCount(), point.getCounts().stream().mapToLong(Long::longValue).sum(), "buckets add up");
          if (point.hasMin()) {
            min = Math.min(min, point.getMin());
          }
          if (point.hasMax()) {
            max = Math.max(max, point.getMax());
          }
        }
      }
    }
    for (Thread thread : recorders) {
      thread.join();
    }
    for (MetricData data : lean.collectForTest(0)) {
      for (HistogramPointData point : data.getHistogramData().getPoints()) {
        count += point.getCount();
        sum += point.getSum();
        if (point.hasMin()) {
          min = Math.min(min, point.getMin());
        }
        if (point.hasMax()) {
          max = Math.max(max, point.getMax());
        }
      }
    }
    long expectedSum = 0;
    for (int i = 0; i < perThread; i++) {
      expectedSum += 1 + (i % 3);
    }
    expectedSum = expectedSum * threads - (1 + 1000 % 3) - (1 + 2000 % 3);
    assertEquals((long) threads * perThread, count, "every measurement counted once");
    assertEquals(expectedSum + 0.5 + 99, sum, 1e-9, "and summed once");
    assertEquals(0.5, min);
    assertEquals(99, max);
  }

  @Test
  void aHistogramCellHasFourStripesPerCoreAtMost64() {
    assertEquals(4, LeanMeterProvider.HistogramCell.stripes(1));
    assertEquals(8, LeanMeterProvider.HistogramCell.stripes(2));
    assertEquals(16, LeanMeterProvider.HistogramCell.stripes(3));
    assertEquals(64, LeanMeterProvider.HistogramCell.stripes(16));
    assertEquals(64, LeanMeterProvider.HistogramCell.stripes(96));
  }

  @Test
  void aCellThatGrowsKeepsWhatItsFirstStripeHeld() throws Exception {
    LeanMeterProvider.HistogramCell cell = slotTaken(2, 2, 1); // between the test's extremes
    cell.record(0.5, 0, null, 0);
    cell.grow(null);
    assertEquals(2, cell.stripeCount());
    cell.grow(null); // a thread that saw the single stripe before the first grew it: nothing more
    assertEquals(2, cell.stripeCount());
    cell.record(4, 1, null, 0);
    HistogramPointData point = cell.collect(0, 1, Attributes.empty(), List.of(1.0), false);
    assertEquals(List.of(1L, 2L), point.getCounts(), "the holder's 2, the test's 0.5 and 4");
    assertEquals(6.5, point.getSum());
    assertEquals(0.5, point.getMin());
    assertEquals(4, point.getMax());
  }

  @Test
  void aCellTwoThreadsWriteAtOnceSpreadsThemOverStripesAndAddsTheStripesUp() throws Exception {
    LeanMeterProvider.HistogramCell cell = slotTaken(3, 1.5, 1); // bucket 1 holds (1, 2]
    assertEquals(1, cell.stripeCount(), "one stripe until contention");
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicLongArray recorded = new java.util.concurrent.atomic.AtomicLongArray(2);
    List<Thread> recorders = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      final int id = t;
      Thread thread = new Thread(() -> {
        long n = 0;
        while (!stop.get() || n < 1000) { // both threads write until the cell has spread, then 1,000 more at least
          cell.record(id + 1, id, null, 0); // thread 0: value 1 in bucket 0; thread 1: value 2 in bucket 1
          n++;
        }
        recorded.set(id, n);
      });
      recorders.add(thread);
    }
    recorders.forEach(Thread::start);
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
    while (cell.stripeCount() == 1 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    stop.set(true);
    for (Thread thread : recorders) {
      thread.join();
    }
    int stripes = cell.stripeCount();
    assertTrue(stripes >= 2 && stripes <= LeanMeterProvider.HistogramCell.STRIPES && Integer.bitCount(stripes) == 1,
        "two threads colliding spread the cell: " + stripes + " stripes");
    // the extremes land in whatever stripes these threads pick: the collection still sees them
    Thread low = new Thread(() -> cell.record(0.25, 0, null, 0));
    Thread high = new Thread(() -> cell.record(50, 2, null, 0));
    low.start();
    high.start();
    low.join();
    high.join();

    HistogramPointData cumulative = cell.collect(0, 1, Attributes.empty(), List.of(1.0, 2.0), false);
    long ones = recorded.get(0);
    long twos = recorded.get(1);
    assertEquals(List.of(ones + 1, twos + 1, 1L), cumulative.getCounts(), "with the holder's 1.5");
    assertEquals(ones + twos + 3, cumulative.getCount());
    assertEquals(ones + 2.0 * twos + 51.75, cumulative.getSum(), 1e-6);
    assertEquals(0.25, cumulative.getMin());
    assertEquals(50, cumulative.getMax());
    assertEquals(cumulative.getCounts(), cell.collect(0, 2, Attributes.empty(), List.of(1.0, 2.0), false).getCounts(),
        "a cumulative collection takes nothing away");

    HistogramPointData delta = cell.collect(0, 3, Attributes.empty(), List.of(1.0, 2.0), true);
    assertEquals(cumulative.getCounts(), delta.getCounts());
    assertEquals(cumulative.getSum(), delta.getSum(), 1e-6);
    assertNull(cell.collect(3, 4, Attributes.empty(), List.of(1.0, 2.0), true), "every stripe was reset");
    cell.record(3, 2, null, 0);
    HistogramPointData next = cell.collect(4, 5, Attributes.empty(), List.of(1.0, 2.0), true);
    assertEquals(List.of(0L, 0L, 1L), next.getCounts());
    assertEquals(3, next.getMin());
    assertEquals(3, next.getMax(), "min and max start over after a reset");
  }

  /** Ends the threads that hold a cell's slot ({@link #slotTaken}). */
  private final java.util.concurrent.CountDownLatch holdersMayEnd = new java.util.concurrent.CountDownLatch(1);

  @org.junit.jupiter.api.AfterEach
  void endSlotHolders() {
    holdersMayEnd.countDown();
  }

  /**
   * A cell with one slot, owned by a thread that lives until the test ends: every other thread records into the
   * shared stripes. The holder takes it by recording {@code value} into {@code bucket}, which the tests count.
   */
  private LeanMeterProvider.HistogramCell slotTaken(int buckets, double value, int bucket) throws InterruptedException {
    LeanMeterProvider.HistogramCell cell = new LeanMeterProvider.HistogramCell(buckets, 1);
    java.util.concurrent.CountDownLatch taken = new java.util.concurrent.CountDownLatch(1);
    Thread holder = new Thread(() -> {
      cell.record(value, bucket, null, 0);
      taken.countDown();
      try {
        holdersMayEnd.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "slot-holder");
    holder.setDaemon(true);
    holder.start();
    taken.await();
    assertEquals(1, cell.ownedCount());
    return cell;
  }

  @Test
  void aThreadRecordsIntoAStripeOfItsOwnAndADeltaIsWhatCameSinceTheLast() {
    LeanMeterProvider.HistogramCell cell = new LeanMeterProvider.HistogramCell(3);
    cell.record(0.5, 0, null, 0);
    cell.record(4, 1, null, 0);
    assertEquals(1, cell.ownedCount(), "the recording thread took a slot");
    assertEquals(1, cell.stripeCount(), "and left the shared stripes alone");
    HistogramPointData cumulative = cell.collect(0, 1, Attributes.empty(), List.of(1.0, 2.0), false);
    assertEquals(List.of(1L, 1L, 0L), cumulative.getCounts());
    assertEquals(4.5, cumulative.getSum());
    assertEquals(0.5, cumulative.getMin());
    assertEquals(4, cumulative.getMax());

    HistogramPointData first = cell.collect(0, 2, Attributes.empty(), List.of(1.0, 2.0), true);
    assertEquals(List.of(1L, 1L, 0L), first.getCounts());
    assertEquals(4.5, first.getSum());
    assertNull(cell.collect(2, 3, Attributes.empty(), List.of(1.0, 2.0), true), "nothing since");
    cell.record(2, 1, null, 0);
    cell.record(1.5, 1, null, 0);
    HistogramPointData next = cell.collect(3, 4, Attributes.empty(), List.of(1.0, 2.0), true);
    assertEquals(List.of(0L, 2L, 0L), next.getCounts(), "the totals since the last delta, not since the start");
    assertEquals(2, next.getCount());
    assertEquals(3.5, next.getSum());
    assertEquals(1.5, next.getMin(), "min and max start over after a delta");
    assertEquals(2, next.getMax());
  }

  @Test
  void aDeltaOfAnOwnedStripeKeepsTheLowDigitsOfASmallSumAfterALargeTotal() {
    LeanMeterProvider.HistogramCell cell = new LeanMeterProvider.HistogramCell(1);
    cell.record(1e9, 0, null, 0);
    assertEquals(1e9, cell.collect(0, 1, Attributes.empty(), List.of(), true).getSum());
    cell.record(1e-7, 0, null, 0);
    cell.record(3e-7, 0, null, 0);
    // (1e9 + 1e-7 + 3e-7) - 1e9 in doubles is 4.76837158203125E-7: the total's rounding errors are kept beside it
    assertEquals(1e-7 + 3e-7, cell.collect(1, 2, Attributes.empty(), List.of(), true).getSum());
    assertEquals(1e9 + 4e-7, cell.collect(0, 3, Attributes.empty(), List.of(), false).getSum(), "the cumulative total");
  }

  @Test
  void aThreadWhoseSlotALiveThreadOwnsRecordsIntoTheSharedStripes() throws Exception {
    LeanMeterProvider.HistogramCell cell = slotTaken(2, 0, 0);
    cell.record(3, 1, null, 0);
    cell.record(0.5, 0, null, 0);
    assertEquals(1, cell.ownedCount(), "the slot stays its owner's");
    HistogramPointData point = cell.collect(0, 1, Attributes.empty(), List.of(1.0), false);
    assertEquals(List.of(2L, 1L), point.getCounts(), "the holder's zero and the test thread's two");
    assertEquals(3.5, point.getSum());
    assertEquals(0, point.getMin());
    assertEquals(3, point.getMax());
  }

  @Test
  void threadsBeyondTheSlotsRecordIntoTheSharedStripesAndNothingIsLost() throws Exception {
    LeanMeterProvider.HistogramCell cell = new LeanMeterProvider.HistogramCell(1, 4);
    java.util.concurrent.CountDownLatch recorded = new java.util.concurrent.CountDownLatch(10);
    for (int t = 0; t < 10; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 100; i++) {
          cell.record(1, 0, null, 0);
        }
        recorded.countDown();
        try {
          holdersMayEnd.await(); // all ten alive at once: at most four own a slot, the others share
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      thread.setDaemon(true);
      thread.start();
    }
    recorded.await();
    assertTrue(cell.ownedCount() >= 1 && cell.ownedCount() <= 4, "owned: " + cell.ownedCount());
    HistogramPointData point = cell.collect(0, 1, Attributes.empty(), List.of(), true);
    assertEquals(1000, point.getCount());
    assertEquals(1000.0, point.getSum());
  }

  @Test
  void eachThreadOfAPoolPastSixteenRecordsIntoAStripeOfItsOwn() throws Exception {
    // a container's pool under load (Tomcat's grew to 18 threads at 16 connections): threads made in a row have
    // ids in sequence, and none of them may fall back to the contended shared stripes
    LeanMeterProvider.HistogramCell cell = new LeanMeterProvider.HistogramCell(1);
    int threads = 24;
    java.util.concurrent.CountDownLatch recorded = new java.util.concurrent.CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 10; i++) {
          cell.record(1, 0, null, 0);
        }
        recorded.countDown();
        try {
          holdersMayEnd.await(); // all alive at once
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "pool-" + t);
      thread.setDaemon(true);
      thread.start();
    }
    recorded.await();
    assertEquals(threads, cell.ownedCount(), "a slot each");
    assertEquals(1, cell.stripeCount(), "the shared stripes untouched");
    assertEquals(threads * 10, cell.collect(0, 1, Attributes.empty(), List.of(), true).getCount());
  }

  @Test
  void theSlotOfAThreadThatEndedIsFreedByACollectionAndItsTotalsCarryOn() throws Exception {
    LeanMeterProvider.HistogramCell cell = new LeanMeterProvider.HistogramCell(2, 1);
    Thread first = new Thread(() -> {
      for (int i = 0; i < 3; i++) {
        cell.record(1, 0, null, 0);
      }
    });
    first.start();
    first.join();
    assertEquals(1, cell.ownedCount(), "an ended owner keeps its slot until a collection");
    HistogramPointData delta = cell.collect(0, 1, Attributes.empty(), List.of(1.0), true);
    assertEquals(3, delta.getCount());
    assertEquals(3.0, delta.getSum());
    assertEquals(0, cell.ownedCount(), "the collection freed it");

    Thread second = new Thread(() -> cell.record(2, 1, null, 0));
    second.start();
    second.join();
    assertEquals(1, cell.ownedCount(), "the next thread took it");
    assertEquals(1, cell.stripeCount(), "not the shared stripes");
    HistogramPointData next = cell.collect(1, 2, Attributes.empty(), List.of(1.0), true);
    assertEquals(List.of(0L, 1L), next.getCounts(), "the stripe's totals went on: the delta is the new measurement only");
    assertEquals(2.0, next.getSum());
    assertEquals(2, next.getMin());
    HistogramPointData cumulative = cell.collect(0, 3, Attributes.empty(), List.of(1.0), false);
    assertEquals(List.of(3L, 1L), cumulative.getCounts(), "nothing of the first owner was lost");
    assertEquals(5.0, cumulative.getSum());
  }

  @Test
  void eachExporterHasItsOwnTemporalityAndState() {
    Captured cumulative = new Captured(AggregationTemporalitySelector.alwaysCumulative());
    Captured delta = new Captured(AggregationTemporalitySelector.deltaPreferred());
    LeanMeterProvider lean = new LeanMeterProvider(LEAN_RESOURCE, List.of(cumulative, delta), 60_000);
    LongCounter counter = lean.get("scope").counterBuilder("c").build();
    counter.add(4);
    lean.forceFlush();
    counter.add(1);
    lean.forceFlush();
    assertEquals(List.of(4L, 5L), cumulative.sums("c"));
    assertEquals(List.of(4L, 1L), delta.sums("c"));
    assertTrue(lean.shutdown().join(5, java.util.concurrent.TimeUnit.SECONDS).isSuccess());
    assertTrue(cumulative.shutDown && delta.shutDown, "the exporters are shut down");
  }

  @Test
  void aPeriodicExportInProgressAtShutdownGoesOutBeforeTheLastOne() throws Exception {
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Captured held = new Captured(AggregationTemporalitySelector.alwaysCumulative()) {
      @Override
      public CompletableResultCode export(Collection<MetricData> metrics) {
        if (exports.isEmpty() && entered.getCount() > 0) { // the first periodic export waits to be released
          entered.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return super.export(metrics);
      }
    };
    LeanMeterProvider lean = new LeanMeterProvider(LEAN_RESOURCE, List.of(held), 1);
    LongCounter counter = lean.get("scope").counterBuilder("c").build();
    counter.add(4);
    lean.start();
    assertTrue(entered.await(10, java.util.concurrent.TimeUnit.SECONDS), "a periodic collection began");
    counter.add(1);
    java.util.concurrent.atomic.AtomicReference<CompletableResultCode> result = new java.util.concurrent.atomic.AtomicReference<>();
    Thread shuttingDown = new Thread(() -> result.set(lean.shutdown()));
    shuttingDown.start();
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (shuttingDown.getState() != Thread.State.TIMED_WAITING) { // joining the collector, whose export is held
      assertTrue(shuttingDown.isAlive() && System.nanoTime() < deadline,
          "the shutdown waits for the export in progress instead of exporting before it: " + held.sums("c"));
      Thread.sleep(1);
    }
    release.countDown();
    shuttingDown.join(10_000);
    assertTrue(result.get().join(5, java.util.concurrent.TimeUnit.SECONDS).isSuccess());
    assertEquals(List.of(4L, 5L), held.sums("c"), "the held periodic export's 4, then the last export's 5");
  }

  @Test
  void aFailingCallbackLosesOnlyItsOwnPoints() {
    LeanMeterProvider lean = new LeanMeterProvider(LEAN_RESOURCE, List.of(new Captured(AggregationTemporalitySelector.alwaysCumulative())), 60_000);
    Meter meter = lean.get("scope");
    meter.counterBuilder("broken").buildWithCallback(m -> {
      throw new IllegalStateException("callback bug");
    });
    meter.counterBuilder("fine").buildWithCallback(m -> m.record(3));
    List<MetricData> collected = lean.collectForTest(0);
    assertEquals(List.of("fine"), collected.stream().map(MetricData::getName).toList());
  }

  /** The instruments Weft uses, built the same way on either provider. */
  private static final class Recorder {
    final DoubleHistogram duration;
    final DoubleHistogram defaultBuckets;
    final LongUpDownCounter active;
    final LongCounter requests;

    Recorder(MeterProvider provider, AtomicLong observed) {
      Meter meter = provider.meterBuilder("io.weft.test").setInstrumentationVersion("1.0").build();
      duration = meter.histogramBuilder("http.server.request.duration").setUnit("s").setDescription("Duration")
          .setExplicitBucketBoundariesAdvice(Arrays.asList(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0))
          .build();
      defaultBuckets = meter.histogramBuilder("plain.histogram").build();
      active = meter.upDownCounterBuilder("http.server.active_requests").setUnit("{request}").build();
      requests = meter.counterBuilder("requests").build();
      meter.counterBuilder("observed.counter").buildWithCallback(m -> m.record(observed.get(), A));
      meter.upDownCounterBuilder("observed.updown").buildWithCallback(m -> m.record(observed.get() * 2, B));
      meter.counterBuilder("observed.double.counter").ofDoubles().setUnit("s")
          .buildWithCallback(m -> m.record(observed.get() * 0.25, A));
      meter.gaugeBuilder("observed.gauge").setUnit("1").buildWithCallback(m -> {
        m.record(observed.get() / 10.0, B);
        m.record(Double.NaN, A); // not a measurement: no point
      });
    }
  }

  private static AggregationTemporalitySelector selector(String preference) {
    switch (preference) {
      case "delta":
        return AggregationTemporalitySelector.deltaPreferred();
      case "lowmemory":
        return AggregationTemporalitySelector.lowMemory();
      default:
        return AggregationTemporalitySelector.alwaysCumulative();
    }
  }

  /** Everything that matters of a collection, timestamps aside, in a stable order. */
  private static String describe(Collection<MetricData> collected) {
    Map<String, String> byName = new TreeMap<>();
    for (MetricData metric : collected) {
      StringBuilder out = new StringBuilder();
      out.append(metric.getResource().getAttributes()).append(' ').append(metric.getInstrumentationScopeInfo())
          .append(' ').append(metric.getDescription()).append(' ').append(metric.getUnit()).append(' ').append(metric.getType());
      List<String> points = new ArrayList<>();
      if (metric.getType() == MetricDataType.HISTOGRAM) {
        out.append(' ').append(metric.getHistogramData().getAggregationTemporality());
        for (HistogramPointData point : metric.getHistogramData().getPoints()) {
          List<String> exemplars = new ArrayList<>();
          for (DoubleExemplarData exemplar : point.getExemplars()) {
            exemplars.add(exemplar.getSpanContext().getSpanId() + "=" + exemplar.getValue() + exemplar.getFilteredAttributes());
          }
          exemplars.sort(null);
          points.add(point.getAttributes() + " count=" + point.getCount() + " sum=" + point.getSum() + " min=" + point.getMin()
              + " max=" + point.getMax() + " bounds=" + point.getBoundaries() + " counts=" + point.getCounts() + " exemplars=" + exemplars);
        }
      } else if (metric.getType() == MetricDataType.EXPONENTIAL_HISTOGRAM) {
        // exemplars left out: the SDK keeps a random sample of them, Weft the last sampled measurement
        out.append(' ').append(metric.getExponentialHistogramData().getAggregationTemporality());
        for (ExponentialHistogramPointData point : metric.getExponentialHistogramData().getPoints()) {
          points.add(point.getAttributes() + " count=" + point.getCount() + " sum=" + point.getSum() + " min=" + point.getMin()
              + " max=" + point.getMax() + " scale=" + point.getScale() + " zero=" + point.getZeroCount()
              + " positive=" + point.getPositiveBuckets().getOffset() + point.getPositiveBuckets().getBucketCounts()
              + "/" + point.getPositiveBuckets().getScale()
              + " negative=" + point.getNegativeBuckets().getOffset() + point.getNegativeBuckets().getBucketCounts()
              + "/" + point.getNegativeBuckets().getScale());
        }
      } else if (metric.getType() == MetricDataType.DOUBLE_SUM) {
        out.append(' ').append(metric.getDoubleSumData().getAggregationTemporality()).append(" monotonic=").append(metric.getDoubleSumData().isMonotonic());
        for (DoublePointData point : metric.getDoubleSumData().getPoints()) {
          points.add(point.getAttributes() + " value=" + point.getValue());
        }
      } else if (metric.getType() == MetricDataType.DOUBLE_GAUGE) {
        for (DoublePointData point : metric.getDoubleGaugeData().getPoints()) {
          points.add(point.getAttributes() + " value=" + point.getValue());
        }
      } else {
        out.append(' ').append(metric.getLongSumData().getAggregationTemporality()).append(" monotonic=").append(metric.getLongSumData().isMonotonic());
        for (LongPointData point : metric.getLongSumData().getPoints()) {
          points.add(point.getAttributes() + " value=" + point.getValue());
        }
      }
      points.sort(null);
      byName.put(metric.getName(), out + " " + points);
    }
    StringBuilder all = new StringBuilder();
    byName.forEach((name, text) -> all.append(name).append(": ").append(text).append('\n'));
    return all.toString();
  }

  /** An exporter that keeps what it is given. */
  private static class Captured implements MetricExporter, LeanMeterProvider.HistogramChoice {
    private final AggregationTemporalitySelector selector;
    private final boolean exponential;
    final List<Collection<MetricData>> exports = new CopyOnWriteArrayList<>();
    volatile boolean shutDown;

    Captured(AggregationTemporalitySelector selector) {
      this(selector, false);
    }

    Captured(AggregationTemporalitySelector selector, boolean exponential) {
      this.selector = selector;
      this.exponential = exponential;
    }

    @Override
    public boolean exponentialHistograms() {
      return exponential;
    }

    List<Long> sums(String name) {
      List<Long> values = new ArrayList<>();
      for (Collection<MetricData> export : exports) {
        for (MetricData metric : export) {
          if (metric.getName().equals(name)) {
            metric.getLongSumData().getPoints().forEach(point -> values.add(point.getValue()));
          }
        }
      }
      return values;
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
      return selector.getAggregationTemporality(instrumentType);
    }

    @Override
    public CompletableResultCode export(Collection<MetricData> metrics) {
      exports.add(metrics);
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      shutDown = true;
      return CompletableResultCode.ofSuccess();
    }
  }
}
