package io.weft.agent.export;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.weft.agent.config.WeftConfig;
import io.weft.instrumentation.trace.TelemetryResource;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Weft's OTLP export: for spans a non-blocking queue, a batch thread that encodes, a buffer in memory
 * and optionally on disk, and a delivery thread with backoff; for metrics the same delivery with a
 * small memory buffer. Reports its own health as metrics (the SDK self-monitoring conventions,
 * {@code otel.sdk.*}) and, at exit, in one line saying what could not be delivered. Agent class loader.
 */
public final class ExportPipeline {

  /** Every {@code weft.*} key read here, for the unknown-setting report. */
  public static final List<String> KEYS = Arrays.asList(
      "weft.export.buffer.dir", "weft.export.buffer.disk.size", "weft.export.buffer.memory.size",
      "weft.export.retry.initial.backoff", "weft.export.retry.max.backoff", "weft.bsp.help.when.starved");

  private static final AttributeKey<String> COMPONENT_TYPE = AttributeKey.stringKey("otel.component.type");
  private static final AttributeKey<String> COMPONENT_NAME = AttributeKey.stringKey("otel.component.name");
  private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  private static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  private static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
  private static final AttributeKey<Long> GRPC_STATUS = AttributeKey.longKey("rpc.grpc.status_code");
  private static final AttributeKey<String> BUFFER_MEDIUM = AttributeKey.stringKey("weft.buffer.medium");
  /**
   * The buckets of {@code otel.sdk.exporter.operation.duration}, in seconds: an export attempt is one HTTP or gRPC
   * request, so the boundaries the conventions advise for HTTP durations. Without advice the histogram took the
   * SDK's default ones, which are meant for milliseconds: every attempt up to 5 s fell into one bucket.
   */
  static final List<Double> ATTEMPT_BUCKETS =
      Arrays.asList(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0);

  private final WeftConfig config;
  private final Consumer<String> stderr;
  private final boolean retry;
  private final long initialBackoff;
  private final long maxBackoff;
  private Endpoint traceEndpoint;
  private SpanQueueProcessor spans;
  private ExportBuffer traceBuffer;
  private Delivery traceDelivery;
  private final ExportStats traceStats = new ExportStats();
  private Endpoint metricEndpoint;
  private ExportBuffer metricBuffer;
  private volatile BufferedMetricExporter metricExporter;
  private Delivery metricDelivery;
  private final ExportStats metricStats = new ExportStats();
  private Endpoint logEndpoint;
  private ExportBuffer logBuffer;
  private Delivery logDelivery;
  private final ExportStats logStats = new ExportStats();
  private LogQueueProcessor logProcessor; // guarded by this
  private Meter selfMeter; // guarded by this; the log pipeline is built later than the others, by its first user

  public ExportPipeline(WeftConfig config) {
    this.config = config;
    this.stderr = new StandardError();
    this.retry = !config.getBoolean("otel.java.exporter.otlp.retry.disabled", false);
    this.initialBackoff = config.getMillis("weft.export.retry.initial.backoff", 1000, false);
    this.maxBackoff = Math.max(initialBackoff, config.getMillis("weft.export.retry.max.backoff", 30_000, false));
  }

  /** The span processor in front of OTLP export of {@code endpoint}; starts its threads. */
  public SpanProcessor spanProcessor(Endpoint endpoint, int queueSize, int batchSize, long delayMillis) {
    traceEndpoint = endpoint;
    long memory = config.getBytes("weft.export.buffer.memory.size", 16L << 20, false);
    String dir = config.getString("weft.export.buffer.dir");
    long disk = config.getBytes("weft.export.buffer.disk.size", 256L << 20, false);
    Path directory = null;
    if (dir != null) {
      try {
        directory = Paths.get(dir);
      } catch (RuntimeException invalid) {
        config.warn(config.nameAsSet("weft.export.buffer.dir") + " is not a usable path (" + invalid.getMessage() + "); buffering in memory only");
      }
    }
    traceBuffer = new ExportBuffer("traces", memory, directory, disk, stderr);
    traceDelivery = new Delivery(endpoint, traceBuffer, new OtlpSender(endpoint), new Backoff(initialBackoff, maxBackoff), retry,
        traceStats, stderr, config.debug());
    traceDelivery.start();
    boolean help = config.getBoolean("weft.bsp.help.when.starved", true);
    spans = new SpanQueueProcessor(queueSize, batchSize, delayMillis, traceBuffer, endpoint.gzip, traceStats,
        help ? SpanQueueProcessor.DEFAULT_STARVED_NANOS : -1, true);
    return spans;
  }

  /** The metric exporter for {@code endpoint}: 2 MiB of memory buffer, no disk. */
  public MetricExporter metricExporter(Endpoint endpoint, AggregationTemporalitySelector temporality, boolean exponentialHistograms) {
    metricEndpoint = endpoint;
    metricBuffer = new ExportBuffer("metrics", 2L << 20, null, 0, stderr);
    metricDelivery = new Delivery(endpoint, metricBuffer, new OtlpSender(endpoint), new Backoff(initialBackoff, maxBackoff), retry,
        metricStats, stderr, config.debug());
    metricDelivery.start();
    metricExporter = new BufferedMetricExporter(metricBuffer, endpoint.gzip, temporality, metricStats, stderr, exponentialHistograms);
    return metricExporter;
  }

  /**
   * The log record exporter for {@code endpoint}, behind the log queue ({@link LogQueueProcessor}): 4 MiB of memory
   * buffer, no disk (a burst of log lines is what an outage of the collector should not pile up on disk).
   */
  public synchronized LogRecordExporter logExporter(Endpoint endpoint) {
    logEndpoint = endpoint;
    logBuffer = new ExportBuffer("logs", 4L << 20, null, 0, stderr);
    logDelivery = new Delivery(endpoint, logBuffer, new OtlpSender(endpoint), new Backoff(initialBackoff, maxBackoff), retry,
        logStats, stderr, config.debug());
    logDelivery.start();
    if (selfMeter != null) { // built after the agent's own instruments were registered: its own join them now
      register(selfMeter, logEndpoint, logBuffer, logDelivery, logStats, "log", "{log_record}");
    }
    return new BufferedLogExporter(logBuffer, endpoint.gzip, logStats, stderr);
  }

  /** The log records' batch processor, for the agent's own metrics (now, or when they are registered). */
  public synchronized void logProcessor(LogQueueProcessor processor) {
    logProcessor = processor;
    if (selfMeter != null) {
      registerLogProcessor(selfMeter, processor);
    }
  }

  private static void registerLogProcessor(Meter meter, LogQueueProcessor processor) {
    Attributes attributes = Attributes.of(COMPONENT_TYPE, "batching_log_processor", COMPONENT_NAME, "batching_log_processor/0");
    meter.upDownCounterBuilder("otel.sdk.processor.log.queue.size").setUnit("{log_record}")
        .setDescription("Log records waiting in the queue of the log record processor")
        .buildWithCallback(new LogQueueObservation(LogQueueObservation.SIZE, processor, attributes));
    meter.upDownCounterBuilder("otel.sdk.processor.log.queue.capacity").setUnit("{log_record}")
        .setDescription("The most log records the queue of the log record processor holds")
        .buildWithCallback(new LogQueueObservation(LogQueueObservation.CAPACITY, processor, attributes));
    meter.counterBuilder("otel.sdk.processor.log.processed").setUnit("{log_record}")
        .setDescription("Log records the processor finished with; error.type=queue_full for those dropped because the queue was full")
        .buildWithCallback(new LogQueueObservation(LogQueueObservation.PROCESSED, processor, attributes));
  }

  /** The log processor's gauges and counter; a class for the reason {@link Observation} gives. */
  private static final class LogQueueObservation implements Consumer<ObservableLongMeasurement> {
    static final int SIZE = 0;
    static final int CAPACITY = 1;
    static final int PROCESSED = 2;

    private final int what;
    private final LogQueueProcessor processor;
    private final Attributes attributes;
    private final Attributes queueFull;

    LogQueueObservation(int what, LogQueueProcessor processor, Attributes attributes) {
      this.what = what;
      this.processor = processor;
      this.attributes = attributes;
      this.queueFull = attributes.toBuilder().put(ERROR_TYPE, "queue_full").build();
    }

    @Override
    public void accept(ObservableLongMeasurement m) {
      if (what == SIZE) {
        m.record(processor.queueSize(), attributes);
      } else if (what == CAPACITY) {
        m.record(processor.capacity(), attributes);
      } else {
        m.record(processor.processed(), attributes);
        m.record(processor.queueFull.sum(), queueFull);
      }
    }
  }

  /** {@code body} gzipped as the OTLP exports are, for the Prometheus endpoint's answers. */
  public static byte[] gzip(byte[] body) throws IOException {
    return SpanQueueProcessor.gzip(body);
  }

  /** What the buffer does, for the start-up line. */
  public String describeBuffer() {
    if (traceBuffer == null) {
      return "";
    }
    return traceBuffer.hasDirectory() ? " buffer=memory+" + traceBuffer.directory() : " buffer=memory";
  }

  /**
   * Loads what the first metric export needs (its encoder) by encoding a made-up request; for the
   * start-up thread once the bridges are live. Never throws.
   */
  public void warmUp(TelemetryResource resource) {
    BufferedMetricExporter exporter = metricExporter;
    if (exporter == null) {
      return;
    }
    try {
      exporter.warmUp(resource);
    } catch (java.io.IOException | RuntimeException | LinkageError e) {
      // only a head start; the real export reports its own trouble
    }
  }

  /** The agent's own health as metrics, on the meter of the agent's scope. */
  public synchronized void registerSelfTelemetry(Meter meter) {
    selfMeter = meter;
    if (spans != null) {
      Attributes processor = Attributes.of(COMPONENT_TYPE, "batching_span_processor", COMPONENT_NAME, "batching_span_processor/0");
      meter.upDownCounterBuilder("otel.sdk.processor.span.queue.size").setUnit("{span}")
          .setDescription("Spans waiting in the queue of the span processor")
          .buildWithCallback(new Observation(Observation.QUEUE_SIZE, spans, null, null, processor, null));
      meter.upDownCounterBuilder("otel.sdk.processor.span.queue.capacity").setUnit("{span}")
          .setDescription("The most spans the queue of the span processor holds")
          .buildWithCallback(new Observation(Observation.QUEUE_CAPACITY, spans, null, null, processor, null));
      Attributes queueFull = processor.toBuilder().put(ERROR_TYPE, "queue_full").build();
      meter.counterBuilder("otel.sdk.processor.span.processed").setUnit("{span}")
          .setDescription("Spans the processor finished with; error.type=queue_full for those dropped because the queue was full")
          .buildWithCallback(new Observation(Observation.PROCESSED, spans, null, null, processor, queueFull));
      meter.counterBuilder("weft.processor.span.producer_batches").setUnit("{batch}")
          .setDescription("Batches encoded by an application thread that found the queue full while the batch thread"
              + " could not run (WEFT_BSP_HELP_WHEN_STARVED)")
          .buildWithCallback(new Observation(Observation.PRODUCER_BATCHES, spans, null, null, processor, null));
    }
    register(meter, traceEndpoint, traceBuffer, traceDelivery, traceStats, "span", "{span}");
    register(meter, metricEndpoint, metricBuffer, metricDelivery, metricStats, "metric_data_point", "{data_point}");
    register(meter, logEndpoint, logBuffer, logDelivery, logStats, "log", "{log_record}");
    if (logProcessor != null) {
      registerLogProcessor(meter, logProcessor);
    }
  }

  private static void register(Meter meter, Endpoint endpoint, ExportBuffer buffer, Delivery delivery, ExportStats stats,
      String item, String unit) {
    if (endpoint == null) {
      return;
    }
    Attributes exporter = exporterAttributes(endpoint);
    meter.upDownCounterBuilder("otel.sdk.exporter." + item + ".inflight").setUnit(unit)
        .setDescription("Items handed to the exporter and not yet delivered or dropped (buffered, retried)")
        .buildWithCallback(new Observation(Observation.INFLIGHT, null, buffer, null, exporter, null));
    meter.counterBuilder("otel.sdk.exporter." + item + ".exported").setUnit(unit)
        .setDescription("Items whose export finished: delivered, or dropped with error.type saying why")
        .buildWithCallback(new Observation(Observation.EXPORTED, null, null, stats, exporter, null));
    if (item.equals("span")) {
      Attributes memory = exporter.toBuilder().put(BUFFER_MEDIUM, "memory").build();
      Attributes disk = exporter.toBuilder().put(BUFFER_MEDIUM, "disk").build();
      meter.upDownCounterBuilder("weft.exporter.buffer.size").setUnit("By")
          .setDescription("Bytes of encoded requests waiting for the collector, in memory and on disk")
          .buildWithCallback(new Observation(Observation.BUFFER_BYTES, null, buffer, null, memory, disk));
    }
    DoubleHistogram duration = meter.histogramBuilder("otel.sdk.exporter.operation.duration").setUnit("s")
        .setDescription("Duration of one export attempt (a retried request is several attempts)")
        .setExplicitBucketBoundariesAdvice(ATTEMPT_BUCKETS)
        .build();
    delivery.setListener(new AttemptDurations(duration, exporter, endpoint.grpc()));
  }

  /**
   * The callbacks of the agent's own gauges and counters. One class rather than a lambda each: they are
   * registered while a short-lived JVM may already be exiting, and every lambda costs its first use
   * a spun class and method-handle linking, interpreted.
   */
  private static final class Observation implements Consumer<ObservableLongMeasurement> {
    static final int QUEUE_SIZE = 0;
    static final int QUEUE_CAPACITY = 1;
    static final int PROCESSED = 2;
    static final int PRODUCER_BATCHES = 3;
    static final int INFLIGHT = 4;
    static final int EXPORTED = 5;
    static final int BUFFER_BYTES = 6;

    private final int what;
    private final SpanQueueProcessor spans;
    private final ExportBuffer buffer;
    private final ExportStats stats;
    private final Attributes attributes;
    private final Attributes other;

    Observation(int what, SpanQueueProcessor spans, ExportBuffer buffer, ExportStats stats, Attributes attributes, Attributes other) {
      this.what = what;
      this.spans = spans;
      this.buffer = buffer;
      this.stats = stats;
      this.attributes = attributes;
      this.other = other;
    }

    @Override
    public void accept(ObservableLongMeasurement m) {
      switch (what) {
        case QUEUE_SIZE:
          m.record(spans.queueSize(), attributes);
          break;
        case QUEUE_CAPACITY:
          m.record(spans.capacity(), attributes);
          break;
        case PROCESSED:
          long full = spans.queueFull();
          m.record(spans.processed() - full, attributes);
          m.record(full, other); // error.type=queue_full
          break;
        case PRODUCER_BATCHES:
          m.record(spans.helped.sum(), attributes);
          break;
        case INFLIGHT:
          m.record(buffer.items(), attributes);
          break;
        case EXPORTED:
          m.record(stats.delivered.sum(), attributes);
          for (Map.Entry<String, LongAdder> dropped : stats.dropped.entrySet()) {
            m.record(dropped.getValue().sum(), attributes.toBuilder().put(ERROR_TYPE, dropped.getKey()).build());
          }
          break;
        default: // BUFFER_BYTES: memory, then disk when there is a directory
          m.record(buffer.memoryBytes(), attributes);
          if (buffer.hasDirectory()) {
            m.record(buffer.diskBytes(), other);
          }
      }
    }
  }

  /** Records each export attempt's duration, with its error type and status. */
  private static final class AttemptDurations implements Delivery.AttemptListener {
    private final DoubleHistogram duration;
    private final Attributes exporter;
    private final boolean grpc;

    AttemptDurations(DoubleHistogram duration, Attributes exporter, boolean grpc) {
      this.duration = duration;
      this.exporter = exporter;
      this.grpc = grpc;
    }

    /** The set of the last attempt's outcome: an export after an export is delivered with the same status. */
    private OutcomeAttributes last;

    @Override
    public void attempt(long nanos, SendResult result) {
      OutcomeAttributes known = last; // immutable: a racy read at worst builds the set anew
      if (known == null || known.status != result.status || !Objects.equals(known.errorType, result.errorType)) {
        io.opentelemetry.api.common.AttributesBuilder attributes = exporter.toBuilder();
        if (result.errorType != null) {
          attributes.put(ERROR_TYPE, result.errorType);
        }
        if (result.status >= 0) {
          attributes.put(grpc ? GRPC_STATUS : HTTP_STATUS, (long) result.status);
        }
        known = new OutcomeAttributes(result.errorType, result.status, attributes.build());
        last = known;
      }
      duration.record(nanos / 1e9, known.attributes);
    }
  }

  private static final class OutcomeAttributes {
    final String errorType;
    final int status;
    final Attributes attributes;

    OutcomeAttributes(String errorType, int status, Attributes attributes) {
      this.errorType = errorType;
      this.status = status;
      this.attributes = attributes;
    }
  }

  private static Attributes exporterAttributes(Endpoint endpoint) {
    io.opentelemetry.api.common.AttributesBuilder attributes = Attributes.builder()
        .put(COMPONENT_TYPE, endpoint.componentType())
        .put(COMPONENT_NAME, endpoint.componentType() + "/0");
    try {
      URI uri = URI.create(endpoint.url);
      if (uri.getHost() != null) {
        attributes.put(SERVER_ADDRESS, uri.getHost());
        int port = uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        attributes.put(SERVER_PORT, (long) port);
      }
    } catch (RuntimeException ignored) {
      // the endpoint was validated; no address attributes then
    }
    return attributes.build();
  }

  /**
   * At exit: encodes every queued span, delivers until shortly before {@code deadlineNanos}, keeps what
   * is left on disk (when a buffer directory is configured) or drops it, and says so in one line; then
   * runs the last metric collection (so the agent's own counts include the exit) and delivers it with
   * the time left. {@code whileSpansGo} runs while the last spans are on their way: what the last
   * collection needs and the spans do not (a short-lived JVM's exit can come before the start-up thread
   * registered the agent's own instruments; waiting for it first held the spans back). {@code flushLogs} hands
   * the log records still queued to the log exporter; they are delivered beside the spans, by the same deadline.
   */
  public void close(long deadlineNanos, Runnable whileSpansGo, Runnable flushLogs, Runnable lastMetricCollection) {
    if (spans != null) {
      spans.closeAndDrain();
    }
    if (traceDelivery != null) {
      traceDelivery.beginDrain();
    }
    whileSpansGo.run();
    flushLogs.run();
    Delivery logs;
    ExportBuffer logsWaiting;
    synchronized (this) { // built by the first record, on whichever thread
      logs = logDelivery;
      logsWaiting = logBuffer;
    }
    if (logs != null) {
      logs.beginDrain();
    }
    if (traceDelivery != null) {
      long left = deadlineNanos - System.nanoTime();
      // metrics get the last fifth, at most a second
      long spanDeadline = deadlineNanos - Math.min(TimeUnit.SECONDS.toNanos(1), Math.max(0, left / 5));
      boolean delivered = traceDelivery.drain(spanDeadline);
      long[] keptLost = traceBuffer.close();
      traceStats.dropped("shutdown", keptLost[1]);
      if (!delivered) {
        String why = traceDelivery.gaveUpBecause();
        long dropped = traceStats.droppedTotal() + spans.queueFull();
        stderr.accept("[weft] exit: " + (keptLost[0] + keptLost[1]) + " spans could not be delivered to " + traceEndpoint.url
            + (why.isEmpty() ? " before WEFT_SHUTDOWN_TIMEOUT ran out" : " (the collector is not taking data: " + why + ")")
            + (keptLost[0] > 0 ? "; " + keptLost[0] + " kept in " + traceBuffer.directory() + " for the next start" : "")
            + (keptLost[1] > 0 ? "; " + keptLost[1] + " dropped" : "")
            + (dropped > keptLost[1] ? " (" + dropped + " dropped in all: " + describeDrops() + ")" : ""));
      } else if (traceStats.droppedTotal() > 0 || spans.queueFull() > 0) {
        stderr.accept("[weft] exit: every waiting span was delivered; dropped during the run: " + describeDrops()
            + (spans.helped.sum() > 0 ? "; " + spans.helped.sum() + " batches encoded by application threads while the batch thread could not run" : ""));
      }
    }
    if (logs != null) {
      long left = deadlineNanos - System.nanoTime();
      boolean delivered = logs.drain(deadlineNanos - Math.min(TimeUnit.SECONDS.toNanos(1), Math.max(0, left / 5)));
      long[] keptLost = logsWaiting.close();
      logStats.dropped("shutdown", keptLost[1]);
      if (!delivered) {
        String why = logs.gaveUpBecause();
        stderr.accept("[weft] exit: " + (keptLost[0] + keptLost[1]) + " log records could not be delivered to " + logEndpoint.url
            + (why.isEmpty() ? " before WEFT_SHUTDOWN_TIMEOUT ran out" : " (the collector is not taking data: " + why + ")")
            + "; they are dropped" + (logStats.droppedTotal() > keptLost[1]
                ? " (" + logStats.droppedTotal() + " dropped in all: " + logStats.describeDropped() + ")" : ""));
      }
    }
    lastMetricCollection.run();
    if (metricDelivery != null) {
      metricDelivery.drain(deadlineNanos);
      metricBuffer.close();
    }
  }

  private String describeDrops() {
    long full = spans.queueFull();
    String others = traceStats.describeDropped();
    return full == 0 ? others : "queue_full=" + full + whyQueueFull(full) + (others.equals("none") ? "" : ", " + others);
  }

  /**
   * Why the queue refused spans, as far as the refusal path tells (only with help on, which looks at the batch
   * thread): what to change differs, a faster exporter or sampling, a faster collector, or spare CPU.
   */
  private String whyQueueFull(long full) {
    long outran = spans.refusedWhileRunning();
    long room = spans.refusedForRoom.sum();
    if (outran + room == 0) {
      return "";
    }
    return " (" + outran + " while the batch thread ran and could not keep up, " + room
        + " while the export buffer was full, " + Math.max(0, full - outran - room) + " while the batch thread could not run)";
  }

  /** Weft's lines to stderr; a class for the same reason as {@link Observation}. */
  private static final class StandardError implements Consumer<String> {
    @Override
    public void accept(String line) {
      System.err.println(line);
    }
  }
}
