package io.weft.agent.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.weft.agent.export.LogQueueProcessor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Weft's logger provider and batch processor: what a record carries to the exporters, the limits, batching by size
 * and by delay, a full queue refusing rather than blocking, and the exit flush.
 */
class LeanLoggerProviderTest {
  private static final Resource RESOURCE = Resource.builder().put("service.name", "test").build();

  private final Exported exported = new Exported();
  private LogQueueProcessor processor;

  @AfterEach
  void close() {
    if (processor != null) {
      processor.close(1000);
    }
  }

  /** Keeps what it is given; may hold the processor's thread until released. */
  private static final class Exported implements LogRecordExporter {
    final List<LogRecordData> logs = new ArrayList<>();
    final List<Integer> batches = new ArrayList<>();
    volatile CountDownLatch hold = new CountDownLatch(0);

    @Override
    public synchronized CompletableResultCode export(Collection<LogRecordData> batch) {
      try {
        hold.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      logs.addAll(batch);
      batches.add(batch.size());
      notifyAll();
      return CompletableResultCode.ofSuccess();
    }

    synchronized List<LogRecordData> await(int count) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (logs.size() < count && System.nanoTime() < deadline) {
        wait(10);
      }
      return new ArrayList<>(logs);
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

  private LeanLoggerProvider provider(int queue, int batch, long delayMillis, int valueLimit) {
    processor = new LogQueueProcessor(queue, batch, delayMillis, List.of(exported));
    return new LeanLoggerProvider(RESOURCE, valueLimit, 3, processor);
  }

  @Test
  void aRecordCarriesWhatItWasGivenAndTheSpanOfItsContext() throws InterruptedException {
    LeanLoggerProvider provider = provider(100, 10, 50, 5);
    Logger logger = provider.get("com.acme.Orders");
    assertSame(logger, provider.get("com.acme.Orders"), "one logger per name");
    SpanContext span = SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", TraceFlags.getSampled(),
        TraceState.getDefault());
    long before = System.currentTimeMillis() * 1_000_000L;
    logger.logRecordBuilder().setTimestamp(Instant.ofEpochSecond(1, 5)).setSeverity(Severity.WARN).setSeverityText("WARNING")
        .setBody("order placed").setContext(Context.root().with(Span.wrap(span)))
        .setAttribute(AttributeKey.stringKey("exception.message"), "longer than five")
        .setAttribute(AttributeKey.longKey("n"), 7L)
        .setAttribute(AttributeKey.stringKey("third"), "x")
        .setAttribute(AttributeKey.stringKey("fourth"), "over the count limit")
        .emit();
    LogRecordData log = exported.await(1).get(0);
    assertEquals("com.acme.Orders", log.getInstrumentationScopeInfo().getName());
    assertSame(RESOURCE, log.getResource());
    assertEquals(1_000_000_005L, log.getTimestampEpochNanos());
    assertTrue(log.getObservedTimestampEpochNanos() >= before);
    assertEquals(Severity.WARN, log.getSeverity());
    assertEquals("WARNING", log.getSeverityText());
    assertEquals("order placed", log.getBodyValue().asString());
    assertEquals("order placed", log.getBody().asString());
    assertEquals(span, log.getSpanContext());
    assertEquals("longe", log.getAttributes().get(AttributeKey.stringKey("exception.message")));
    assertEquals(7L, log.getAttributes().get(AttributeKey.longKey("n")));
    assertEquals(3, log.getAttributes().size());
    assertNull(log.getAttributes().get(AttributeKey.stringKey("fourth")));
  }

  @Test
  void loggerNamesMadeUpWithoutEndAreNotAllKept() {
    LeanLoggerProvider provider = provider(100, 10, 50, 100);
    for (int i = 0; i < 10_000; i++) {
      provider.get("made.up." + i);
    }
    Logger kept = provider.get("made.up.1");
    assertSame(kept, provider.get("made.up.1"));
    Logger past = provider.get("one.too.many");
    assertFalse(past == provider.get("one.too.many"), "past the bound a logger is made each time, not kept");
    assertEquals("one.too.many", ((LeanLogRecord) past.logRecordBuilder()).getInstrumentationScopeInfo().getName());
  }

  @Test
  void outsideASpanAndWithNothingSetTheRecordIsEmptyButTimed() throws InterruptedException {
    LeanLoggerProvider provider = provider(100, 10, 50, 100);
    provider.loggerBuilder("scoped").setInstrumentationVersion("1.2").build().logRecordBuilder().emit();
    LogRecordData log = exported.await(1).get(0);
    assertEquals("1.2", log.getInstrumentationScopeInfo().getVersion());
    assertFalse(log.getSpanContext().isValid());
    assertEquals(Severity.UNDEFINED_SEVERITY_NUMBER, log.getSeverity());
    assertNull(log.getBodyValue());
    assertEquals(0, log.getTimestampEpochNanos());
    assertTrue(log.getObservedTimestampEpochNanos() > 0);
    assertTrue(log.getAttributes().isEmpty());
  }

  @Test
  void batchesGoOutWhenFullOrWhenTheDelayHasPassed() throws InterruptedException {
    LeanLoggerProvider provider = provider(1000, 4, 60_000, 100);
    Logger logger = provider.get("batch");
    for (int i = 0; i < 8; i++) {
      logger.logRecordBuilder().setBody("line " + i).emit();
    }
    assertEquals(8, exported.await(8).size(), "two full batches, without waiting for the minute's delay");
    processor.close(1000);

    Exported later = new Exported();
    processor = new LogQueueProcessor(1000, 100, 50, List.of(later));
    new LeanLoggerProvider(RESOURCE, 100, 3, processor).get("delay").logRecordBuilder().setBody("alone").emit();
    assertEquals("alone", later.await(1).get(0).getBodyValue().asString(), "one record, sent once the delay passed");
  }

  @Test
  void aFullQueueRefusesAndCountsAndTheExitFlushSendsTheRest() throws InterruptedException {
    exported.hold = new CountDownLatch(1); // the processor's thread is held in its first export
    LeanLoggerProvider provider = provider(8, 2, 60_000, 100);
    Logger logger = provider.get("full");
    logger.logRecordBuilder().setBody("first").emit();
    logger.logRecordBuilder().setBody("second").emit(); // a batch: the thread takes both and is held
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (processor.queueSize() > 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    for (int i = 0; i < 20; i++) {
      logger.logRecordBuilder().setBody("more " + i).emit(); // 8 fit, 12 are refused, none blocks
    }
    assertEquals(12, processor.queueFull.sum());
    exported.hold.countDown();
    assertTrue(processor.close(5000));
    List<LogRecordData> logs = exported.await(10);
    assertEquals(10, logs.size(), logs::toString);
    logger.logRecordBuilder().setBody("after the exit").emit();
    assertEquals(13, processor.queueFull.sum(), "refused once closed");
  }
}
