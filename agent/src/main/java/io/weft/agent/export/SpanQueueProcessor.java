package io.weft.agent.export;

import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.marshal.Marshaler;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.weft.instrumentation.FaultInjection;
import io.weft.instrumentation.InternalErrors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.GZIPOutputStream;

/**
 * Weft's batching span processor. The application thread that ends a sampled span only appends it
 * to a bounded lock-free queue ({@link SpanRing}; when it is full, counts it as dropped): it never blocks,
 * never encodes, never does I/O. The batch thread turns queued spans into encoded OTLP requests
 * (whenever a batch is full or the schedule delay has passed) and hands them to the
 * {@link ExportBuffer}, from which {@link Delivery} sends them. Encoding early keeps memory small
 * (a few hundred bytes a span) and makes buffering to disk a plain file write.
 */
final class SpanQueueProcessor implements SpanProcessor {

  private final SpanRing<ReadableSpan> queue;
  private final Object consumer = new Object(); // the batch thread, or the exit drain when it did not stop in time
  private final int batchSize;
  private final long delayNanos;
  private final ExportBuffer buffer;
  private final boolean gzip;
  private final ExportStats stats;
  private final LeanSpanEncoder leanEncoder = new LeanSpanEncoder();
  final LongAdder queueFull = new LongAdder();
  private final Thread thread;
  private volatile boolean closed;
  private volatile boolean flushRequested;
  private volatile boolean batchThreadWaiting;

  SpanQueueProcessor(int capacity, int batchSize, long delayMillis, ExportBuffer buffer, boolean gzip, ExportStats stats) {
    this.queue = new SpanRing<>(capacity);
    this.batchSize = batchSize;
    this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
    this.buffer = buffer;
    this.gzip = gzip;
    this.stats = stats;
    this.thread = new Thread(this::batchLoop, "weft-batch-spans");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {}

  @Override
  public boolean isStartRequired() {
    return false;
  }

  @Override
  public void onEnd(ReadableSpan span) {
    if (!span.getSpanContext().isSampled()) {
      return;
    }
    if (closed || !queue.offer(span)) {
      queueFull.increment();
      return;
    }
    // the flag first: it is written only when the batch thread parks or wakes, so reading it costs nothing
    if (batchThreadWaiting && queue.size() >= batchSize) {
      batchThreadWaiting = false;
      LockSupport.unpark(thread);
    }
  }

  @Override
  public boolean isEndRequired() {
    return true;
  }

  int queueSize() {
    return queue.size();
  }

  /** Spans ended and offered so far: those the queue took and those it refused (no counter on the span's path). */
  long processed() {
    return queue.accepted() + queueFull.sum();
  }

  int capacity() {
    return queue.capacity();
  }

  private void batchLoop() {
    long nextExport = System.nanoTime() + delayNanos;
    List<Object> batch = new ArrayList<>(Math.min(batchSize, 4096));
    while (!closed) {
      try {
        long now = System.nanoTime();
        if (queue.size() >= batchSize || now >= nextExport || flushRequested) {
          if (drain(batch, flushRequested || now >= nextExport) == 0 && queue.size() >= batchSize) {
            LockSupport.parkNanos(100_000); // the next span's producer has claimed its slot and not written it yet
          }
          flushRequested = false;
          nextExport = System.nanoTime() + delayNanos;
          continue;
        }
        batchThreadWaiting = true;
        if (queue.size() < batchSize && !flushRequested) {
          LockSupport.parkNanos(this, nextExport - now);
        }
        batchThreadWaiting = false;
      } catch (Throwable bug) {
        InternalErrors.report("span batch thread", bug);
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
      }
    }
  }

  /**
   * Encodes full batches, and the remainder too when {@code all}; returns how many spans it took from the queue.
   * Batch thread, or the exit flush after it stopped.
   */
  private int drain(List<Object> batch, boolean all) {
    synchronized (consumer) {
      return drainLocked(batch, all);
    }
  }

  @SuppressWarnings("unchecked")
  private int drainLocked(List<Object> taken, boolean all) {
    List<SpanData> batch = (List<SpanData>) (List<?>) taken; // once every element is made a SpanData below
    int total = 0;
    while (queue.size() >= batchSize || (all && queue.size() > 0)) {
      taken.clear();
      total += queue.drainTo(taken, batchSize);
      for (int i = 0; i < taken.size(); i++) {
        Object span = taken.get(i);
        if (!(span instanceof SpanData)) { // a lean span is its own data; an SDK span makes a copy
          taken.set(i, ((ReadableSpan) span).toSpanData());
        }
      }
      if (batch.isEmpty()) {
        return total; // what is left is being written by its producer: the next round takes it
      }
      byte[] bytes;
      try {
        bytes = encode(batch);
      } catch (IOException | RuntimeException e) {
        InternalErrors.report("span export", e);
        stats.dropped("encoding_failed", batch.size());
        continue;
      }
      if (!buffer.add(bytes, batch.size(), gzip)) {
        stats.dropped("buffer_full", batch.size());
      }
    }
    return total;
  }

  private byte[] encode(List<SpanData> spans) throws IOException {
    FaultInjection.export();
    if (LeanSpanEncoder.accepts(spans)) {
      byte[] request;
      synchronized (leanEncoder) { // the exit drain may overlap a batch thread that did not stop in time
        request = leanEncoder.encode(spans);
      }
      return gzip ? gzip(request) : request;
    }
    return encode(TraceRequestMarshaler.create(spans), gzip);
  }

  static byte[] gzip(byte[] request) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(request.length / 4 + 64);
    try (GZIPOutputStream zipped = new GZIPOutputStream(out)) {
      zipped.write(request);
    }
    return out.toByteArray();
  }

  /** The request's protobuf bytes, gzipped when asked: what the buffer keeps and the sender sends as is. */
  static byte[] encode(Marshaler request, boolean gzip) throws IOException {
    int size = request.getBinarySerializedSize();
    ByteArrayOutputStream out = new ByteArrayOutputStream(gzip ? size / 4 + 64 : size);
    if (gzip) {
      try (GZIPOutputStream zipped = new GZIPOutputStream(out)) {
        request.writeBinaryTo(zipped);
      }
    } else {
      request.writeBinaryTo(out);
    }
    return out.toByteArray();
  }

  /** Encodes everything queued now, then completes when the buffer is empty (or never, while the collector is away). */
  @Override
  public CompletableResultCode forceFlush() {
    flushRequested = true;
    LockSupport.unpark(thread);
    CompletableResultCode result = new CompletableResultCode();
    Thread waiter = new Thread(() -> {
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (flushRequested && System.nanoTime() < deadline) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        if (buffer.awaitEmpty(deadline, () -> false)) {
          result.succeed();
        } else {
          result.fail();
        }
      } catch (InterruptedException e) {
        result.fail();
      }
    }, "weft-flush");
    waiter.setDaemon(true);
    waiter.start();
    return result;
  }

  /** At exit: stops the batch thread and encodes everything still queued into the buffer. */
  void closeAndDrain() {
    if (closed) {
      return;
    }
    closed = true;
    LockSupport.unpark(thread);
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    drain(new ArrayList<>(), true);
  }

  @Override
  public CompletableResultCode shutdown() {
    closeAndDrain();
    return CompletableResultCode.ofSuccess();
  }
}
