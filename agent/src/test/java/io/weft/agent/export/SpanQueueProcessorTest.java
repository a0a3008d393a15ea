package io.weft.agent.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.weft.instrumentation.trace.LeanSpan;
import io.weft.instrumentation.trace.LeanTracer;
import io.weft.instrumentation.trace.SamplingPolicy;
import io.weft.instrumentation.trace.SpanPipeline;
import io.weft.instrumentation.trace.TelemetryResource;
import io.opentelemetry.sdk.trace.ReadableSpan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The span queue's batches as encoded requests: spans of the SDK's own tracer are copied into span
 * data, a lean span is its own, and each batch of the configured size is one request in the buffer.
 */
class SpanQueueProcessorTest {
  private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long HOUR_NANOS = TimeUnit.HOURS.toNanos(1);

  private final ExportBuffer buffer = new ExportBuffer("traces", 1 << 20, null, 0, line -> {});
  private final SpanQueueProcessor processor = new SpanQueueProcessor(100, 4, 3_600_000, buffer, false, new ExportStats());
  private final List<SpanData> ended = new ArrayList<>();

  @Test
  void sdkAndLeanSpansGoOutInBatchesOfTheConfiguredSize() throws Exception {
    Resource resource = Resource.getDefault();
    SdkTracerProvider sdk = SdkTracerProvider.builder().setResource(resource)
        .addSpanProcessor(new EndedSpans(ended)).addSpanProcessor(processor).build();
    for (int i = 0; i < 3; i++) {
      sdk.get("sdk-scope").spanBuilder("sdk " + i).startSpan().end();
    }
    LeanSpan lean = new SpanPipeline(SamplingPolicy.of("always_on", 1.0), processor, new TelemetryResource(resource.getAttributes()), SpanLimits.getDefault())
        .tracer("lean-scope", null).start("lean", SpanKind.SERVER, Attributes.empty(), Context.root(), System.nanoTime());
    lean.end();
    ended.add(lean);
    for (int i = 3; i < 5; i++) {
      sdk.get("sdk-scope").spanBuilder("sdk " + i).startSpan().end();
    }
    processor.closeAndDrain();

    // six spans in batches of four: the first mixes both kinds (the SDK's marshalers write it), the second is the rest
    assertArrayEquals(expected(ended.subList(0, 4)), next(4));
    assertArrayEquals(expected(ended.subList(4, 6)), next(2));
    assertNull(buffer.peek(0), "nothing else was queued");
  }

  @Test
  void aLargeRequestIsTheEncodersOwnBufferAndTheBufferComesBackForALaterOne() throws Exception {
    ExportBuffer requests = new ExportBuffer("traces", 16 << 20, null, 0, line -> {});
    // no batch thread: the span that finds the queue full encodes the 1,500 before it (a helper's encoder, the
    // same one each time), then is queued itself; one stripe keeps the order the batches are checked against
    SpanQueueProcessor processor = new SpanQueueProcessor(1500, 1500, 3_600_000, requests, false, new ExportStats(), 0, false, 1);
    // one tracer for all: every request then holds one resource, as the SDK's marshalers group it
    LeanTracer tracer = new SpanPipeline(SamplingPolicy.of("always_on", 1.0), processor,
        new TelemetryResource(Resource.getDefault().getAttributes()), SpanLimits.getDefault()).tracer("scope", null);
    List<SpanData> made = new ArrayList<>(endSpans(tracer, 1501));
    Payload first = requests.peek(0);
    byte[] firstArray = requests.read(first);
    assertTrue(first.size >= firstArray.length / 2 && first.size < firstArray.length,
        "1,500 spans fill more than half of the encoder's buffer, which is the request: " + first.size + " of " + firstArray.length);
    assertArrayEquals(expected(made.subList(0, 1500)), next(requests, 1500)); // delivered: the array goes back

    made.addAll(endSpans(tracer, 1500));
    Payload second = requests.peek(0);
    assertTrue(requests.read(second) != firstArray, "the encoder wrote into the buffer it took when it handed the first over");
    assertArrayEquals(expected(made.subList(1500, 3000)), next(requests, 1500));

    made.addAll(endSpans(tracer, 1500));
    Payload third = requests.peek(0);
    assertSame(firstArray, requests.read(third), "and took the first one's array back in its place, for this one");
    assertArrayEquals(expected(made.subList(3000, 4500)), next(requests, 1500));
    assertEquals(0, processor.queueFull(), "nothing dropped");
  }

  @Test
  void whenTheBatchThreadNeverRunsTheThreadThatFindsTheQueueFullEncodesABatchInsteadOfDropping() throws Exception {
    ExportBuffer requests = new ExportBuffer("traces", 1 << 20, null, 0, line -> {});
    // one stripe: the queue keeps this one thread's spans in order, which the batches are checked against
    SpanQueueProcessor starved = new SpanQueueProcessor(8, 4, 3_600_000, requests, false, new ExportStats(), 0, false, 1);
    List<SpanData> made = endSpans(starved, 20);

    assertEquals(0, starved.queueFull(), "nothing dropped");
    assertEquals(3, starved.helped.sum(), "the 9th, 13th and 17th span each found the queue full and encoded the oldest four");
    assertEquals(8, starved.queueSize());
    starved.closeAndDrain();
    for (int i = 0; i < 20; i += 4) { // in the order they ended, each batch once
      List<String> ids = new ArrayList<>();
      for (SpanData span : made.subList(i, i + 4)) {
        ids.add(span.getSpanId());
      }
      assertEquals(ids, OtlpSpanIds.of(next(requests, 4)), "batch from span " + i);
    }
    assertNull(requests.peek(0));
  }

  @Test
  void aProducerThatFindsAnotherHelperAtWorkHelpsInTheNextPlaceInsteadOfDropping() throws Exception {
    ExportBuffer requests = new ExportBuffer("traces", 1 << 20, null, 0, line -> {});
    SpanQueueProcessor starved = new SpanQueueProcessor(8, 4, 3_600_000, requests, false, new ExportStats(), 0, false, 1);
    // another thread holds the first helper's place, as a helper that lost its core in the middle of encoding does
    HeldLocks held = HeldLocks.hold(starved, 1);
    try {
      List<SpanData> made = endSpans(starved, 20);
      assertEquals(0, starved.queueFull(), "nothing dropped: one helper at work no longer stops the others");
      assertEquals(3, starved.helped.sum());
      assertEquals(1, starved.helpersAtWork(), "the second place was let go after each help");
      for (int i = 0; i < 12; i += 4) {
        List<String> ids = new ArrayList<>();
        for (SpanData span : made.subList(i, i + 4)) {
          ids.add(span.getSpanId());
        }
        assertEquals(ids, OtlpSpanIds.of(next(requests, 4)), "batch from span " + i);
      }
    } finally {
      held.release();
    }
    starved.closeAndDrain();
    assertEquals(8, requests.items(), "the rest at exit");
  }

  @Test
  void withEveryHelperPlaceTakenAFullQueueDropsAndTheExitWaitsForTheHelpers() throws Exception {
    ExportBuffer requests = new ExportBuffer("traces", 1 << 20, null, 0, line -> {});
    SpanQueueProcessor starved = new SpanQueueProcessor(8, 4, 3_600_000, requests, false, new ExportStats(), 0, false, 1);
    HeldLocks held = HeldLocks.hold(starved, SpanQueueProcessor.HELPER_SLOTS);
    Thread exit;
    try {
      endSpans(starved, 20);
      assertEquals(12, starved.queueFull(), "no place to help from: the span is dropped, as the standard processor does");
      assertEquals(0, starved.helped.sum());
      exit = new Thread(starved::closeAndDrain);
      exit.start();
      exit.join(200);
      assertTrue(exit.isAlive(), "the exit drain waits while a helper may still be encoding a batch it took");
      assertEquals(0, requests.items());
    } finally {
      held.release();
    }
    exit.join(10_000);
    assertFalse(exit.isAlive());
    assertEquals(8, requests.items(), "once the helpers are done, the exit encodes what is queued");
  }

  /** Helper places held by a thread of their own (the locks are reentrant: the producing thread must not hold them). */
  private static final class HeldLocks {
    private final CountDownLatch release = new CountDownLatch(1);
    private final Thread holder;

    private HeldLocks(SpanQueueProcessor processor, int count) throws InterruptedException {
      CountDownLatch holding = new CountDownLatch(1);
      holder = new Thread(() -> {
        for (int i = 0; i < count; i++) {
          processor.helperLockForTest(i).lock();
        }
        holding.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          for (int i = count - 1; i >= 0; i--) {
            processor.helperLockForTest(i).unlock();
          }
        }
      });
      holder.start();
      assertTrue(holding.await(10, TimeUnit.SECONDS));
    }

    static HeldLocks hold(SpanQueueProcessor processor, int count) throws InterruptedException {
      return new HeldLocks(processor, count);
    }

    void release() throws InterruptedException {
      release.countDown();
      holder.join(10_000);
    }
  }

  @Test
  void aFullQueueDropsWhenTheBatchThreadTookLatelyOrHelpingIsOff() {
    ExportBuffer requests = new ExportBuffer("traces", 1 << 20, null, 0, line -> {});
    SpanQueueProcessor busy = new SpanQueueProcessor(8, 4, 3_600_000, requests, false, new ExportStats(), HOUR_NANOS, false);
    endSpans(busy, 20);
    assertEquals(12, busy.queueFull(), "an hour has not passed since the batch thread's last take");
    assertEquals(0, busy.helped.sum());

    SpanQueueProcessor off = new SpanQueueProcessor(8, 4, 3_600_000, requests, false, new ExportStats(), -1, false);
    endSpans(off, 20);
    assertEquals(12, off.queueFull(), "WEFT_BSP_HELP_WHEN_STARVED=false: the standard processor's drop");
    assertEquals(0, off.helped.sum());
    assertEquals(0, requests.items(), "nothing was encoded on a producer's thread");
  }

  @Test
  void onceTheApplicationOutrunsARunningBatchThreadProducersStopHelpingUntilTheRearm() {
    ExportBuffer requests = new ExportBuffer("traces", 1 << 20, null, 0, line -> {});
    SpanQueueProcessor p = new SpanQueueProcessor(8, 4, 3_600_000, requests, false, new ExportStats(), SECOND_NANOS, false);
    endSpans(p, 20);
    assertEquals(12, p.queueFull(), "8 queued, 12 refused");
    // the batch thread took less than a second ago: outrun. Past a batch (4) of them the next 4 refusals are not
    // even checked (no clock read): refusals 1-5 counted, 6-9 unchecked, 10 counted, 11-12 unchecked
    assertEquals(6, p.outrun.sum());
    assertEquals(6, p.refusedUnchecked.sum());
    assertEquals(12, p.refusedWhileRunning(), "every refusal so far was while the batch thread ran");

    long second = TimeUnit.SECONDS.toNanos(1);
    p.ageForTest(2 * second, 0); // now the batch thread looks starved, but 6 > 4 spans were outrun since the last help
    endSpans(p, 5); // 2 unchecked refusals left, then 3 checked
    assertEquals(0, p.helped.sum(), "no help: the spans are lost either way");
    assertEquals(17, p.queueFull());
    assertEquals(6, p.outrun.sum(), "refused while starved: not outrun");

    p.ageForTest(0, second); // a second since the last help (none yet: since the processor began)
    endSpans(p, 8);
    assertEquals(2, p.helped.sum(), "helps again: the 1st and the 5th found the queue full and each encoded a batch");
    assertEquals(17, p.queueFull(), "and nothing more was dropped");
    assertEquals(8, requests.items());
  }

  @Test
  void aBatchThreadEncodingABatchLooksRunningLongAfterItsTake() {
    ExportBuffer requests = new ExportBuffer("traces", 1 << 20, null, 0, line -> {});
    SpanQueueProcessor p = new SpanQueueProcessor(8, 4, 3_600_000, requests, false, new ExportStats(), SECOND_NANOS, false);
    p.ageForTest(2 * SECOND_NANOS, 0); // its last take was two seconds ago: it looks starved
    // ...but its encoder has just written a beat's worth of spans: it is busy encoding, not kept off the CPU
    List<Object> batch = new ArrayList<>(endSpans(new SpanQueueProcessor(100, 100, 3_600_000, requests, false,
        new ExportStats(), -1, false), LeanSpanEncoder.BEAT_EVERY));
    p.batchEncoderForTest().encodeInPlace(batch);
    endSpans(p, 9); // 8 fill the queue, the 9th is refused
    assertEquals(0, p.helped.sum(), "no help for a batch thread that is encoding");
    assertEquals(1, p.outrun.sum(), "the refusal is counted as the application outrunning a running batch thread");

    p.ageForTest(2 * SECOND_NANOS, 0); // two seconds on without a beat or a take: now it is starved
    endSpans(p, 1);
    assertEquals(1, p.helped.sum());
    assertEquals(1, p.queueFull(), "nothing more dropped");
  }

  @Test
  void theRefusalsAnOutrunLetGoUncheckedEndWhenTheBatchThreadCatchesUp() {
    ExportBuffer requests = new ExportBuffer("traces", 1 << 20, null, 0, line -> {});
    SpanQueueProcessor p = new SpanQueueProcessor(8, 4, 3_600_000, requests, false, new ExportStats(), SECOND_NANOS, false);
    endSpans(p, 18); // 8 queued, 10 refused while the batch thread had taken lately: outrun, then 4 unchecked
    assertEquals(6, p.outrun.sum(), "refusals 1-5 and 10 counted as outrun, 6-9 unchecked");
    assertEquals(10, p.queueFull());
    p.caughtUp(); // the batch thread drained the queue and parked: that outrun is over
    p.ageForTest(TimeUnit.SECONDS.toNanos(2), TimeUnit.SECONDS.toNanos(2)); // later, the batch thread gets no CPU
    endSpans(p, 1);
    assertEquals(1, p.helped.sum(), "the first refusal is checked, finds the batch thread starved and helps");
    assertEquals(10, p.queueFull(), "nothing more dropped");
  }

  @Test
  void noHelpWhileTheExportBufferIsFull() throws Exception {
    long oneBatch = oneBatchBytes();

    ExportBuffer requests = new ExportBuffer("traces", oneBatch, null, 0, line -> {}); // room for one batch
    SpanQueueProcessor starved = new SpanQueueProcessor(8, 4, 3_600_000, requests, false, new ExportStats(), 0, false);
    endSpans(starved, 20);
    assertEquals(1, starved.helped.sum(), "the first batch fits; after it the collector is not taking data");
    assertEquals(8, starved.queueFull(), "the rest is refused at the queue, not encoded to be dropped");
  }

  @Test
  void whileTheBufferIsFullTheBatchThreadEncodesNothingAndTheQueueHoldsWhatComesUntilTheBufferMakesRoom() throws Exception {
    long oneBatch = oneBatchBytes();

    // room for one batch, not two; the batch thread runs, producers never help
    ExportBuffer requests = new ExportBuffer("traces", oneBatch + oneBatch / 2, null, 0, line -> {});
    ExportStats stats = new ExportStats();
    SpanQueueProcessor processor = new SpanQueueProcessor(8, 4, 3_600_000, requests, false, stats, -1, true, 1); // in order
    try {
      List<SpanData> made = endSpans(processor, 4);
      awaitTrue(() -> requests.items() == 4, "the first batch is encoded");
      made.addAll(endSpans(processor, 12)); // 8 fit in the queue, 4 do not
      awaitTrue(processor::isWaitingForRoom, "the batch thread waits for room");
      assertEquals(4, requests.items(), "nothing more was encoded");
      assertEquals(4, processor.queueFull(), "what the queue cannot hold is refused there");
      assertEquals(0, stats.droppedTotal(), "nothing was encoded only to be dropped");

      for (int from = 0; from < 12; from += 4) { // each delivery makes room for the next batch, in order
        List<String> ids = new ArrayList<>();
        for (SpanData span : made.subList(from, from + 4)) {
          ids.add(span.getSpanId());
        }
        awaitTrue(() -> requests.items() == 4, "a batch is waiting to be sent");
        assertEquals(ids, OtlpSpanIds.of(next(requests, 4)), "batch from span " + from);
      }
      assertEquals(0, processor.queueSize());
      assertEquals(0, stats.droppedTotal());
    } finally {
      processor.closeAndDrain();
    }
  }

  @Test
  void withAScheduleDelayOfZeroEachSpanGoesOutAtOnceAndTheIdleBatchThreadParks() throws Exception {
    ExportBuffer requests = new ExportBuffer("traces", 1 << 20, null, 0, line -> {});
    SpanQueueProcessor processor = new SpanQueueProcessor(100, 4, 0, requests, false, new ExportStats(), -1, true);
    try {
      Thread batchThread = processor.batchThread();
      // it used to spin: with "now" always past a schedule of 0, it never parked (a core busy for nothing)
      awaitTrue(() -> isParked(batchThread), "the idle batch thread parks");
      List<SpanData> made = endSpans(processor, 1);
      awaitTrue(() -> requests.items() == 1, "one span, no batch to fill and no schedule to wait for: sent at once");
      assertEquals(List.of(made.get(0).getSpanId()), OtlpSpanIds.of(next(requests, 1)));
      awaitTrue(() -> isParked(batchThread), "and it parks again");
    } finally {
      processor.closeAndDrain();
    }
  }

  private static boolean isParked(Thread thread) {
    Thread.State state = thread.getState();
    return state == Thread.State.TIMED_WAITING || state == Thread.State.WAITING;
  }

  /** The size of the request a batch of four of {@link #endSpans}' spans makes. */
  private static long oneBatchBytes() {
    ExportBuffer probe = new ExportBuffer("traces", 1 << 20, null, 0, line -> {});
    SpanQueueProcessor sizing = new SpanQueueProcessor(8, 4, 3_600_000, probe, false, new ExportStats(), 0, false);
    endSpans(sizing, 9); // the 9th finds the queue full and encodes the first four
    long bytes = probe.memoryBytes();
    assertTrue(bytes > 0);
    return bytes;
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "not within 10 s: " + what);
      Thread.sleep(1);
    }
  }

  @Test
  void helpersOnManyThreadsLoseNothingUnaccountedAndSendNothingTwice() throws Exception {
    ExportBuffer requests = new ExportBuffer("traces", 64 << 20, null, 0, line -> {});
    SpanQueueProcessor starved = new SpanQueueProcessor(64, 16, 3_600_000, requests, false, new ExportStats(), 0, false);
    SpanPipeline pipeline = new SpanPipeline(SamplingPolicy.of("always_on", 1.0), starved,
        new TelemetryResource(Resource.getDefault().getAttributes()), SpanLimits.getDefault());
    LeanTracer tracer = pipeline.tracer("scope", null);
    int threads = 4;
    int each = 5_000;
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread producer = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < each; i++) {
          tracer.start("s", SpanKind.INTERNAL, Attributes.empty(), Context.root(), System.nanoTime()).end();
        }
      });
      producer.start();
      producers.add(producer);
    }
    go.countDown();
    for (Thread producer : producers) {
      producer.join();
    }
    starved.closeAndDrain();

    long queued = 0;
    Set<String> spanIds = new HashSet<>();
    for (Payload payload; (payload = requests.peek(0)) != null; ) {
      queued += payload.items;
      for (String id : OtlpSpanIds.of(java.util.Arrays.copyOf(requests.read(payload), payload.size))) {
        assertTrue(spanIds.add(id), "span " + id + " sent twice");
      }
      requests.remove(payload);
    }
    assertEquals(queued, spanIds.size());
    assertEquals(threads * each, queued + starved.queueFull(), "every span is either sent or counted as dropped");
    assertTrue(starved.helped.sum() > 0);
  }

  private static List<SpanData> endSpans(SpanQueueProcessor processor, int count) {
    SpanPipeline pipeline = new SpanPipeline(SamplingPolicy.of("always_on", 1.0), processor,
        new TelemetryResource(Resource.getDefault().getAttributes()), SpanLimits.getDefault());
    return endSpans(pipeline.tracer("scope", null), count);
  }

  private static List<SpanData> endSpans(LeanTracer tracer, int count) {
    List<SpanData> made = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      LeanSpan span = tracer.start("span " + i, SpanKind.INTERNAL, Attributes.empty(), Context.root(),
          System.nanoTime());
      span.end();
      made.add(span);
    }
    return made;
  }

  private byte[] next(int items) throws InterruptedException {
    return next(buffer, items);
  }

  private static byte[] next(ExportBuffer buffer, int items) throws InterruptedException {
    Payload payload = buffer.peek(0);
    assertNotNull(payload);
    assertEquals(items, payload.items);
    // the request is the array's first bytes (an encoder's buffer, handed over), and the array goes back to the
    // encoders once the request is removed: a copy
    byte[] bytes = java.util.Arrays.copyOf(buffer.read(payload), payload.size);
    buffer.remove(payload);
    return bytes;
  }

  private static byte[] expected(List<SpanData> spans) throws Exception {
    return SpanQueueProcessor.encode(TraceRequestMarshaler.create(new ArrayList<>(spans)), false);
  }
}
