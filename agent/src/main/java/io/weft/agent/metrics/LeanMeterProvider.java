package io.weft.agent.metrics;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleCounter;
import io.opentelemetry.api.metrics.DoubleCounterBuilder;
import io.opentelemetry.api.metrics.DoubleGaugeBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.DoubleHistogramBuilder;
import io.opentelemetry.api.metrics.DoubleUpDownCounterBuilder;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongCounterBuilder;
import io.opentelemetry.api.metrics.LongGaugeBuilder;
import io.opentelemetry.api.metrics.LongHistogramBuilder;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.metrics.LongUpDownCounterBuilder;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterBuilder;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.metrics.ObservableDoubleCounter;
import io.opentelemetry.api.metrics.ObservableDoubleGauge;
import io.opentelemetry.api.metrics.ObservableDoubleMeasurement;
import io.opentelemetry.api.metrics.ObservableLongCounter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import io.opentelemetry.api.metrics.ObservableLongUpDownCounter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.DoubleExemplarData;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramPointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableDoubleExemplarData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableDoublePointData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableExponentialHistogramData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableGaugeData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableHistogramData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableHistogramPointData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableLongPointData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableSumData;
import io.weft.instrumentation.InternalErrors;
import io.weft.instrumentation.trace.SpanHistogram;
import io.weft.instrumentation.trace.TelemetryResource;
import io.weft.instrumentation.trace.WeftContextStorage;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Weft's metrics: the instruments its instrumentations and its own pipeline use (double histograms
 * with explicit buckets, long counters and up-down counters, synchronous or observed through a
 * callback), aggregated per attribute set and handed as {@link MetricData} to the configured
 * exporters every {@code OTEL_METRIC_EXPORT_INTERVAL} and at shutdown. It stands in for the SDK's
 * meter provider, whose set-up and first recording loaded ~190 classes on the start-up path, and
 * keeps what Weft's users see of it: the same points (the SDK's default histogram boundaries, its
 * 2,000 attribute sets per instrument with {@code otel.metric.overflow=true} beyond, negative
 * histogram values dropped), each exporter's temporality (cumulative, delta, low memory) with its
 * own aggregation state, and trace-based exemplars (the last sampled span's measurement per bucket
 * and collection). Double counters and gauges are observed through a callback only (the JVM's runtime
 * metrics); instruments the API offers and Weft never builds (synchronous double counters and gauges,
 * long gauges and histograms) are the API's no-op ones. An exporter that is a {@link PullExporter} (the
 * Prometheus endpoint) is never pushed to: it collects when it is asked. Agent class loader.
 */
public final class LeanMeterProvider implements MeterProvider {

  static final int CARDINALITY_LIMIT = 2000;
  static final Attributes OVERFLOW = Attributes.of(AttributeKey.booleanKey("otel.metric.overflow"), true);
  static final List<Double> DEFAULT_BOUNDARIES =
      Collections.unmodifiableList(Arrays.asList(0d, 5d, 10d, 25d, 50d, 75d, 100d, 250d, 500d, 750d, 1000d, 2500d, 5000d, 7500d, 10000d));

  private final TelemetryResource resource;
  private final Reader[] readers;
  private final long intervalNanos;
  private final Map<InstrumentationScopeInfo, LeanMeter> meters = new ConcurrentHashMap<>();
  private final List<Instrument> instruments = new CopyOnWriteArrayList<>();
  private final long startEpochNanos = epochNanos();
  private final Object lock = new Object();
  private boolean shutDown; // guarded by lock
  private Thread collector; // guarded by lock
  /** The collector thread is collecting or exporting (it left its wait before shutdown). Guarded by lock. */
  private boolean collecting;

  /**
   * An exporter the provider does not push to: it is handed a {@link Source} once, and collects from it when
   * it is asked (a scrape). Its temporality should be cumulative: a pull has no reader of its own between scrapes.
   */
  public interface PullExporter extends MetricExporter {
    void bind(Source source);
  }

  /**
   * An exporter that may ask for base-2 exponential histograms instead of explicit buckets
   * ({@code OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION}). Asked once, when the provider is made;
   * not the SDK's {@code getDefaultAggregation}, whose classes would load for every exporter at start.
   */
  public interface HistogramChoice {
    boolean exponentialHistograms();
  }

  /** One pull exporter's collection: every instrument's points, as a periodic export would have them. */
  public static final int EXEMPLARS_TRACE_BASED = 0;
  public static final int EXEMPLARS_ALWAYS_ON = 1;
  public static final int EXEMPLARS_ALWAYS_OFF = 2;

  private final int exemplarFilter;

  public interface Source {
    List<MetricData> collect();
  }

  /**
   * Exports to each of {@code exporters} every {@code intervalMillis}, once {@link #start} has run, and binds
   * each {@link PullExporter} among them to its own collection.
   */
  public LeanMeterProvider(TelemetryResource resource, List<MetricExporter> exporters, long intervalMillis) {
    this(resource, exporters, intervalMillis, EXEMPLARS_TRACE_BASED);
  }

  /**
   * {@code exemplarFilter}, {@code OTEL_METRICS_EXEMPLAR_FILTER}: {@link #EXEMPLARS_TRACE_BASED} (a sampled span's
   * measurement, the default), {@link #EXEMPLARS_ALWAYS_ON} (any, with the span's ids when there is one) or
   * {@link #EXEMPLARS_ALWAYS_OFF}.
   */
  public LeanMeterProvider(TelemetryResource resource, List<MetricExporter> exporters, long intervalMillis,
      int exemplarFilter) {
    this.exemplarFilter = exemplarFilter;
    this.resource = resource;
    this.readers = new Reader[exporters.size()];
    for (int i = 0; i < readers.length; i++) {
      readers[i] = new Reader(i, exporters.get(i), startEpochNanos);
    }
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, intervalMillis));
    for (Reader reader : readers) {
      if (reader.pull) {
        ((PullExporter) reader.exporter).bind(new PullSource(this, reader));
      }
    }
  }

  /** A pull exporter's way into {@link #collect}. A class, not a lambda: no method-handle class spun at start. */
  private static final class PullSource implements Source {
    private final LeanMeterProvider provider;
    private final Reader reader;

    PullSource(LeanMeterProvider provider, Reader reader) {
      this.provider = provider;
      this.reader = reader;
    }

    @Override
    public List<MetricData> collect() {
      return provider.collect(reader);
    }
  }

  /** Starts the periodic collection on its own daemon thread, if any exporter is pushed to. */
  public void start() {
    synchronized (lock) {
      if (collector != null || shutDown || !anyPush()) {
        return;
      }
      collector = new Thread(new CollectPeriodically(this), "weft-metrics");
      collector.setDaemon(true);
      collector.start();
    }
  }

  @Override
  public MeterBuilder meterBuilder(String instrumentationScopeName) {
    return new LeanMeterBuilder(instrumentationScopeName);
  }

  /** Per reader: whether its histograms are exponential. */
  boolean[] exponential() {
    boolean[] exponential = new boolean[readers.length];
    for (int i = 0; i < readers.length; i++) {
      exponential[i] = readers[i].exporter instanceof HistogramChoice && ((HistogramChoice) readers[i].exporter).exponentialHistograms();
    }
    return exponential;
  }

  private boolean anyPush() {
    for (Reader reader : readers) {
      if (!reader.pull) {
        return true;
      }
    }
    return false;
  }

  /** Collects for every exporter pushed to and exports; the result completes when the exports are done. */
  public CompletableResultCode forceFlush() {
    List<CompletableResultCode> results = new ArrayList<>();
    for (Reader reader : readers) {
      if (!reader.pull) {
        results.add(collectAndExport(reader));
      }
    }
    if (results.isEmpty()) {
      return CompletableResultCode.ofSuccess();
    }
    return results.size() == 1 ? results.get(0) : CompletableResultCode.ofAll(results);
  }

  /** Stops the periodic collection, collects and exports a last time, and shuts the exporters down. */
  public CompletableResultCode shutdown() {
    Thread running;
    synchronized (lock) {
      if (shutDown) {
        return CompletableResultCode.ofSuccess();
      }
      shutDown = true;
      // only a collection in progress is waited for (its export must go before the last one); a waiting
      // collector sees shutDown and ends on its own, and waiting for that cost the exit a thread switch
      running = collecting ? collector : null;
      lock.notifyAll();
    }
    if (running != null && running != Thread.currentThread()) {
      try {
        running.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    List<CompletableResultCode> results = new ArrayList<>();
    for (Reader reader : readers) {
      // a pull exporter's last scrape has been served: it is only closed
      CompletableResultCode exported = reader.pull ? CompletableResultCode.ofSuccess() : collectAndExport(reader);
      CompletableResultCode done = new CompletableResultCode();
      exported.whenComplete(new ShutdownExporter(reader, exported, done));
      results.add(done);
    }
    // one exporter is the rule: its result as is, without ofAll's lambdas to spin at exit
    return results.size() == 1 ? results.get(0) : CompletableResultCode.ofAll(results);
  }

  /**
   * After the last export of a reader: shuts its exporter down and completes {@code done} with both
   * outcomes. A class rather than lambdas: it runs at exit, where a first lambda spins method-handle classes.
   */
  private static final class ShutdownExporter implements Runnable {
    private final Reader reader;
    private final CompletableResultCode exported;
    private final CompletableResultCode done;
    private CompletableResultCode closed;

    ShutdownExporter(Reader reader, CompletableResultCode exported, CompletableResultCode done) {
      this.reader = reader;
      this.exported = exported;
      this.done = done;
    }

    @Override
    public void run() {
      if (closed == null) {
        closed = reader.exporter.shutdown();
        closed.whenComplete(this); // runs again when the exporter is shut down
      } else if (exported.isSuccess() && closed.isSuccess()) {
        done.succeed();
      } else {
        done.fail();
      }
    }
  }

  private void collectPeriodically() {
    long next = System.nanoTime() + intervalNanos;
    while (true) {
      synchronized (lock) {
        long left;
        while (!shutDown && (left = next - System.nanoTime()) > 0) {
          try {
            lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
          } catch (InterruptedException e) {
            return;
          }
        }
        if (shutDown) {
          return;
        }
        collecting = true;
      }
      next += intervalNanos;
      try {
        for (Reader reader : readers) {
          if (!reader.pull) {
            collectAndExport(reader);
          }
        }
      } finally {
        synchronized (lock) {
          collecting = false;
        }
      }
    }
  }

  private CompletableResultCode collectAndExport(Reader reader) {
    try {
      List<MetricData> collected = collect(reader);
      return collected.isEmpty() ? CompletableResultCode.ofSuccess() : reader.exporter.export(collected);
    } catch (Throwable e) {
      InternalErrors.report("metric collection", e);
      return CompletableResultCode.ofFailure();
    }
  }

  /** One collection for one exporter: every instrument's points since the start or its last collection. */
  List<MetricData> collect(Reader reader) {
    synchronized (reader) {
      long now = epochNanos();
      List<MetricData> result = new ArrayList<>();
      for (Instrument instrument : instruments) {
        AggregationTemporality temporality = reader.exporter.getAggregationTemporality(instrument.type);
        long start = temporality == AggregationTemporality.DELTA ? reader.lastCollection : startEpochNanos;
        try {
          MetricData data = instrument.collect(resource, reader.index, temporality, start, now);
          if (data != null) {
            result.add(data);
          }
        } catch (RuntimeException e) {
          InternalErrors.report("metric collection", e);
        }
      }
      reader.lastCollection = now;
      return result;
    }
  }

  /** For tests: collects for the exporter at {@code index} without exporting. */
  List<MetricData> collectForTest(int index) {
    return collect(readers[index]);
  }

  static long epochNanos() {
    return System.currentTimeMillis() * 1_000_000L;
  }

  private <T extends Instrument> T register(T instrument) {
    instruments.add(instrument);
    return instrument;
  }

  /** One exporter and when it last collected. */
  static final class Reader {
    final int index;
    final MetricExporter exporter;
    final boolean pull;
    long lastCollection; // guarded by this

    Reader(int index, MetricExporter exporter, long start) {
      this.index = index;
      this.exporter = exporter;
      this.pull = exporter instanceof PullExporter;
      this.lastCollection = start;
    }
  }

  private final class LeanMeterBuilder implements MeterBuilder {
    private final String name;
    private String version;
    private String schemaUrl;

    LeanMeterBuilder(String name) {
      this.name = name;
    }

    @Override
    public MeterBuilder setSchemaUrl(String schemaUrl) {
      this.schemaUrl = schemaUrl;
      return this;
    }

    @Override
    public MeterBuilder setInstrumentationVersion(String version) {
      this.version = version;
      return this;
    }

    @Override
    public Meter build() {
      io.opentelemetry.sdk.common.InstrumentationScopeInfoBuilder scope = InstrumentationScopeInfo.builder(name);
      if (version != null) {
        scope.setVersion(version);
      }
      if (schemaUrl != null) {
        scope.setSchemaUrl(schemaUrl);
      }
      InstrumentationScopeInfo key = scope.build();
      LeanMeter meter = meters.get(key);
      if (meter == null) {
        LeanMeter made = new LeanMeter(key);
        meter = meters.putIfAbsent(key, made);
        return meter != null ? meter : made;
      }
      return meter;
    }
  }

  /** The instruments of one scope; building one a second time returns the first. */
  private final class LeanMeter implements Meter {
    private final InstrumentationScopeInfo scope;
    /**
     * Instruments by kind and name, guarded by itself; filled through {@link #once}, not
     * {@code computeIfAbsent} and a lambda, which would cost the agent's start a spun class each.
     */
    private final Map<String, Instrument> built = new java.util.HashMap<>();

    /** The instrument built first under {@code key}; {@code made} is registered only when it is that one. */
    private Instrument once(String key, Instrument made) {
      synchronized (built) {
        Instrument kept = built.get(key);
        if (kept == null) {
          kept = register(made);
          built.put(key, kept);
        }
        return kept;
      }
    }

    LeanMeter(InstrumentationScopeInfo scope) {
      this.scope = scope;
    }

    /** For the instruments Weft does not record: the API's no-op ones (loaded only if asked for). */
    private Meter noop() {
      return MeterProvider.noop().get(scope.getName());
    }

    @Override
    public LongCounterBuilder counterBuilder(String name) {
      return new CounterBuilder(name, true);
    }

    @Override
    public LongUpDownCounterBuilder upDownCounterBuilder(String name) {
      return new UpDownCounterBuilder(name);
    }

    @Override
    public DoubleHistogramBuilder histogramBuilder(String name) {
      return new HistogramBuilder(name);
    }

    @Override
    public DoubleGaugeBuilder gaugeBuilder(String name) {
      return new GaugeBuilder(name);
    }

    /** Observed double gauges; the rest is the API's no-op. */
    private final class GaugeBuilder implements DoubleGaugeBuilder {
      private final String name;
      private String description = "";
      private String unit = "";

      GaugeBuilder(String name) {
        this.name = name;
      }

      @Override
      public DoubleGaugeBuilder setDescription(String description) {
        this.description = description;
        return this;
      }

      @Override
      public DoubleGaugeBuilder setUnit(String unit) {
        this.unit = unit;
        return this;
      }

      @Override
      public LongGaugeBuilder ofLongs() {
        return noop().gaugeBuilder(name).ofLongs();
      }

      @Override
      public ObservableDoubleGauge buildWithCallback(Consumer<ObservableDoubleMeasurement> callback) {
        return register(new ObservedDouble(scope, name, description, unit, ObservedDouble.GAUGE, InstrumentType.OBSERVABLE_GAUGE,
            readers.length, callback, LeanMeterProvider.this));
      }
    }

    /** Observed double counters; a synchronous one is the API's no-op. */
    private final class DoubleCounterBuilderImpl implements DoubleCounterBuilder {
      private final String name;
      private String description;
      private String unit;

      DoubleCounterBuilderImpl(String name, String description, String unit) {
        this.name = name;
        this.description = description;
        this.unit = unit;
      }

      @Override
      public DoubleCounterBuilder setDescription(String description) {
        this.description = description;
        return this;
      }

      @Override
      public DoubleCounterBuilder setUnit(String unit) {
        this.unit = unit;
        return this;
      }

      @Override
      public DoubleCounter build() {
        return noop().counterBuilder(name).ofDoubles().build();
      }

      @Override
      public ObservableDoubleCounter buildWithCallback(Consumer<ObservableDoubleMeasurement> callback) {
        return register(new ObservedDouble(scope, name, description, unit, ObservedDouble.COUNTER, InstrumentType.OBSERVABLE_COUNTER,
            readers.length, callback, LeanMeterProvider.this));
      }
    }

    private final class HistogramBuilder implements DoubleHistogramBuilder {
      private final String name;
      private String description = "";
      private String unit = "";
      private List<Double> boundaries = DEFAULT_BOUNDARIES;

      HistogramBuilder(String name) {
        this.name = name;
      }

      @Override
      public DoubleHistogramBuilder setDescription(String description) {
        this.description = description;
        return this;
      }

      @Override
      public DoubleHistogramBuilder setUnit(String unit) {
        this.unit = unit;
        return this;
      }

      @Override
      public DoubleHistogramBuilder setExplicitBucketBoundariesAdvice(List<Double> boundaries) {
        this.boundaries = Collections.unmodifiableList(new ArrayList<>(boundaries));
        return this;
      }

      @Override
      public LongHistogramBuilder ofLongs() {
        return noop().histogramBuilder(name).ofLongs();
      }

      @Override
      public DoubleHistogram build() {
        return (DoubleHistogram) once("histogram " + name, new Histogram(scope, name, description, unit, boundaries, exponential(), exemplarFilter));
      }
    }

    private final class CounterBuilder implements LongCounterBuilder {
      private final String name;
      private final boolean monotonic;
      String description = "";
      String unit = "";

      CounterBuilder(String name, boolean monotonic) {
        this.name = name;
        this.monotonic = monotonic;
      }

      @Override
      public LongCounterBuilder setDescription(String description) {
        this.description = description;
        return this;
      }

      @Override
      public LongCounterBuilder setUnit(String unit) {
        this.unit = unit;
        return this;
      }

      @Override
      public DoubleCounterBuilder ofDoubles() {
        return new DoubleCounterBuilderImpl(name, description, unit);
      }

      @Override
      public LongCounter build() {
        return (LongCounter) once("counter " + name, new Sum(scope, name, description, unit, true, InstrumentType.COUNTER, readers.length));
      }

      @Override
      public ObservableLongCounter buildWithCallback(Consumer<ObservableLongMeasurement> callback) {
        return register(new ObservedSum(scope, name, description, unit, monotonic, InstrumentType.OBSERVABLE_COUNTER, readers.length,
            callback, LeanMeterProvider.this));
      }
    }

    private final class UpDownCounterBuilder implements LongUpDownCounterBuilder {
      private final String name;
      private String description = "";
      private String unit = "";

      UpDownCounterBuilder(String name) {
        this.name = name;
      }

      @Override
      public LongUpDownCounterBuilder setDescription(String description) {
        this.description = description;
        return this;
      }

      @Override
      public LongUpDownCounterBuilder setUnit(String unit) {
        this.unit = unit;
        return this;
      }

      @Override
      public DoubleUpDownCounterBuilder ofDoubles() {
        return noop().upDownCounterBuilder(name).ofDoubles();
      }

      @Override
      public LongUpDownCounter build() {
        return (LongUpDownCounter) once("updowncounter " + name,
            new Sum(scope, name, description, unit, false, InstrumentType.UP_DOWN_COUNTER, readers.length));
      }

      @Override
      public ObservableLongUpDownCounter buildWithCallback(Consumer<ObservableLongMeasurement> callback) {
        return register(new ObservedSum(scope, name, description, unit, false, InstrumentType.OBSERVABLE_UP_DOWN_COUNTER,
            readers.length, callback, LeanMeterProvider.this));
      }
    }
  }

  void unregister(Instrument instrument) {
    instruments.remove(instrument);
  }

  /** What every instrument has: its identity, and how it turns its state into one exporter's points. */
  abstract static class Instrument {
    final InstrumentationScopeInfo scope;
    final String name;
    final String description;
    final String unit;
    final InstrumentType type;

    Instrument(InstrumentationScopeInfo scope, String name, String description, String unit, InstrumentType type) {
      this.scope = scope;
      this.name = name;
      this.description = description;
      this.unit = unit;
      this.type = type;
    }

    /** This instrument's points for one exporter, {@code null} when it has none. */
    abstract MetricData collect(TelemetryResource resource, int reader, AggregationTemporality temporality, long start, long now);
  }

  /**
   * Per exporter: a cell per attribute set, at most {@link #CARDINALITY_LIMIT} with the overflow set.
   *
   * <p>Instrumentation builds its attribute sets once and passes the same object on every call, so in
   * front of the map sits a small table keyed by the set's identity: a hit costs an identity hash and
   * one reference compare, where the map hashes every key and value of the set on every call (the SDK's
   * {@code Attributes} does not keep its hash). A set is put in front the second time the same object
   * is seen in its slot, so sets built per call (an exception's {@code error.type}) take the map and
   * allocate nothing extra. Cells are never removed, so a front entry never points at a dead cell.
   *
   * <p>A set may sit in any of the {@link #FRONT_WAYS} slots from its own (its identity hash's), so two sets
   * whose hashes share a slot are both in front: with one slot each, two sets used in turn (a method chain's,
   * a request's) took each other's place on every call and both went to the map for good.
   */
  static final class Cells<C> {
    static final int FRONT_SLOTS = 64; // a power of two
    static final int FRONT_WAYS = 4; // the slots a set may take, from its own on: two cache lines at most
    final ConcurrentHashMap<Attributes, C> byAttributes = new ConcurrentHashMap<>();
    private final Function<Attributes, C> make;
    @SuppressWarnings("unchecked")
    private final Front<C>[] front = new Front[FRONT_SLOTS];
    private final Attributes[] seen = new Attributes[FRONT_SLOTS];

    Cells(Function<Attributes, C> make) {
      this.make = make;
    }

    C get(Attributes attributes) {
      Attributes key = attributes == null ? Attributes.empty() : attributes;
      int home = System.identityHashCode(key);
      Front<C> hit = inFront(key, home);
      if (hit != null) {
        return hit.cell;
      }
      C cell = byAttributes.get(key);
      if (cell == null) {
        cell = byAttributes.computeIfAbsent(byAttributes.size() >= CARDINALITY_LIMIT - 1 ? OVERFLOW : key, make);
      }
      remember(home, key, cell);
      return cell;
    }

    /**
     * A set that missed the front: put in front when the same object was seen before (a shared set), else noted as
     * seen. Racy, as the reads: two threads may take the same slot, and one of them is noted again next time.
     */
    private void remember(int home, Attributes key, C cell) {
      int free = -1;
      for (int way = 0; way < FRONT_WAYS; way++) {
        int slot = (home + way) & (FRONT_SLOTS - 1);
        if (seen[slot] == key) {
          seen[slot] = null;
          front[frontSlot(home)] = new Front<>(key, cell);
          return;
        }
        if (free < 0 && seen[slot] == null) {
          free = slot;
        }
      }
      seen[free >= 0 ? free : home & (FRONT_SLOTS - 1)] = key;
    }

    /** The first empty slot of a set's ways, or its own slot when all are taken (more sets than ways hash there). */
    private int frontSlot(int home) {
      for (int way = 0; way < FRONT_WAYS; way++) {
        int slot = (home + way) & (FRONT_SLOTS - 1);
        if (front[slot] == null) {
          return slot;
        }
      }
      return home & (FRONT_SLOTS - 1);
    }

    /** The front entry of {@code key}, this very object, among its ways from {@code home}; null when it is not there. */
    private Front<C> inFront(Attributes key, int home) {
      for (int way = 0; way < FRONT_WAYS; way++) {
        Front<C> hit = front[(home + way) & (FRONT_SLOTS - 1)]; // a racy read: a Front is immutable, so it is whole or absent
        if (hit != null && hit.key == key) {
          return hit;
        }
      }
      return null;
    }

    /** Whether {@code attributes}, this very object, is found in front (for tests). */
    boolean inFront(Attributes attributes) {
      return inFront(attributes, System.identityHashCode(attributes)) != null;
    }

    private static final class Front<C> {
      final Attributes key;
      final C cell;

      Front(Attributes key, C cell) {
        this.key = key;
        this.cell = cell;
      }
    }
  }

  /**
   * A double histogram: with explicit bucket boundaries, or base-2 exponential buckets for the exporters that ask
   * for them ({@link HistogramChoice}; the boundaries are then not used, as in the SDK).
   */
  static final class Histogram extends Instrument implements DoubleHistogram, SpanHistogram.Direct {
    final List<Double> boundaryList;
    static final int LINEAR_BOUNDARIES = 32;
    final double[] boundaries;
    /** Per reader, null for those with exponential histograms. */
    final Cells<HistogramCell>[] cells;
    /** Per reader, null for those with explicit buckets; null itself when no reader asked for exponential ones. */
    final Cells<ExponentialCell>[] exponentialCells;
    /** Which measurements may be kept as exemplars: one of {@code EXEMPLARS_*}. */
    final int exemplarFilter;

    @SuppressWarnings("unchecked")
    Histogram(InstrumentationScopeInfo scope, String name, String description, String unit, List<Double> boundaries,
        boolean[] exponential, int exemplarFilter) {
      super(scope, name, description, unit, InstrumentType.HISTOGRAM);
      this.exemplarFilter = exemplarFilter;
      this.boundaryList = boundaries;
      this.boundaries = new double[boundaries.size()];
      for (int i = 0; i < this.boundaries.length; i++) {
        this.boundaries[i] = boundaries.get(i);
      }
      this.cells = new Cells[exponential.length];
      Cells<ExponentialCell>[] exponentialCells = null;
      for (int i = 0; i < exponential.length; i++) {
        if (exponential[i]) {
          if (exponentialCells == null) {
            exponentialCells = new Cells[exponential.length];
          }
          exponentialCells[i] = new Cells<>(new ExponentialCell.Factory());
        } else {
          this.cells[i] = new Cells<>(new NewHistogramCell(this.boundaries.length + 1));
        }
      }
      this.exponentialCells = exponentialCells;
    }

    @Override
    public void record(double value) {
      record(value, Attributes.empty(), WeftContextStorage.currentContext());
    }

    @Override
    public void record(double value, Attributes attributes) {
      record(value, attributes, WeftContextStorage.currentContext());
    }

    @Override
    public void record(double value, Attributes attributes, Context context) {
      Span span = context == null ? null : Span.fromContextOrNull(context);
      SpanContext spanContext = span == null ? null : span.getSpanContext();
      record(value, attributes, spanContext, spanContext != null && spanContext.isSampled() ? epochNanos() : 0);
    }

    @Override
    public void record(double value, Attributes attributes, SpanContext spanContext, long exemplarEpochNanos) {
      if (!(value >= 0) || value == Double.POSITIVE_INFINITY) {
        return; // histograms take non-negative, finite values only (as the SDK's)
      }
      int bucket = bucketOf(value);
      SpanContext exemplar = null;
      long exemplarTime = 0;
      if (spanContext != null && spanContext.isSampled()) {
        if (exemplarFilter != EXEMPLARS_ALWAYS_OFF) {
          exemplar = spanContext; // the SDK's default filter: exemplars from sampled spans only
          exemplarTime = exemplarEpochNanos;
        }
      } else if (exemplarFilter == EXEMPLARS_ALWAYS_ON) {
        // any measurement, with the ids of the span it was made in if there is one; stamped if it is kept (time 0)
        exemplar = spanContext != null && spanContext.isValid() ? spanContext : SpanContext.getInvalid();
      }
      if (exponentialCells == null) {
        for (Cells<HistogramCell> perReader : cells) {
          perReader.get(attributes).record(value, bucket, exemplar, exemplarTime);
        }
        return;
      }
      for (int i = 0; i < cells.length; i++) {
        if (cells[i] != null) {
          cells[i].get(attributes).record(value, bucket, exemplar, exemplarTime);
        } else {
          exponentialCells[i].get(attributes).record(value, exemplar, exemplarTime);
        }
      }
    }

    /** Bucket i holds values in (boundaries[i-1], boundaries[i]]; the last one everything above. */
    int bucketOf(double value) {
      return bucketOf(boundaries, value);
    }

    /**
     * Up to {@value #LINEAR_BOUNDARIES} boundaries (the SDK's default has 15, the HTTP duration's 14) a scan from
     * the lowest: the values a service records cluster in a few buckets, so its branches are predicted and it
     * stops after one or two, where a binary search mispredicts about half of its four or five (85 ns a record
     * in a CPU profile of the web workload). More boundaries: the binary search.
     */
    static int bucketOf(double[] boundaries, double value) {
      if (boundaries.length <= LINEAR_BOUNDARIES) {
        int i = 0;
        while (i < boundaries.length && value > boundaries[i]) {
          i++;
        }
        return i;
      }
      int low = 0;
      int high = boundaries.length - 1;
      while (low <= high) {
        int mid = (low + high) >>> 1;
        if (value <= boundaries[mid]) {
          high = mid - 1;
        } else {
          low = mid + 1;
        }
      }
      return low;
    }

    @Override
    MetricData collect(TelemetryResource resource, int reader, AggregationTemporality temporality, long start, long now) {
      boolean delta = temporality == AggregationTemporality.DELTA;
      if (cells[reader] == null) {
        List<ExponentialHistogramPointData> points = new ArrayList<>();
        for (Map.Entry<Attributes, ExponentialCell> entry : exponentialCells[reader].byAttributes.entrySet()) {
          ExponentialHistogramPointData point = entry.getValue().collect(start, now, entry.getKey(), delta);
          if (point != null) {
            points.add(point);
          }
        }
        return points.isEmpty() ? null : new LeanMetricData(resource, scope, name, description, unit,
            MetricDataType.EXPONENTIAL_HISTOGRAM, ImmutableExponentialHistogramData.create(temporality, points));
      }
      List<HistogramPointData> points = new ArrayList<>();
      for (Map.Entry<Attributes, HistogramCell> entry : cells[reader].byAttributes.entrySet()) {
        HistogramPointData point = entry.getValue().collect(start, now, entry.getKey(), boundaryList, delta);
        if (point != null) {
          points.add(point);
        }
      }
      return points.isEmpty() ? null
          : new LeanMetricData(resource, scope, name, description, unit, MetricDataType.HISTOGRAM, ImmutableHistogramData.create(temporality, points));
    }
  }

  /**
   * One attribute set's histogram state for one exporter, recorded without a lock: every request thread
   * records into the same few cells, and with a monitor a recording thread preempted while holding it
   * (16 request threads on 2 cores) made every other request wait for the scheduler.
   *
   * <p><b>A stripe of its own per thread.</b> A thread records into a stripe it owns, when the slot its id
   * picks among {@link #OWNED_SLOTS} is free or already its own: the owner is the only writer of its
   * stripe's counts and sum, so it adds with plain stores (release stores, which cost nothing more on x86)
   * and no locked instruction. The two locked operations of an atomic record were about 20 of the 110 ns
   * of a sampled method call (the call without the method metric: 90 ns), and they stall on the span's
   * pending stores. The owner never resets its counts: they are totals since the stripe was made, and a
   * delta collection takes the difference to what it saw last. Min and max stay compare-and-set (a store
   * only when a measurement is a new extreme, a handful per interval once warm), so a delta collection
   * takes and resets them atomically, as before. A slot whose owner has died is freed by the next
   * collection, its totals kept for the thread that takes it next; slot and stripe are made on a thread's
   * first record into the cell, so a cell holds only the stripes of the threads that record into it.
   *
   * <p><b>The shared stripes.</b> A thread whose slot another live thread owns records atomically into
   * the shared state: bucket counts are atomic adds; sum, min and max compare-and-set loops; the count is
   * the buckets' total. It lives in one stripe until two threads are seen writing it at once (a failed
   * compare-and-set of the sum); then each thread records into the stripe its id picks, and a collection
   * adds the stripes up. The stripes double each time two threads collide in one, up to {@link #STRIPES},
   * as a {@code LongAdder}'s cells do. A hot method called on every core otherwise moves one cache line
   * between the cores on every call: an unsampled call of one such method on two threads took 350 to 600
   * ns instead of 75. Each stripe, owned or shared, is one {@code long[]} padded at both ends, so two do
   * not share a cache line.
   *
   * <p>A bucket keeps the first sampled measurement since the last collection as its exemplar (the SDK
   * keeps the last; either is a sample of the bucket), written under a try-lock that a recorder never
   * waits for, so once a bucket has one a sampled call pays a plain read for it. A measurement that races
   * a collection may be split across two intervals (its count in one, its sum in the next): never lost,
   * and exact whenever recordings and collections do not overlap.
   */
  static final class HistogramCell {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle OWNED = MethodHandles.arrayElementVarHandle(long[][].class);
    private static final VarHandle OWNERS = MethodHandles.arrayElementVarHandle(Thread[].class);
    private static final VarHandle STRIPED;
    private static final VarHandle EXEMPLAR_LOCK;
    private static final long NO_MIN = Double.doubleToRawLongBits(Double.POSITIVE_INFINITY);
    private static final long NO_MAX = Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY);
    /** Longs of padding before and after a stripe's state: two stripes' states are at least 144 bytes apart. */
    private static final int PAD = 8;
    private static final int SUM = PAD;
    private static final int MIN = PAD + 1;
    private static final int MAX = PAD + 2;
    /** An owned stripe's rounding errors of its sum, so that a delta (a difference of two totals) loses no digit. */
    private static final int SUM_ERROR = PAD + 3;
    private static final int COUNTS = PAD + 4;
    /** Four per core, so threads that run at once rarely share one, at most 64 (a power of two). */
    static final int STRIPES = stripes(Runtime.getRuntime().availableProcessors());
    /**
     * Slots for stripes of their own: 64, so the threads of a pool (ids handed out in sequence, a slot per id
     * modulo 64) each find theirs. A servlet container's pool grows past 16 under load (Tomcat's went to 18 threads
     * at 16 connections, ids 22 to 41), and with 16 slots 8 of them met another's id modulo 16: 4 recorded into
     * the shared stripes, a compare-and-set on a line both cores write, for every request. Three small arrays of 64
     * references a cell; a slot's stripe is made by the first thread that records there.
     */
    static final int OWNED_SLOTS = 64;

    static {
      try {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        STRIPED = lookup.findVarHandle(HistogramCell.class, "striped", long[][].class);
        EXEMPLAR_LOCK = lookup.findVarHandle(HistogramCell.class, "exemplarLock", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final int buckets;
    /** The thread that owns each slot, null when it is free. Taken by compare-and-set; freed by a collection. */
    private final Thread[] owners;
    /** Each slot's stripe, made by its first owner and kept when the slot is freed: its totals are never reset. */
    private final long[][] owned;
    /** Per slot, what the last delta collection saw of its stripe: the bucket totals, the sum, its error. Collector only. */
    private final long[][] collected;
    /** The first shared stripe, the only one until contention is seen; then stripe 0 of {@link #striped}. */
    private final long[] first;
    /** Null until two threads collided on {@link #first}; then a power of two, at most {@link #STRIPES}. */
    private volatile long[][] striped;
    private volatile int exemplarLock;
    // the first sampled measurement per bucket since the last collection; allocated on the first; written under exemplarLock
    private SpanContext[] exemplarContexts;
    private double[] exemplarValues;
    private long[] exemplarTimes;

    HistogramCell(int buckets) {
      this(buckets, OWNED_SLOTS);
    }

    /** {@code ownedSlots}: a power of two. */
    HistogramCell(int buckets, int ownedSlots) {
      this.buckets = buckets;
      this.owners = new Thread[ownedSlots];
      this.owned = new long[ownedSlots][];
      this.collected = new long[ownedSlots][];
      this.first = newStripe(buckets);
    }

    static int stripes(int processors) {
      int wanted = Math.min(64, Math.max(1, processors) * 4);
      return Integer.highestOneBit(wanted - 1) << 1;
    }

    private static long[] newStripe(int buckets) {
      long[] stripe = new long[COUNTS + buckets + PAD];
      stripe[MIN] = NO_MIN;
      stripe[MAX] = NO_MAX;
      return stripe;
    }

    /** How many shared stripes record now: 1 until contention was seen (for tests). */
    int stripeCount() {
      long[][] all = striped;
      return all == null ? 1 : all.length;
    }

    /** How many slots a live or not yet freed thread owns (for tests). */
    int ownedCount() {
      int count = 0;
      for (int i = 0; i < owners.length; i++) {
        if (OWNERS.getAcquire(owners, i) != null) {
          count++;
        }
      }
      return count;
    }

    @SuppressWarnings("deprecation") // Thread.getId: threadId() is JDK 19+
    void record(double value, int bucket, SpanContext exemplar, long exemplarTime) {
      Thread thread = Thread.currentThread();
      int slot = (int) thread.getId() & (owners.length - 1);
      Thread owner = owners[slot]; // a plain read: it is this thread only if this thread wrote it
      if (owner == thread) {
        recordOwned(owned[slot], value, bucket);
      } else if (owner != null || !claim(thread, slot, value, bucket)) {
        recordShared(thread, value, bucket);
      }
      SpanContext[] contexts = exemplarContexts; // a racy read: at worst the try-lock below is taken for nothing
      if (exemplar != null && (contexts == null || contexts[bucket] == null) && EXEMPLAR_LOCK.compareAndSet(this, 0, 1)) {
        try {
          if (exemplarContexts == null) {
            exemplarContexts = new SpanContext[buckets];
            exemplarValues = new double[buckets];
            exemplarTimes = new long[buckets];
          }
          if (exemplarContexts[bucket] == null) {
            exemplarContexts[bucket] = exemplar;
            exemplarValues[bucket] = value;
            exemplarTimes[bucket] = exemplarTime != 0 ? exemplarTime : epochNanos();
          }
        } finally {
          EXEMPLAR_LOCK.setRelease(this, 0);
        }
      }
    }

    /**
     * Takes a free slot for {@code thread} and records there; false when another thread took it first. A freed
     * slot's stripe is taken over with its totals (the thread that freed it saw its last owner dead, so every
     * write of that owner is seen here after the compare-and-set).
     */
    private boolean claim(Thread thread, int slot, double value, int bucket) {
      if (!OWNERS.compareAndSet(owners, slot, null, thread)) {
        return false;
      }
      long[] stripe = owned[slot];
      if (stripe == null) {
        stripe = newStripe(buckets);
        OWNED.setRelease(owned, slot, stripe);
      }
      recordOwned(stripe, value, bucket);
      return true;
    }

    /**
     * Its owner only: counts and sum have no other writer, so a plain read and a release store add to them. The
     * sum is a total since the stripe was made, and a delta the difference of two totals, which would round away
     * the low digits of an interval's sum once the total is large: the rounding error of each addition is kept
     * beside it (Knuth's two-sum), so the two together are the exact total of the values added.
     */
    private static void recordOwned(long[] stripe, double value, int bucket) {
      LONGS.setRelease(stripe, COUNTS + bucket, stripe[COUNTS + bucket] + 1);
      double total = Double.longBitsToDouble(stripe[SUM]);
      double sum = total + value;
      double valuePart = sum - total;
      double error = (total - (sum - valuePart)) + (value - valuePart);
      LONGS.setRelease(stripe, SUM, Double.doubleToRawLongBits(sum));
      if (error != 0) {
        LONGS.setRelease(stripe, SUM_ERROR, Double.doubleToRawLongBits(Double.longBitsToDouble(stripe[SUM_ERROR]) + error));
      }
      extremes(stripe, value);
    }

    @SuppressWarnings("deprecation") // Thread.getId: threadId() is JDK 19+
    private void recordShared(Thread thread, double value, int bucket) {
      long[][] all = striped;
      // thread ids are handed out in sequence, so the threads of a pool fall into different stripes
      long[] stripe = all == null ? first : all[(int) thread.getId() & (all.length - 1)];
      LONGS.getAndAdd(stripe, COUNTS + bucket, 1L);
      long sumBits = (long) LONGS.getVolatile(stripe, SUM);
      if (!LONGS.compareAndSet(stripe, SUM, sumBits, Double.doubleToRawLongBits(Double.longBitsToDouble(sumBits) + value))) {
        addToSum(stripe, value); // another thread wrote it in between: record, then spread the writers out
        grow(all);
      }
      extremes(stripe, value);
    }

    /** Min and max, by compare-and-set: a delta collection takes and resets them. Rarely a store once warm. */
    private static void extremes(long[] stripe, double value) {
      for (long bits = (long) LONGS.getVolatile(stripe, MIN); value < Double.longBitsToDouble(bits);
          bits = (long) LONGS.getVolatile(stripe, MIN)) {
        if (LONGS.weakCompareAndSet(stripe, MIN, bits, Double.doubleToRawLongBits(value))) {
          break;
        }
      }
      for (long bits = (long) LONGS.getVolatile(stripe, MAX); value > Double.longBitsToDouble(bits);
          bits = (long) LONGS.getVolatile(stripe, MAX)) {
        if (LONGS.weakCompareAndSet(stripe, MAX, bits, Double.doubleToRawLongBits(value))) {
          break;
        }
      }
    }

    private static void addToSum(long[] stripe, double value) {
      long bits;
      do {
        bits = (long) LONGS.getVolatile(stripe, SUM);
      } while (!LONGS.weakCompareAndSet(stripe, SUM, bits, Double.doubleToRawLongBits(Double.longBitsToDouble(bits) + value)));
    }

    /**
     * Doubles the stripes {@code seen} (null: only {@link #first}) after a collision, unless another thread
     * already replaced them or they are at their maximum; the others keep writing the old ones meanwhile,
     * all of which the new array keeps.
     */
    void grow(long[][] seen) {
      int length = seen == null ? 1 : seen.length;
      if (length >= STRIPES || striped != seen) {
        return;
      }
      long[][] all = new long[length * 2][];
      if (seen == null) {
        all[0] = first;
      } else {
        System.arraycopy(seen, 0, all, 0, length);
      }
      for (int i = length; i < all.length; i++) {
        all[i] = newStripe(buckets);
      }
      STRIPED.compareAndSet(this, seen, all);
    }

    /**
     * The point since the start (cumulative) or since the last collection ({@code reset}); null when reset found
     * nothing. Frees the slots of owners that have died. One collector at a time (the reader's lock).
     */
    HistogramPointData collect(long start, long now, Attributes attributes, List<Double> boundaries, boolean reset) {
      long[][] all = striped;
      if (all == null) {
        all = new long[][] {first};
      }
      long[] counts = new long[buckets];
      long count = 0;
      for (int slot = 0; slot < owned.length; slot++) {
        long[] stripe = (long[]) OWNED.getAcquire(owned, slot);
        if (stripe == null) {
          continue;
        }
        long[] last = reset ? collected(slot) : null;
        for (int i = 0; i < buckets; i++) {
          long total = (long) LONGS.getAcquire(stripe, COUNTS + i);
          long bucketCount = last == null ? total : total - last[i];
          if (last != null) {
            last[i] = total;
          }
          counts[i] += bucketCount;
          count += bucketCount;
        }
      }
      for (long[] stripe : all) {
        for (int i = 0; i < buckets; i++) {
          long bucketCount = reset ? (long) LONGS.getAndSet(stripe, COUNTS + i, 0L) : (long) LONGS.getVolatile(stripe, COUNTS + i);
          counts[i] += bucketCount;
          count += bucketCount;
        }
      }
      freeSlotsOfTheDead();
      if (reset && count == 0) {
        return null; // nothing in this interval (a recording that raced this keeps its sum for the next)
      }
      double sum = 0;
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      for (int slot = 0; slot < owned.length; slot++) {
        long[] stripe = (long[]) OWNED.getAcquire(owned, slot);
        if (stripe == null) {
          continue;
        }
        double total = Double.longBitsToDouble((long) LONGS.getAcquire(stripe, SUM));
        double error = Double.longBitsToDouble((long) LONGS.getAcquire(stripe, SUM_ERROR));
        if (reset) {
          long[] last = collected(slot); // made in the first pass, unless the slot was taken since
          sum += (total - Double.longBitsToDouble(last[buckets])) + (error - Double.longBitsToDouble(last[buckets + 1]));
          last[buckets] = Double.doubleToRawLongBits(total);
          last[buckets + 1] = Double.doubleToRawLongBits(error);
        } else {
          sum += total + error;
        }
        min = Math.min(min, extreme(stripe, MIN, NO_MIN, reset));
        max = Math.max(max, extreme(stripe, MAX, NO_MAX, reset));
      }
      for (long[] stripe : all) {
        sum += Double.longBitsToDouble(reset ? (long) LONGS.getAndSet(stripe, SUM, 0L) : (long) LONGS.getVolatile(stripe, SUM));
        min = Math.min(min, extreme(stripe, MIN, NO_MIN, reset));
        max = Math.max(max, extreme(stripe, MAX, NO_MAX, reset));
      }
      List<Long> bucketCounts = new ArrayList<>(buckets);
      for (long bucketCount : counts) {
        bucketCounts.add(bucketCount);
      }
      List<DoubleExemplarData> exemplars = Collections.emptyList();
      for (int spins = 0; !EXEMPLAR_LOCK.compareAndSet(this, 0, 1); spins++) {
        if (spins < 100) {
          Thread.onSpinWait(); // a recorder holds it for three stores
        } else {
          Thread.yield(); // one that was preempted holding it
        }
      }
      try {
        if (exemplarContexts != null) {
          exemplars = new ArrayList<>();
          for (int i = 0; i < exemplarContexts.length; i++) {
            if (exemplarContexts[i] != null) {
              exemplars.add(ImmutableDoubleExemplarData.create(Attributes.empty(), exemplarTimes[i], exemplarContexts[i], exemplarValues[i]));
              exemplarContexts[i] = null;
            }
          }
        }
      } finally {
        EXEMPLAR_LOCK.setRelease(this, 0);
      }
      // each on its own: a measurement racing this collection may have written its min before the reset
      // and its max after it, and its min is still the interval's (with both required it was dropped)
      boolean hasMin = count > 0 && min != Double.POSITIVE_INFINITY;
      boolean hasMax = count > 0 && max != Double.NEGATIVE_INFINITY;
      return ImmutableHistogramPointData.create(start, now, attributes, sum, hasMin, hasMin ? min : 0,
          hasMax, hasMax ? max : 0, boundaries, bucketCounts, exemplars);
    }

    /** What the last delta collection saw of a slot's stripe: zero totals and a zero sum before the first. */
    private long[] collected(int slot) {
      long[] last = collected[slot];
      if (last == null) {
        last = new long[buckets + 2]; // the sum's and its error's bits last: 0L is 0.0
        collected[slot] = last;
      }
      return last;
    }

    private static double extreme(long[] stripe, int index, long none, boolean reset) {
      return Double.longBitsToDouble(reset ? (long) LONGS.getAndSet(stripe, index, none) : (long) LONGS.getVolatile(stripe, index));
    }

    /**
     * Frees each slot whose owner has ended, for the next thread whose id picks it; its stripe stays, totals and
     * all. The owner's end comes before {@code isAlive} returns false, so its last writes were all seen here.
     */
    private void freeSlotsOfTheDead() {
      for (int slot = 0; slot < owners.length; slot++) {
        Thread owner = (Thread) OWNERS.getAcquire(owners, slot);
        if (owner != null && !owner.isAlive()) {
          OWNERS.compareAndSet(owners, slot, owner, null);
        }
      }
    }
  }

  /** A synchronous long counter (monotonic) or up-down counter. */
  static final class Sum extends Instrument implements LongCounter, LongUpDownCounter {
    private final boolean monotonic;
    private final Cells<SumCell>[] cells;

    @SuppressWarnings("unchecked")
    Sum(InstrumentationScopeInfo scope, String name, String description, String unit, boolean monotonic, InstrumentType type, int readers) {
      super(scope, name, description, unit, type);
      this.monotonic = monotonic;
      this.cells = new Cells[readers];
      for (int i = 0; i < readers; i++) {
        this.cells[i] = new Cells<>(new NewSumCell());
      }
    }

    @Override
    public boolean isEnabled() {
      return true;
    }

    @Override
    public void add(long value) {
      add(value, Attributes.empty());
    }

    @Override
    public void add(long value, Attributes attributes, Context context) {
      add(value, attributes);
    }

    @Override
    public void add(long value, Attributes attributes) {
      if (monotonic && value < 0) {
        return; // counters only grow (as the SDK's)
      }
      for (Cells<SumCell> perReader : cells) {
        SumCell cell = perReader.get(attributes);
        cell.value.add(value);
        if (!cell.touched) {
          cell.touched = true; // a volatile write only once per interval: every call's would fence and share the line
        }
      }
    }

    @Override
    MetricData collect(TelemetryResource resource, int reader, AggregationTemporality temporality, long start, long now) {
      boolean delta = temporality == AggregationTemporality.DELTA;
      List<LongPointData> points = new ArrayList<>();
      for (Map.Entry<Attributes, SumCell> entry : cells[reader].byAttributes.entrySet()) {
        SumCell cell = entry.getValue();
        if (delta) {
          if (!cell.touched) {
            continue;
          }
          cell.touched = false;
          points.add(ImmutableLongPointData.create(start, now, entry.getKey(), cell.value.sumThenReset()));
        } else {
          points.add(ImmutableLongPointData.create(start, now, entry.getKey(), cell.value.sum()));
        }
      }
      return points.isEmpty() ? null
          : new LeanMetricData(resource, scope, name, description, unit, MetricDataType.LONG_SUM, ImmutableSumData.create(monotonic, temporality, points));
    }
  }

  static final class SumCell {
    final LongAdder value = new LongAdder();
    volatile boolean touched;
  }

  /**
   * What the instruments observed through a callback share: the first value a collection observes per attribute
   * set becomes a point, a delta is the difference to the set's previous observation for that exporter (as in the
   * SDK), and a failing callback loses its own points only. {@code V} is {@code Long} or {@code Double}.
   */
  abstract static class Observed<V extends Number, P extends io.opentelemetry.sdk.metrics.data.PointData> extends Instrument {
    private final LeanMeterProvider provider;
    private final Map<Attributes, V>[] previous; // per exporter, for delta

    @SuppressWarnings("unchecked")
    Observed(InstrumentationScopeInfo scope, String name, String description, String unit, InstrumentType type, int readers,
        LeanMeterProvider provider) {
      super(scope, name, description, unit, type);
      this.provider = provider;
      this.previous = new Map[readers];
      for (int i = 0; i < readers; i++) {
        previous[i] = new HashMap<>();
      }
    }

    public void close() {
      provider.unregister(this);
    }

    /** Runs the callback, putting the first value of each attribute set into {@code observed}. */
    abstract void observe(Map<Attributes, V> observed);

    /** Whether points are differences to the previous observation under {@code temporality}. */
    abstract boolean delta(AggregationTemporality temporality);

    abstract V minus(V value, V before);

    abstract P point(long start, long now, Attributes attributes, V value);

    abstract MetricData data(TelemetryResource resource, AggregationTemporality temporality, List<P> points);

    @Override
    final MetricData collect(TelemetryResource resource, int reader, AggregationTemporality temporality, long start, long now) {
      Map<Attributes, V> observed = new HashMap<>();
      try {
        observe(observed);
      } catch (RuntimeException e) {
        InternalErrors.report("metric callback " + name, e);
        return null;
      }
      List<P> points = new ArrayList<>();
      Map<Attributes, V> last = previous[reader];
      boolean delta = delta(temporality);
      for (Map.Entry<Attributes, V> entry : observed.entrySet()) {
        V value = entry.getValue();
        if (delta) {
          V before = last.put(entry.getKey(), value);
          value = before == null ? value : minus(value, before);
        }
        points.add(point(start, now, entry.getKey(), value));
      }
      return points.isEmpty() ? null : data(resource, temporality, points);
    }

    static Attributes orEmpty(Attributes attributes) {
      return attributes == null ? Attributes.empty() : attributes;
    }
  }

  /** A long counter or up-down counter whose values a callback observes at each collection. */
  static final class ObservedSum extends Observed<Long, LongPointData> implements ObservableLongCounter, ObservableLongUpDownCounter {
    private final boolean monotonic;
    private final Consumer<ObservableLongMeasurement> callback;

    ObservedSum(InstrumentationScopeInfo scope, String name, String description, String unit, boolean monotonic, InstrumentType type,
        int readers, Consumer<ObservableLongMeasurement> callback, LeanMeterProvider provider) {
      super(scope, name, description, unit, type, readers, provider);
      this.monotonic = monotonic;
      this.callback = callback;
    }

    @Override
    void observe(Map<Attributes, Long> observed) {
      callback.accept(new ObservableLongMeasurement() {
        @Override
        public void record(long value) {
          record(value, Attributes.empty());
        }

        @Override
        public void record(long value, Attributes attributes) {
          observed.putIfAbsent(orEmpty(attributes), value);
        }
      });
    }

    @Override
    boolean delta(AggregationTemporality temporality) {
      return temporality == AggregationTemporality.DELTA;
    }

    @Override
    Long minus(Long value, Long before) {
      return value - before;
    }

    @Override
    LongPointData point(long start, long now, Attributes attributes, Long value) {
      return ImmutableLongPointData.create(start, now, attributes, value);
    }

    @Override
    MetricData data(TelemetryResource resource, AggregationTemporality temporality, List<LongPointData> points) {
      return new LeanMetricData(resource, scope, name, description, unit, MetricDataType.LONG_SUM, ImmutableSumData.create(monotonic, temporality, points));
    }
  }

  /**
   * A double counter or gauge whose values a callback observes at each collection (the JVM's CPU time and
   * recent utilization). A gauge's point is the value observed, whatever the temporality.
   */
  static final class ObservedDouble extends Observed<Double, DoublePointData> implements ObservableDoubleCounter, ObservableDoubleGauge {
    static final int COUNTER = 0;
    static final int GAUGE = 1;

    private final int kind;
    private final Consumer<ObservableDoubleMeasurement> callback;

    ObservedDouble(InstrumentationScopeInfo scope, String name, String description, String unit, int kind, InstrumentType type,
        int readers, Consumer<ObservableDoubleMeasurement> callback, LeanMeterProvider provider) {
      super(scope, name, description, unit, type, readers, provider);
      this.kind = kind;
      this.callback = callback;
    }

    @Override
    void observe(Map<Attributes, Double> observed) {
      callback.accept(new ObservableDoubleMeasurement() {
        @Override
        public void record(double value) {
          record(value, Attributes.empty());
        }

        @Override
        public void record(double value, Attributes attributes) {
          if (!Double.isNaN(value)) {
            observed.putIfAbsent(orEmpty(attributes), value);
          }
        }
      });
    }

    @Override
    boolean delta(AggregationTemporality temporality) {
      return kind == COUNTER && temporality == AggregationTemporality.DELTA;
    }

    @Override
    Double minus(Double value, Double before) {
      return value - before;
    }

    @Override
    DoublePointData point(long start, long now, Attributes attributes, Double value) {
      return ImmutableDoublePointData.create(start, now, attributes, value);
    }

    @Override
    MetricData data(TelemetryResource resource, AggregationTemporality temporality, List<DoublePointData> points) {
      return kind == GAUGE
          ? new LeanMetricData(resource, scope, name, description, unit, MetricDataType.DOUBLE_GAUGE, ImmutableGaugeData.create(points))
          : new LeanMetricData(resource, scope, name, description, unit, MetricDataType.DOUBLE_SUM,
              ImmutableSumData.create(true, temporality, points));
    }
  }

  /**
   * The collector thread's task, and the cell makers below: classes rather than lambdas, which cost the
   * agent's start a spun class and method-handle linking each.
   */
  private static final class CollectPeriodically implements Runnable {
    private final LeanMeterProvider provider;

    CollectPeriodically(LeanMeterProvider provider) {
      this.provider = provider;
    }

    @Override
    public void run() {
      provider.collectPeriodically();
    }
  }

  private static final class NewHistogramCell implements Function<Attributes, HistogramCell> {
    private final int buckets;

    NewHistogramCell(int buckets) {
      this.buckets = buckets;
    }

    @Override
    public HistogramCell apply(Attributes attributes) {
      return new HistogramCell(buckets);
    }
  }

  private static final class NewSumCell implements Function<Attributes, SumCell> {
    @Override
    public SumCell apply(Attributes attributes) {
      return new SumCell();
    }
  }
}
