package io.weft.agent.otel;

import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.extension.trace.propagation.B3Propagator;
import io.opentelemetry.extension.trace.propagation.JaegerPropagator;
import io.opentelemetry.extension.trace.propagation.OtTracePropagator;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.weft.agent.config.WeftConfig;
import io.weft.agent.export.ExportPipeline;
import io.weft.agent.metrics.LeanMeterProvider;
import io.weft.agent.prometheus.PrometheusEndpoint;
import io.weft.instrumentation.trace.SamplingPolicy;
import io.weft.instrumentation.trace.SpanPipeline;
import io.weft.instrumentation.trace.TelemetryResource;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Assembles the OpenTelemetry SDK from the configuration: sampler, propagators, a batch span
 * processor in front of the OTLP (or console) exporter, and a periodic metric reader. Agent class
 * loader, on the start-up thread.
 */
public final class SdkFactory {

  private final WeftConfig config;
  private final List<String> summary = new ArrayList<>();
  private final ExportPipeline pipeline;
  private SpanPipeline spanPipeline;
  private SamplingPolicy samplingPolicy;
  private LeanMeterProvider meterProvider;
  private String version;
  private boolean selfTelemetryRegistered; // guarded by this

  public SdkFactory(WeftConfig config) {
    this.config = config;
    this.pipeline = new ExportPipeline(config);
  }

  /** Weft's OTLP export, for the exit flush. */
  public ExportPipeline pipeline() {
    return pipeline;
  }

  /** Where Weft's lean spans go: the same sampler decisions and span processors as the SDK's tracer; after {@link #create}. */
  public SpanPipeline spanPipeline() {
    return spanPipeline;
  }

  /** What was configured, for the start-up line. */
  public String summary() {
    return String.join(" ", summary);
  }

  public WeftTelemetry create(TelemetryResource resource, String version) {
    this.version = version;
    // read (and any bad value reported) now; the propagators themselves are built for the first user
    List<String> propagators = config.getChoices("otel.propagators", Arrays.asList("tracecontext", "baggage"), PROPAGATORS);

    // no SDK tracer provider: every span is a lean span (SpanPipeline), going to these processors
    samplingPolicy = samplingPolicy();
    SpanLimits limits = spanLimits();
    List<SpanProcessor> processors = new ArrayList<>();
    List<String> traceExporters = config.getChoices("otel.traces.exporter", List.of("otlp"), "otlp", "console", "logging", "none");
    List<String> traceDescriptions = new ArrayList<>();
    for (String name : traceExporters) {
      if (name.equals("otlp")) {
        OtlpSettings otlp = OtlpSettings.read(config, "traces");
        int[] queueAndBatch = queueAndBatch();
        processors.add(pipeline.spanProcessor(otlp.toEndpoint(exportTimeout()), queueAndBatch[0], queueAndBatch[1], scheduleDelay()));
        traceDescriptions.add("otlp " + otlp.describe() + pipeline.describeBuffer());
      } else {
        processors.add(batchProcessor(new ConsoleSpanExporter("span")));
        traceDescriptions.add("console");
      }
    }
    if (config.debug()) {
      processors.add(SimpleSpanProcessor.create(new ConsoleSpanExporter("debug span ended")));
    }
    SpanProcessor spanProcessor = SpanProcessor.composite(processors);
    spanPipeline = new SpanPipeline(samplingPolicy, spanProcessor, resource, limits);
    summary.add("traces=" + (traceDescriptions.isEmpty() ? "none" : String.join(" + ", traceDescriptions)));

    List<String> metricExporters = config.getChoices("otel.metrics.exporter", List.of("otlp"), WeftConfig.METRIC_EXPORTERS);
    List<String> metricDescriptions = new ArrayList<>();
    if (!metricExporters.isEmpty()) {
      long interval = config.getMillis("otel.metric.export.interval", 60_000, false);
      // the longest one metric export may take: caps the OTLP request timeout, as OTEL_BSP_EXPORT_TIMEOUT does for spans
      long metricTimeout = config.getMillis("otel.metric.export.timeout", 30_000, false);
      List<MetricExporter> exporters = new ArrayList<>();
      for (String name : metricExporters) {
        if (name.equals("otlp")) {
          OtlpSettings otlp = OtlpSettings.read(config, "metrics");
          boolean exponential = config.getChoice("otel.exporter.otlp.metrics.default.histogram.aggregation", "explicit_bucket_histogram",
              "explicit_bucket_histogram", "base2_exponential_bucket_histogram").equals("base2_exponential_bucket_histogram");
          exporters.add(pipeline.metricExporter(otlp.toEndpoint(metricTimeout), temporality(), exponential));
          metricDescriptions.add("otlp " + otlp.describe() + (exponential ? " exponential-histograms" : ""));
        } else if (name.equals("prometheus")) {
          PrometheusEndpoint endpoint = prometheusEndpoint(resource);
          if (endpoint != null) {
            exporters.add(endpoint);
            metricDescriptions.add("prometheus " + endpoint.url());
          }
        } else {
          exporters.add(new ConsoleMetricExporter());
          metricDescriptions.add("console");
        }
      }
      if (!exporters.isEmpty()) { // empty when the only one, a Prometheus endpoint, could not listen (reported)
        meterProvider = new LeanMeterProvider(resource, exporters, interval, exemplarFilter());
        meterProvider.start();
      }
    }
    summary.add("metrics=" + (metricDescriptions.isEmpty() ? "none" : String.join(" + ", metricDescriptions)));
    LogsSetup logs = logsSetup(resource);
    summary.add("logs=" + (logs == null ? "none" : logs.describe()));
    return new WeftTelemetry(spanProcessor, meterProvider, propagators, logs);
  }

  /**
   * What {@code OTEL_LOGS_EXPORTER} asks for, read and checked now (a bad value is reported at start), built by the
   * first log record ({@link LogsSetup}): the SDK's logger provider and batch processor cost a JVM that never logs
   * through Logback or Log4j nothing. Null when no exporter is configured.
   */
  private LogsSetup logsSetup(TelemetryResource resource) {
    List<String> names = config.getChoices("otel.logs.exporter", List.of("otlp"), "otlp", "console", "logging", "none");
    // read (and a bad value reported) whether or not records are exported, as the other signals' settings are
    int queue = config.getInt("otel.blrp.max.queue.size", 2048, 1, 10_000_000);
    int batch = config.getInt("otel.blrp.max.export.batch.size", 512, 1, 10_000_000);
    if (batch > queue) {
      config.warn(config.nameAsSet("otel.blrp.max.export.batch.size") + "=" + batch + " is larger than the queue (" + queue + "); using " + queue);
      batch = queue;
    }
    long delay = config.getMillis("otel.blrp.schedule.delay", 1000, true);
    long timeout = config.getMillis("otel.blrp.export.timeout", 30_000, false);
    int valueLimit = config.getInt("otel.attribute.value.length.limit", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
    int countLimit = config.getInt("otel.attribute.count.limit", 128, 1, 100_000);
    LogsSetup setup = new LogsSetup(pipeline, resource,
        config.getInt("otel.logrecord.attribute.value.length.limit", valueLimit, 1, Integer.MAX_VALUE),
        config.getInt("otel.logrecord.attribute.count.limit", countLimit, 1, 100_000), queue, batch, delay);
    if (names.isEmpty()) {
      return null;
    }
    for (String name : names) {
      if (name.equals("otlp")) {
        OtlpSettings otlp = OtlpSettings.read(config, "logs");
        setup.otlp(otlp.toEndpoint(timeout), "otlp " + otlp.describe());
      } else {
        setup.console();
      }
    }
    return setup;
  }

  /**
   * The Prometheus endpoint on {@code OTEL_EXPORTER_PROMETHEUS_HOST:PORT} (the OpenTelemetry agent's names and
   * defaults, {@code 0.0.0.0:9464}); null, with one line saying why, when it cannot listen: the application and
   * the other exporters run on.
   */
  private PrometheusEndpoint prometheusEndpoint(TelemetryResource resource) {
    String host = config.getString("otel.exporter.prometheus.host", "0.0.0.0");
    int port = config.getInt("otel.exporter.prometheus.port", 9464, 0, 65535);
    try {
      return PrometheusEndpoint.open(host, port, resource, new Warnings(config));
    } catch (IOException | RuntimeException e) {
      // the settings first: a long host is cut at the line's end
      config.warn("OTEL_EXPORTER_PROMETHEUS_HOST/PORT: the Prometheus endpoint cannot listen on " + host + ":" + port + " (" + e
          + "); its metrics are not served, the application and the other exporters run on");
      return null;
    }
  }

  /** The configuration's one-line reports, as a consumer. A class, not a method reference: no spun class at start. */
  private static final class Warnings implements Consumer<String> {
    private final WeftConfig config;

    Warnings(WeftConfig config) {
      this.config = config;
    }

    @Override
    public void accept(String line) {
      config.warn(line);
    }
  }

  /**
   * Registers the export pipeline's own health metrics; after {@link #create}, once (later calls return at once,
   * a concurrent one when the first is done). Not part of {@link #create}: the woven calls waiting at start do
   * not need them (their ten callbacks and instruments were a fifth of the SDK build), so the start-up thread
   * registers them after opening the gate, and the exit flush calls this before its last collection.
   */
  public synchronized void registerSelfTelemetry() {
    if (selfTelemetryRegistered || meterProvider == null) {
      return;
    }
    selfTelemetryRegistered = true;
    pipeline.registerSelfTelemetry(meterProvider.meterBuilder("io.weft.agent").setInstrumentationVersion(version).build());
  }

  private SpanLimits spanLimits() {
    int valueLimit = config.getInt("otel.attribute.value.length.limit", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
    int countLimit = config.getInt("otel.attribute.count.limit", 128, 1, 100_000);
    return SpanLimits.builder()
        .setMaxAttributeValueLength(config.getInt("otel.span.attribute.value.length.limit", valueLimit, 1, Integer.MAX_VALUE))
        .setMaxNumberOfAttributes(config.getInt("otel.span.attribute.count.limit", countLimit, 1, 100_000))
        .setMaxNumberOfEvents(config.getInt("otel.span.event.count.limit", 128, 0, 100_000))
        .setMaxNumberOfLinks(config.getInt("otel.span.link.count.limit", 128, 0, 100_000))
        .build();
  }

  private int[] queueAndBatch() {
    int queue = config.getInt("otel.bsp.max.queue.size", 2048, 1, 10_000_000);
    int batch = config.getInt("otel.bsp.max.export.batch.size", 512, 1, 10_000_000);
    if (batch > queue) {
      config.warn(config.nameAsSet("otel.bsp.max.export.batch.size") + "=" + batch
          + " is larger than the queue (" + queue + "); using " + queue);
      batch = queue;
    }
    return new int[] {queue, batch};
  }

  private long scheduleDelay() {
    return config.getMillis("otel.bsp.schedule.delay", 5000, true);
  }

  private long exportTimeout() {
    return config.getMillis("otel.bsp.export.timeout", 30_000, false);
  }

  /** The SDK's batch processor, for the console exporter only. */
  private BatchSpanProcessor batchProcessor(SpanExporter exporter) {
    int[] queueAndBatch = queueAndBatch();
    return BatchSpanProcessor.builder(exporter)
        .setScheduleDelay(Duration.ofMillis(scheduleDelay()))
        .setMaxQueueSize(queueAndBatch[0])
        .setMaxExportBatchSize(queueAndBatch[1])
        .setExporterTimeout(Duration.ofMillis(exportTimeout()))
        .setMeterProvider(MeterProvider.noop())
        .build();
  }

  private SamplingPolicy samplingPolicy() {
    String name = config.getChoice("otel.traces.sampler", "parentbased_always_on",
        "always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio");
    double ratio = name.endsWith("traceidratio") ? config.getDouble("otel.traces.sampler.arg", 1.0, 0.0, 1.0) : 1.0;
    summary.add("sampler=" + name + (name.endsWith("traceidratio") ? "(" + ratio + ")" : ""));
    return SamplingPolicy.of(name, ratio);
  }

  /** The values {@code OTEL_PROPAGATORS} accepts (the OpenTelemetry agent's, but for {@code xray-lambda}). */
  static final String[] PROPAGATORS = {"tracecontext", "baggage", "b3", "b3multi", "jaeger", "ottrace", "xray", "none"};

  /**
   * The propagators named by {@code OTEL_PROPAGATORS}, already read, applied in their order: where several
   * find a parent in a request's headers, the last one's wins, as in the OpenTelemetry SDK.
   */
  static ContextPropagators propagators(List<String> names) {
    List<TextMapPropagator> propagators = new ArrayList<>();
    for (String name : names) {
      propagators.add(propagator(name));
    }
    return ContextPropagators.create(TextMapPropagator.composite(propagators));
  }

  private static TextMapPropagator propagator(String name) {
    switch (name) {
      case "tracecontext":
        return W3CTraceContextPropagator.getInstance();
      case "baggage":
        return W3CBaggagePropagator.getInstance();
      case "b3":
        return B3Propagator.injectingSingleHeader();
      case "b3multi":
        return B3Propagator.injectingMultiHeaders();
      case "jaeger":
        return JaegerPropagator.getInstance();
      case "ottrace":
        return OtTracePropagator.getInstance();
      case "xray":
        return XrayPropagator.getInstance();
      default:
        throw new IllegalArgumentException(name); // getChoices let through only the names above
    }
  }

  /** {@code OTEL_METRICS_EXEMPLAR_FILTER}, the SDK's names; a bad value is one line and the default. */
  private int exemplarFilter() {
    String filter = config.getChoice("otel.metrics.exemplar.filter", "trace_based", "trace_based", "always_on", "always_off");
    return filter.equals("always_on") ? LeanMeterProvider.EXEMPLARS_ALWAYS_ON
        : filter.equals("always_off") ? LeanMeterProvider.EXEMPLARS_ALWAYS_OFF : LeanMeterProvider.EXEMPLARS_TRACE_BASED;
  }

  private AggregationTemporalitySelector temporality() {
    String temporality = config.getChoice("otel.exporter.otlp.metrics.temporality.preference", "cumulative", "cumulative", "delta", "lowmemory");
    return temporality.equals("delta")
        ? AggregationTemporalitySelector.deltaPreferred()
        : temporality.equals("lowmemory") ? AggregationTemporalitySelector.lowMemory() : new AlwaysCumulative();
  }

  /** The default, as the SDK's {@code alwaysCumulative()} but a class: that one is a lambda to spin at start. */
  private static final class AlwaysCumulative implements AggregationTemporalitySelector {
    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
      return AggregationTemporality.CUMULATIVE;
    }
  }
}
