package io.weft.agent.otel;

import io.opentelemetry.api.logs.LoggerProvider;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.weft.agent.export.Endpoint;
import io.weft.agent.export.ExportPipeline;
import io.weft.agent.export.LogQueueProcessor;
import io.weft.agent.logs.LeanLoggerProvider;
import io.weft.instrumentation.trace.TelemetryResource;
import java.util.ArrayList;
import java.util.List;

/**
 * The log pipeline {@code OTEL_LOGS_EXPORTER} asks for, read at start and built by its first user: Weft's logger
 * provider ({@link LeanLoggerProvider}) in front of one batch processor ({@link LogQueueProcessor}, {@code
 * OTEL_BLRP_*}) handing batches to every exporter, the OTLP one feeding Weft's own delivery ({@link
 * ExportPipeline#logExporter}). Until then nothing of it exists: no thread, no class of it loaded. Agent class
 * loader.
 */
final class LogsSetup {

  private final TelemetryResource resource;
  private final int valueLengthLimit;
  private final int countLimit;
  private final int queueSize;
  private final int batchSize;
  private final long delayMillis;
  private final List<String> descriptions = new ArrayList<>();
  private final ExportPipeline pipeline;
  private Endpoint endpoint;
  private boolean console;
  private LeanLoggerProvider provider; // guarded by this
  private LogQueueProcessor processor; // guarded by this
  private boolean closed; // guarded by this

  LogsSetup(ExportPipeline pipeline, TelemetryResource resource, int valueLengthLimit, int countLimit, int queueSize, int batchSize,
      long delayMillis) {
    this.pipeline = pipeline;
    this.resource = resource;
    this.valueLengthLimit = valueLengthLimit;
    this.countLimit = countLimit;
    this.queueSize = queueSize;
    this.batchSize = batchSize;
    this.delayMillis = delayMillis;
  }

  void otlp(Endpoint endpoint, String description) {
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
      List<LogRecordExporter> exporters = new ArrayList<>();
      if (endpoint != null) {
        exporters.add(pipeline.logExporter(endpoint));
      }
      if (console) {
        exporters.add(new ConsoleLogExporter());
      }
      processor = new LogQueueProcessor(queueSize, batchSize, delayMillis, exporters);
      pipeline.logProcessor(processor);
      provider = new LeanLoggerProvider(resource.sdk(), valueLengthLimit, countLimit,
          processor);
    }
    return provider;
  }

  /**
   * At exit: every queued record goes to the exporters (the OTLP one only encodes into its buffer, whose delivery the
   * export pipeline drains), bounded by {@code millis}; records logged later are dropped. What the full queue refused
   * during the run is said in one line.
   */
  void flushAndClose(long millis) {
    LogQueueProcessor built;
    synchronized (this) {
      closed = true;
      built = processor;
    }
    if (built == null) {
      return;
    }
    boolean flushed = built.close(millis);
    long refused = built.queueFull.sum();
    if (refused > 0 || !flushed) {
      System.err.println("[weft] exit: " + (refused > 0 ? refused + " log records were dropped because the queue was full"
          + " (OTEL_BLRP_MAX_QUEUE_SIZE=" + queueSize + ")" : "")
          + (!flushed ? (refused > 0 ? "; " : "") + (built.queueSize()) + " queued log records were not exported in time" : ""));
    }
  }
}
