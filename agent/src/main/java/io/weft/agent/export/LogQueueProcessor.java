package io.weft.agent.export;

import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The batch log record processor ({@code OTEL_BLRP_*}): the thread that logs adds the record to a bounded lock-free
 * queue, striped as the span queue is ({@link StripedSpanQueue}), and never waits; a full queue refuses the record,
 * counted. One thread, {@code weft-logs}, hands batches to the exporters when a batch is queued or the delay has
 * passed since the last export; the OTLP exporter only encodes into its buffer, so that thread never waits on the
 * network either. Agent class loader.
 */
public final class LogQueueProcessor implements Runnable {

  private final StripedSpanQueue<LogRecordData> queue;
  private final int batchSize;
  private final long delayNanos;
  private final List<LogRecordExporter> exporters;
  private final Thread worker;
  private volatile boolean closing;
  /** Records refused because the queue was full. */
  public final LongAdder queueFull = new LongAdder();

  public LogQueueProcessor(int capacity, int batchSize, long delayMillis, List<LogRecordExporter> exporters) {
    this.queue = new StripedSpanQueue<>(capacity, StripedSpanQueue.stripesFor(Runtime.getRuntime().availableProcessors()),
        batchSize);
    this.batchSize = batchSize;
    this.delayNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, delayMillis));
    this.exporters = exporters;
    this.worker = new Thread(this, "weft-logs");
    worker.setDaemon(true);
    worker.start();
  }

  /** Queues {@code record}, or counts it as refused when the queue is full. Never blocks. */
  public void offer(LogRecordData record) {
    if (closing) {
      queueFull.increment(); // after the exit flush: nothing would send it
      return;
    }
    int added = queue.offer(record);
    if (added == StripedSpanQueue.REFUSED) {
      queueFull.increment();
    } else if (added == StripedSpanQueue.ADDED_LOOK && queue.size() >= batchSize) {
      LockSupport.unpark(worker);
    }
  }

  /** Records the processor finished with: handed to the exporters (refused ones not counted). */
  public long processed() {
    return queue.accepted() - queue.size();
  }

  /** Records waiting in the queue. */
  public int queueSize() {
    return queue.size();
  }

  public int capacity() {
    return queue.capacity();
  }

  @Override
  public void run() {
    List<LogRecordData> batch = new ArrayList<>(batchSize);
    while (!closing) {
      long deadline = System.nanoTime() + delayNanos;
      long left;
      while (!closing && queue.size() < batchSize && (left = deadline - System.nanoTime()) > 0) {
        LockSupport.parkNanos(this, left);
      }
      if (!closing) {
        exportQueued(batch);
      }
    }
  }

  /** Exports what is queued, a batch at a time. One caller at a time: the worker, or the exit once it ended. */
  private void exportQueued(List<LogRecordData> batch) {
    int moved;
    do {
      batch.clear();
      moved = queue.drainTo(batch, batchSize);
      if (moved > 0) {
        for (LogRecordExporter exporter : exporters) {
          try {
            exporter.export(batch);
          } catch (RuntimeException e) {
            // an exporter reports its own trouble; the others still get the batch
          }
        }
      }
    } while (moved == batchSize);
    batch.clear();
  }

  /**
   * At exit: stops the worker (waiting up to {@code millis} for a batch it is exporting) and exports everything still
   * queued on the calling thread; records offered later are refused. Returns whether everything queued was exported.
   */
  public boolean close(long millis) {
    closing = true;
    LockSupport.unpark(worker);
    try {
      worker.join(Math.max(1, millis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (worker.isAlive()) {
      return false; // still exporting: draining beside it would break the one-consumer rule
    }
    exportQueued(new ArrayList<>(batchSize));
    return true;
  }
}
