package io.weft.agent.export;

import io.opentelemetry.exporter.internal.otlp.logs.LogsRequestMarshaler;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import java.io.IOException;
import java.util.Collection;
import java.util.function.Consumer;

/**
 * Log records into the same delivery machinery as spans and metrics: the batch log record processor's export
 * encodes the request (the SDK's marshalers) and leaves it to the log {@link Delivery} (retries, backoff,
 * {@code Retry-After}), so the processor's thread never waits on the network. The buffer is in memory only.
 */
final class BufferedLogExporter implements LogRecordExporter {

  private final ExportBuffer buffer;
  private final boolean gzip;
  private final ExportStats stats;
  private final Consumer<String> stderr;
  private long lastRequestBytes; // the processor's one thread (or the exit, once it ended)

  BufferedLogExporter(ExportBuffer buffer, boolean gzip, ExportStats stats, Consumer<String> stderr) {
    this.buffer = buffer;
    this.gzip = gzip;
    this.stats = stats;
    this.stderr = stderr;
  }

  @Override
  public CompletableResultCode export(Collection<LogRecordData> logs) {
    if (logs.isEmpty()) {
      return CompletableResultCode.ofSuccess();
    }
    if (!buffer.hasRoomFor(lastRequestBytes)) {
      // the collector is not taking data and the buffer is full: the batch would be dropped after costing its encoding
      stats.dropped("buffer_full", logs.size());
      return CompletableResultCode.ofFailure();
    }
    try {
      byte[] encoded = SpanQueueProcessor.encode(LogsRequestMarshaler.create(logs), gzip);
      lastRequestBytes = encoded.length;
      if (!buffer.add(encoded, logs.size(), gzip)) {
        stats.dropped("buffer_full", logs.size());
        return CompletableResultCode.ofFailure();
      }
      return CompletableResultCode.ofSuccess();
    } catch (IOException | RuntimeException e) {
      stderr.accept("[weft] cannot encode " + logs.size() + " log records, they are dropped: " + e);
      stats.dropped("encoding_failed", logs.size());
      return CompletableResultCode.ofFailure();
    }
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
