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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.GZIPOutputStream;

/**
 * Weft's batching span processor. The application thread that ends a sampled span only appends it
 * to a bounded lock-free queue ({@link SpanRing}; when it is full, counts it as dropped): it never blocks
 * and never does I/O. The batch thread turns queued spans into encoded OTLP requests (whenever a batch
 * is full or the schedule delay has passed) and hands them to the {@link ExportBuffer}, from which
 * {@link Delivery} sends them. Encoding early keeps memory small (a few hundred bytes a span) and makes
 * buffering to disk a plain file write. One exception to "the application thread never encodes": when
 * the queue is full because the batch thread has been kept off the CPU (not because it is too slow), the
 * thread that finds it full encodes one batch in its place ({@link #helpStarvedBatchThread}).
 */
final class SpanQueueProcessor implements SpanProcessor {

  private final StripedSpanQueue<ReadableSpan> queue;
  /** Held while taking from the queue, which has one consumer at a time: the batch thread or a helper. */
  private final ReentrantLock taking = new ReentrantLock();
  /**
   * The helpers' places (a helper: a producer that found the queue full while the batch thread was kept off the
   * CPU, or the exit drain), each a lock and the encoder it guards; the batch thread has its own encoder. More
   * than one: on saturated cores a helper loses its core while encoding as often as the batch thread does, and
   * with one place every producer that found the queue full meanwhile dropped its span (nearly all of the drops
   * of a saturated two-core web JVM). Tried in order. All are made with the processor (a lock each; an encoder
   * only at a place's first help), so the exit drain, which takes them all, makes nothing.
   */
  private final HelperSlot[] helpers = new HelperSlot[HELPER_SLOTS];
  static final int HELPER_SLOTS = 4;
  private final int batchSize;
  /**
   * How many queued spans wake a parked batch thread: a batch, or with a schedule delay of 0 ("export as soon
   * as possible") the first span, since then there is no schedule to wait for.
   */
  private final int wakeAt;
  /** The longest park when nothing else bounds it: the schedule delay, or 1 s when that is 0 (never a spin). */
  private final long idleNanos;
  private final long delayNanos;
  private final ExportBuffer buffer;
  private final boolean gzip;
  private final ExportStats stats;
  private final LeanSpanEncoder leanEncoder = new LeanSpanEncoder();
  /** Buffers of delivered requests, for the encoders to write the next ones into (batch thread and helpers). */
  private final RequestBuffers requestBuffers = new RequestBuffers();
  /**
   * Spans refused at the full queue for none of the reasons counted below: help is off, the processor is closed,
   * or the batch thread could not run and no help was possible. Each refusal is counted in one counter only, so
   * that a refusal costs one atomic add: {@link #queueFull} is their total.
   */
  final LongAdder refusedOtherwise = new LongAdder();
  /** Batches a producer encoded because the batch thread was kept off the CPU while the queue was full. */
  final LongAdder helped = new LongAdder();
  /**
   * Spans refused while the batch thread was running (it had taken lately): the application outruns the
   * exporter, and no help would have kept them. Counted on the refusal path only.
   */
  final LongAdder outrun = new LongAdder();
  /** Spans refused without a look at the batch thread, in the budget an outrun grants ({@link #uncheckedRefusals}). */
  final LongAdder refusedUnchecked = new LongAdder();
  /** Spans refused while the batch thread waited for room in the export buffer (the collector is slower, or away). */
  final LongAdder refusedForRoom = new LongAdder();
  /** {@link #outrun} when a producer last helped, or when help was last allowed again ({@link #HELP_REARM_NANOS}). */
  private volatile long outrunAtLastHelp;
  private volatile long lastHelpNanos = System.nanoTime();
  /**
   * Refusals left that skip the starvation check (its clock read, 30 ns on a virtual machine): a batch of them
   * once the application is seen outrunning the exporter, when no help is worth it anyway. A hint, read and
   * written without synchronization.
   */
  private int uncheckedRefusals;
  private final long starvedNanos;
  /** When the batch thread last took from the queue or looked at it (before parking with too little to take). */
  private volatile long batchThreadProgress = System.nanoTime();
  private final Thread thread;
  private volatile boolean closed;
  private volatile boolean flushRequested;
  private volatile boolean batchThreadWaiting;
  /** The batch thread is parked until the export buffer has room again; the buffer wakes it when it makes some. */
  private volatile boolean waitingForRoom;
  /** The size of the last request encoded: the room the buffer must have before the next one is encoded. */
  private volatile int lastRequestBytes = 1;

  SpanQueueProcessor(int capacity, int batchSize, long delayMillis, ExportBuffer buffer, boolean gzip, ExportStats stats) {
    this(capacity, batchSize, delayMillis, buffer, gzip, stats, DEFAULT_STARVED_NANOS, true);
  }

  /**
   * How long the batch thread may show no progress (a take, or {@link LeanSpanEncoder#BEAT_EVERY} spans encoded)
   * while the queue is full before the producer that finds it full encodes a batch itself. A running batch thread
   * shows progress every few tens of microseconds, so this is long enough that it never looks starved, and short
   * enough that a burst cannot fill the queue's free room and be dropped as "outrun" while the batch thread is in
   * fact off the CPU: 2 ms here dropped up to 1,400 spans a step of the pipeline benchmark at 200,000/s, every one
   * counted as outrun, the producer catching up in a burst right after a take while the batch thread waited for
   * a core.
   */
  static final long DEFAULT_STARVED_NANOS = TimeUnit.MICROSECONDS.toNanos(250);

  /**
   * How long producers stop helping once the application was seen outrunning the exporter (more than a batch
   * of spans refused while the batch thread ran, since the last help). Then help is worth nothing: the spans
   * are lost either way, and the encoding only slows the application down. After this pause one help is
   * allowed again, in case the load has changed.
   */
  static final long HELP_REARM_NANOS = TimeUnit.SECONDS.toNanos(1);

  /**
   * {@code starvedNanos} negative: a full queue drops, as the standard processor does. {@code startBatchThread}
   * false (tests): a batch thread that never gets the CPU.
   */
  SpanQueueProcessor(int capacity, int batchSize, long delayMillis, ExportBuffer buffer, boolean gzip, ExportStats stats,
      long starvedNanos, boolean startBatchThread) {
    this(capacity, batchSize, delayMillis, buffer, gzip, stats, starvedNanos, startBatchThread,
        StripedSpanQueue.stripesFor(Runtime.getRuntime().availableProcessors()));
  }

  /** {@code stripes}: of the queue ({@link StripedSpanQueue}); tests that follow one thread's spans in order take 1. */
  SpanQueueProcessor(int capacity, int batchSize, long delayMillis, ExportBuffer buffer, boolean gzip, ExportStats stats,
      long starvedNanos, boolean startBatchThread, int stripes) {
    this.wakeAt = delayMillis == 0 ? 1 : batchSize;
    this.queue = new StripedSpanQueue<>(capacity, stripes, wakeAt);
    this.starvedNanos = starvedNanos < 0 ? -1 : starvedNanos;
    this.batchSize = batchSize;
    for (int i = 0; i < helpers.length; i++) {
      helpers[i] = new HelperSlot();
    }
    this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
    this.idleNanos = delayMillis > 0 ? delayNanos : TimeUnit.SECONDS.toNanos(1);
    this.buffer = buffer;
    this.gzip = gzip;
    this.stats = stats;
    this.thread = new Thread(new BatchLoop(this), "weft-batch-spans");
    thread.setDaemon(true);
    buffer.onRoom(new WakeOnRoom(this));
    buffer.recycleTo(requestBuffers);
    if (startBatchThread) {
      thread.start();
    }
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
    int offered = closed ? StripedSpanQueue.REFUSED : queue.offer(span);
    if (offered == StripedSpanQueue.REFUSED) {
      if (closed) {
        refusedOtherwise.increment();
      } else {
        helpStarvedBatchThread(span); // counts the span if it is refused after all
      }
      return; // (a helper has just taken a batch: nothing for the batch thread to wake for)
    }
    // the flag first: it is written only when the batch thread parks or wakes, so reading it costs nothing; the
    // size, a sum over the stripes, only when the queue says so (every few spans a stripe takes)
    if (offered == StripedSpanQueue.ADDED_LOOK && batchThreadWaiting && queue.size() >= wakeAt) {
      batchThreadWaiting = false;
      LockSupport.unpark(thread);
    }
  }

  /**
   * The queue is full. When the batch thread has taken from it lately, the span is dropped, as the
   * standard processor does: export is slower than the application, and the application must not slow
   * down to its pace. But when the batch thread has taken nothing for {@link #starvedNanos}, it is not
   * slow, it is off the CPU (on two saturated cores a runnable thread can wait several milliseconds for
   * its turn, while the request threads fill the default queue in a few): then this thread takes one
   * batch and encodes it into the export buffer in its place, unless {@value #HELPER_SLOTS} other threads
   * are doing so (it never waits for a lock), and offers its span again. Encoding only: sending stays on the export thread.
   * Help is for a batch thread that cannot run, not for an application faster than export: once more than
   * a batch was refused while the batch thread ran since the last help, helping stops for
   * {@link #HELP_REARM_NANOS} ({@link #helpIsWorthIt}).
   */
  private boolean helpStarvedBatchThread(ReadableSpan span) {
    if (starvedNanos < 0) {
      refusedOtherwise.increment();
      return false;
    }
    if (waitingForRoom) {
      refusedForRoom.increment();
      return false; // (with the collector away and the buffer full, an encoded batch would only be dropped)
    }
    if (uncheckedRefusals > 0) {
      uncheckedRefusals--;
      refusedUnchecked.increment();
      return false;
    }
    long now = System.nanoTime();
    if (now - batchThreadProgress() < starvedNanos) {
      outrun.increment();
      if (outrun.sum() - outrunAtLastHelp > batchSize) {
        uncheckedRefusals = batchSize;
      }
      return false;
    }
    if (helpIsWorthIt(now) && hasRoom() && encodeABatchInPlace(span, now)) {
      return true;
    }
    refusedOtherwise.increment();
    return false;
  }

  /**
   * The help itself, in a method of its own: rarely called, it stays out of the compiled refusal path (which a
   * producer faster than export takes on every span).
   */
  private boolean encodeABatchInPlace(ReadableSpan span, long now) {
    HelperSlot slot = freeHelperSlot();
    if (slot == null) {
      return false; // every place is taken by a helper that has not finished
    }
    try {
      if (!taking.tryLock()) {
        return false; // the batch thread is taking a batch right now
      }
      List<Object> taken = new ArrayList<>(batchSize);
      try {
        queue.drainTo(taken, batchSize);
      } finally {
        taking.unlock();
      }
      if (!taken.isEmpty()) {
        helped.increment();
        outrunAtLastHelp = outrun.sum();
        lastHelpNanos = now;
        encodeIntoBuffer(taken, slot.encoder());
      }
    } catch (Throwable bug) {
      InternalErrors.report("span export", bug);
    } finally {
      slot.lock.unlock();
    }
    return queue.offer(span) != StripedSpanQueue.REFUSED;
  }

  /**
   * Whether a help could still keep spans: at most a batch was refused while the batch thread ran since the
   * last help (a short burst right after one of its takes can be), or the last help was
   * {@link #HELP_REARM_NANOS} ago.
   */
  private boolean helpIsWorthIt(long now) {
    long refused = outrun.sum();
    if (refused - outrunAtLastHelp <= batchSize) {
      return true;
    }
    if (now - lastHelpNanos >= HELP_REARM_NANOS) {
      outrunAtLastHelp = refused;
      lastHelpNanos = now;
      return true;
    }
    return false;
  }

  /**
   * The batch thread has taken what there was and is about to park: whatever outran it is over, so the
   * refusals an outrun let go unchecked end here. Left standing, they would drop the first spans of a later,
   * unrelated moment when the batch thread gets no CPU, before any producer looked at whether to help.
   */
  void caughtUp() {
    if (uncheckedRefusals != 0) {
      uncheckedRefusals = 0;
    }
  }

  /**
   * When the batch thread last showed progress: took from the queue, looked at it, or encoded
   * {@link LeanSpanEncoder#BEAT_EVERY} more spans. A take is followed by a batch's encoding (hundreds of
   * microseconds), and only the encoder's beats tell a batch thread that is in the middle of it from one
   * that a core was taken from right after its take.
   */
  private long batchThreadProgress() {
    long took = batchThreadProgress;
    long beat = leanEncoder.beat;
    return beat - took > 0 ? beat : took;
  }

  /** Tests: as if the batch thread last took {@code batchThreadNanos} earlier, and the last help (or re-arm) {@code lastHelpNanos}. */
  void ageForTest(long batchThreadNanos, long lastHelpNanos) {
    batchThreadProgress -= batchThreadNanos;
    leanEncoder.beat -= batchThreadNanos;
    this.lastHelpNanos -= lastHelpNanos;
  }

  /** Tests: the batch thread's encoder, whose beats show the batch thread running. */
  LeanSpanEncoder batchEncoderForTest() {
    return leanEncoder;
  }

  /** Spans refused because the batch thread, running, could not keep up (the application outran export). */
  long refusedWhileRunning() {
    return outrun.sum() + refusedUnchecked.sum();
  }

  /** Whether the buffer would keep a request as large as the last one encoded. */
  private boolean hasRoom() {
    return buffer.hasRoomFor(lastRequestBytes);
  }

  boolean isWaitingForRoom() {
    return waitingForRoom;
  }

  Thread batchThread() {
    return thread;
  }

  /** The first helper place no other helper holds, locked; null when all are held. */
  private HelperSlot freeHelperSlot() {
    for (HelperSlot slot : helpers) {
      if (slot.lock.tryLock()) {
        return slot;
      }
    }
    return null;
  }

  /** How many helpers' places hold a lock now (for tests). */
  int helpersAtWork() {
    int busy = 0;
    for (HelperSlot slot : helpers) {
      if (slot.lock.isLocked()) {
        busy++;
      }
    }
    return busy;
  }

  /** Locks helper place {@code i} from a test, as a helper that lost its core while encoding holds it. */
  java.util.concurrent.locks.Lock helperLockForTest(int i) {
    return helpers[i].lock;
  }

  /** One helper's place: its lock and the encoder it guards, made at its first help. */
  private static final class HelperSlot {
    final ReentrantLock lock = new ReentrantLock();
    private LeanSpanEncoder encoder;

    LeanSpanEncoder encoder() {
      if (encoder == null) {
        encoder = new LeanSpanEncoder();
      }
      return encoder;
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
    return queue.accepted() + queueFull();
  }

  /** Spans refused at the full queue, for any reason: dropped. */
  long queueFull() {
    return refusedOtherwise.sum() + refusedForRoom.sum() + refusedUnchecked.sum() + outrun.sum();
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
        batchThreadProgress = now;
        FaultInjection.batchThreadStall();
        // the schedule with a delay of 0 is every span: wakeAt is 1, and "now >= nextExport" would be a spin
        if (queue.size() >= wakeAt || (delayNanos > 0 && now >= nextExport) || flushRequested) {
          if (!flushRequested && !hasRoom()) {
            awaitRoom();
            continue;
          }
          boolean flush = flushRequested;
          if (drain(batch, flush || now >= nextExport, !flush, leanEncoder) == 0 && queue.size() >= wakeAt) {
            LockSupport.parkNanos(100_000); // the next span's producer has claimed its slot and not written it yet
          }
          if (flush) {
            flushRequested = false; // one asked for while this drain ran is served by the next
          }
          nextExport = System.nanoTime() + delayNanos;
          continue;
        }
        batchThreadWaiting = true;
        if (queue.size() < wakeAt && !flushRequested) {
          caughtUp();
          LockSupport.parkNanos(this, delayNanos > 0 ? nextExport - now : idleNanos);
        }
        batchThreadWaiting = false;
      } catch (Throwable bug) {
        InternalErrors.report("span batch thread", bug);
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
      }
    }
  }

  /**
   * Encodes full batches, and the remainder too when {@code all}; returns how many spans it took from the
   * queue. With {@code untilFull}, stops when the export buffer has no room left (a flush and the exit drain
   * encode everything: what does not fit is counted as dropped). The batch thread with its encoder, or the
   * exit drain with the helpers'.
   */
  private int drain(List<Object> taken, boolean all, boolean untilFull, LeanSpanEncoder encoder) {
    int total = 0;
    while (queue.size() >= batchSize || (all && queue.size() > 0)) {
      taken.clear();
      taking.lock();
      try {
        total += queue.drainTo(taken, batchSize);
      } finally {
        taking.unlock();
      }
      if (encoder == leanEncoder) {
        batchThreadProgress = System.nanoTime();
      }
      if (taken.isEmpty()) {
        return total; // what is left is being written by its producer (or a helper took it): the next round
      }
      encodeIntoBuffer(taken, encoder);
      if (untilFull && !hasRoom()) {
        return total; // the rest stays queued until the buffer has room (batchLoop waits for it)
      }
    }
    return total;
  }

  /**
   * Parks the batch thread while the export buffer is full (the collector is away or slower than the
   * application), until the buffer makes room ({@link WakeOnRoom}), a flush is asked for, or {@link #idleNanos}
   * pass. A request encoded now could not be kept: it would be dropped after costing the encoding.
   * Meanwhile the queue holds what it can and refuses the rest at the cost of a failed offer, counted as
   * {@code queue_full}, as the standard processor counts spans its exporter could not take.
   */
  private void awaitRoom() {
    waitingForRoom = true;
    if (!closed && !flushRequested && !hasRoom()) { // after the flag: room made since is not missed
      LockSupport.parkNanos(this, idleNanos);
    }
    waitingForRoom = false;
  }

  /** Called by the buffer when it has made room: wakes the batch thread if it waits for room. */
  private static final class WakeOnRoom implements Runnable {
    private final SpanQueueProcessor processor;

    WakeOnRoom(SpanQueueProcessor processor) {
      this.processor = processor;
    }

    @Override
    public void run() {
      if (processor.waitingForRoom) {
        processor.waitingForRoom = false;
        // it had nothing it could do until now, so it was not starved: producers help only if it gets no CPU from here
        processor.batchThreadProgress = System.nanoTime();
        LockSupport.unpark(processor.thread);
      }
    }
  }

  /** Makes {@code taken} span data, encodes it with {@code encoder} (one user at a time) and keeps the request. */
  @SuppressWarnings("unchecked")
  private void encodeIntoBuffer(List<Object> taken, LeanSpanEncoder encoder) {
    for (int i = 0; i < taken.size(); i++) {
      Object span = taken.get(i);
      if (!(span instanceof SpanData)) { // a lean span is its own data; an SDK span makes a copy
        taken.set(i, ((ReadableSpan) span).toSpanData());
      }
    }
    List<SpanData> batch = (List<SpanData>) (List<?>) taken; // every element is a SpanData now
    byte[] bytes;
    int length;
    try {
      FaultInjection.export();
      if (LeanSpanEncoder.accepts(batch)) {
        length = encoder.encodeInPlace(batch);
        if (gzip) {
          bytes = gzip(encoder.buffer(), length, encoder);
          length = bytes.length;
        } else if (length >= encoder.buffer().length / 2) {
          // the encoder's buffer is the request: no copy; a delivered one takes its place
          bytes = encoder.handOver(requestBuffers.take());
        } else {
          // a small request in a large buffer: a copy, so the export buffer's memory cap counts what it keeps
          bytes = Arrays.copyOf(encoder.buffer(), length);
        }
      } else {
        bytes = encode(TraceRequestMarshaler.create(batch), gzip);
        length = bytes.length;
        encoder.beat = System.nanoTime();
      }
    } catch (IOException | RuntimeException e) {
      InternalErrors.report("span export", e);
      stats.dropped("encoding_failed", batch.size());
      return;
    }
    lastRequestBytes = bytes.length; // what the buffer counts against its cap: the whole array
    if (!buffer.add(bytes, length, batch.size(), gzip)) {
      stats.dropped("buffer_full", batch.size());
    }
  }

  static byte[] gzip(byte[] request) throws IOException {
    return gzip(request, request.length, null);
  }

  /**
   * Compressing a batch takes milliseconds: in slices, after each of which {@code beatTo} (when given) beats, so
   * that a batch thread compressing does not look starved to the producers.
   */
  private static byte[] gzip(byte[] request, int length, LeanSpanEncoder beatTo) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(length / 4 + 64);
    try (GZIPOutputStream zipped = new GZIPOutputStream(out)) {
      for (int from = 0; from < length; from += GZIP_SLICE) {
        zipped.write(request, from, Math.min(GZIP_SLICE, length - from));
        if (beatTo != null) {
          beatTo.beat = System.nanoTime();
        }
      }
    }
    return out.toByteArray();
  }

  /** Bytes compressed between two beats: about a tenth of a millisecond. */
  private static final int GZIP_SLICE = 8 * 1024;

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
    // every helper done first: what one is encoding must be in the buffer before the exit sends it
    for (HelperSlot slot : helpers) {
      slot.lock.lock();
    }
    try {
      // the batch thread's encoder once that thread has stopped (a second one would be built and its buffers
      // touched on the exit path); the first helper's when it did not stop in time and may still be using its own
      drain(new ArrayList<>(), true, false, thread.isAlive() ? helpers[0].encoder() : leanEncoder);
    } finally {
      for (int i = helpers.length - 1; i >= 0; i--) {
        helpers[i].lock.unlock();
      }
    }
  }

  @Override
  public CompletableResultCode shutdown() {
    closeAndDrain();
    return CompletableResultCode.ofSuccess();
  }

  /** The batch thread's task; a class rather than a method reference, which would cost start-up a spun class. */
  private static final class BatchLoop implements Runnable {
    private final SpanQueueProcessor processor;

    BatchLoop(SpanQueueProcessor processor) {
      this.processor = processor;
    }

    @Override
    public void run() {
      processor.batchLoop();
    }
  }
}
