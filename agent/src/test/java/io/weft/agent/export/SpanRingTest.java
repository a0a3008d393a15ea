package io.weft.agent.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SpanRingTest {

  @Test
  void holdsExactlyItsCapacityInOrderAcrossTheWrap() {
    SpanRing<String> ring = new SpanRing<>(3); // not a power of two: the capacity, not the slots, is the bound
    assertTrue(ring.offer("a"));
    assertTrue(ring.offer("b"));
    assertTrue(ring.offer("c"));
    assertFalse(ring.offer("d"), "full");
    assertEquals(3, ring.size());
    List<String> out = new ArrayList<>();
    assertEquals(2, ring.drainTo(out, 2));
    assertEquals(List.of("a", "b"), out);
    assertEquals(1, ring.size());
    assertTrue(ring.offer("e"));
    assertTrue(ring.offer("f"));
    assertFalse(ring.offer("g"), "full again after the wrap");
    out.clear();
    assertEquals(3, ring.drainTo(out, 10));
    assertEquals(List.of("c", "e", "f"), out);
    assertEquals(0, ring.size());
    assertEquals(0, ring.drainTo(out, 10), "empty");
    assertEquals(5, ring.accepted(), "a, b, c, e, f: the refused d and g not counted");
    for (int i = 0; i < 20; i++) { // many wraps of the four slots
      assertTrue(ring.offer("x" + i));
      out.clear();
      ring.drainTo(out, 1);
      assertEquals(List.of("x" + i), out);
    }
  }

  @Test
  void concurrentProducersLoseNothingTheyWereToldWasQueuedAndDuplicateNothing() throws Exception {
    int producers = 4;
    int perProducer = 200_000;
    SpanRing<long[]> ring = new SpanRing<>(1000);
    AtomicLong accepted = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      final long producer = p;
      Thread t = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (long i = 0; i < perProducer; i++) {
          if (ring.offer(new long[] {producer, i})) {
            accepted.incrementAndGet();
          } else {
            refused.incrementAndGet();
          }
        }
      });
      t.start();
      threads.add(t);
    }
    AtomicBoolean done = new AtomicBoolean();
    long[] lastSeen = new long[producers];
    java.util.Arrays.fill(lastSeen, -1);
    long[] received = new long[1];
    String[] failure = new String[1];
    Thread consumer = new Thread(() -> {
      List<long[]> batch = new ArrayList<>();
      while (true) {
        boolean finished = done.get();
        batch.clear();
        ring.drainTo(batch, 512);
        for (long[] e : batch) {
          int producer = (int) e[0];
          if (e[1] <= lastSeen[producer] && failure[0] == null) {
            failure[0] = "producer " + producer + " item " + e[1] + " after " + lastSeen[producer];
          }
          lastSeen[producer] = e[1];
          received[0]++;
        }
        if (ring.size() > ring.capacity() && failure[0] == null) {
          failure[0] = "size " + ring.size() + " over the capacity";
        }
        if (finished && batch.isEmpty() && ring.size() == 0) {
          return;
        }
      }
    });
    consumer.start();
    start.countDown();
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(60));
    }
    done.set(true);
    consumer.join(TimeUnit.SECONDS.toMillis(60));
    assertEquals(null, failure[0]);
    assertEquals((long) producers * perProducer, accepted.get() + refused.get());
    assertEquals(accepted.get(), received[0], "every accepted element arrives once (in order per producer, checked above)");
    assertEquals(accepted.get(), ring.accepted());
    assertTrue(accepted.get() > 1000, "the consumer kept up with some: " + accepted.get());
  }
}
