package io.weft.agent.otel;

import io.opentelemetry.api.logs.LoggerProvider;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.LogLimits;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.SdkLoggerProviderBuilder;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.weft.agent.export.Endpoint;
import io.weft.agent.export.ExportPipeline;
import io.weft.instrumentation.trace.TelemetryResource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The log pipeline {@code OTEL_LOGS_EXPORTER} asks for, read at start and built by its first user: the SDK's logger
 * provider with one batch log record processor ({@code OTEL_BLRP_*}) per exporter, the OTLP one feeding Weft's
 * own delivery ({@link ExportPipeline#logExporter}). Until then nothing of it exists: no thread, no class of the
 * SDK's log package loaded. Agent class loader.
 */
final class LogsSetup {

  private final TelemetryResource resource;
  private final LogLimits limits;
  private final int queueSize;
  private final int batchSize;
  private final long delayMillis;
  private final long timeoutMillis;
  private final List<String> descriptions = new ArrayList<>();
  private ExportPipeline pipeline;
  private Endpoint endpoint;
  private boolean console;
  private SdkLoggerProvider provider; // guarded by this
  private boolean closed; // guarded by this

  LogsSetup(TelemetryResource resource, LogLimits limits, int queueSize, int batchSize, long delayMillis, long timeoutMillis) {
    this.resource = resource;
    this.limits = limits;
    this.queueSize = queueSize;
    this.batchSize = batchSize;
    this.delayMillis = delayMillis;
    this.timeoutMillis = timeoutMillis;
  }

  void otlp(ExportPipeline pipeline, Endpoint endpoint, String description) {
    this.pipeline = pipeline;
    this.endpoint = endpoint;
    descriptions.add(description);
  }

  void console() {
    if (!console) {
      console = true;
      descriptions.add("console");
    }
  }

  /** For the start-up line. */
  String describe() {
    return String.join(" + ", descriptions);
  }

  /** The logger provider, built now by the first caller; a no-op one once the exit flush has run. */
  synchronized LoggerProvider provider() {
    if (closed) {
      return LoggerProvider.noop();
    }
    if (provider == null) {
      SdkLoggerProviderBuilder builder = SdkLoggerProvider.builder().setResource(resource.sdk()).setLogLimits(new Limits(limits));
      if (endpoint != null) {
        builder.addLogRecordProcessor(processor(pipeline.logExporter(endpoint)));
      }
      if (console) {
        builder.addLogRecordProcessor(processor(new ConsoleLogExporter()));
      }
      provider = builder.build();
    }
    return provider;
  }

  private BatchLogRecordProcessor processor(LogRecordExporter exporter) {
    return BatchLogRecordProcessor.builder(exporter)
        .setScheduleDelay(Duration.ofMillis(delayMillis))
        .setMaxQueueSize(queueSize)
        .setMaxExportBatchSize(batchSize)
        .setExporterTimeout(Duration.ofMillis(timeoutMillis))
        .setMeterProvider(MeterProvider.noop())
        .build();
  }

  /**
   * At exit: hands every queued record to the exporters (the OTLP one only encodes into its buffer, whose delivery
   * the export pipeline drains) and stops the processors; records emitted later are dropped. Bounded by {@code
   * millis}.
   */
  void flushAndClose(long millis) {
    SdkLoggerProvider built;
    synchronized (this) {
      closed = true;
      built = provider;
    }
    if (built != null) {
      CompletableResultCode done = built.shutdown();
      done.join(Math.max(1, millis), TimeUnit.MILLISECONDS);
    }
  }

  /** The limits as the builder takes them; a class, not a lambda (no spun class on the first record's path). */
  private static final class Limits implements Supplier<LogLimits> {
    private final LogLimits limits;

    Limits(LogLimits limits) {
      this.limits = limits;
    }

    @Override
    public LogLimits get() {
      return limits;
    }
  }
}
