package io.weft.agent.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StripedSpanQueueTest {

  @Test
  void oneThreadHasTheWholeCapacityAcrossTheStripes() {
    StripedSpanQueue<Integer> queue = new StripedSpanQueue<>(10, 4, 512);
    assertEquals(4, queue.stripeCount());
    for (int i = 0; i < 10; i++) {
      assertTrue(queue.offer(i) != StripedSpanQueue.REFUSED, "offer " + i + " of 10");
    }
    assertEquals(StripedSpanQueue.REFUSED, queue.offer(10), "every stripe is full");
    assertEquals(10, queue.size());
    assertEquals(10, queue.accepted(), "the refused one is not counted");

    List<Integer> drained = new ArrayList<>();
    assertEquals(10, queue.drainTo(drained, 100));
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), drained.stream().sorted().toList(), "each once");
    assertEquals(0, queue.size());
    assertTrue(queue.offer(11) != StripedSpanQueue.REFUSED, "room again");
  }

  @Test
  void aQueueFoundFullRefusesUntilADrainThenLooksAtEveryStripeAgain() throws Exception {
    StripedSpanQueue<Integer> queue = new StripedSpanQueue<>(8, 4, 512);
    // a producer whose own stripe is not stripe 0, the one the first drain takes from: the room that drain
    // makes is in another thread's stripe, found only by looking at every stripe again
    java.util.concurrent.ExecutorService producer = null;
    while (producer == null) {
      java.util.concurrent.atomic.AtomicReference<Thread> made = new java.util.concurrent.atomic.AtomicReference<>();
      java.util.concurrent.ExecutorService candidate = java.util.concurrent.Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task);
        made.set(thread);
        return thread;
      });
      candidate.submit(() -> { }).get();
      if ((made.get().getId() & 3) != 0) {
        producer = candidate;
      } else {
        candidate.shutdown();
      }
    }
    try {
      java.util.concurrent.ExecutorService p = producer;
      assertEquals(8, (int) p.submit(() -> {
        int added = 0;
        while (queue.offer(added) != StripedSpanQueue.REFUSED) {
          added++;
        }
        return added;
      }).get(), "its own stripe, then the others");
      assertEquals(StripedSpanQueue.REFUSED, (int) p.submit(() -> queue.offer(100)).get(), "refused on the note");

      List<Integer> drained = new ArrayList<>();
      assertEquals(1, queue.drainTo(drained, 1), "one element, from stripe 0");
      assertTrue(p.submit(() -> queue.offer(101)).get() != StripedSpanQueue.REFUSED, "the drain voided the note");
      assertEquals(StripedSpanQueue.REFUSED, (int) p.submit(() -> queue.offer(102)).get(), "full again");
      assertEquals(8, queue.size());
      assertEquals(9, queue.accepted());
    } finally {
      producer.shutdown();
    }
  }

  @Test
  void drainsTakeAtMostTheirMaximumAndTheNextStartsAtAnotherStripe() {
    StripedSpanQueue<Integer> queue = new StripedSpanQueue<>(16, 2, 512);
    // one thread: its own stripe (8) fills first, then the other one
    for (int i = 0; i < 16; i++) {
      queue.offer(i);
    }
    List<Integer> first = new ArrayList<>();
    assertEquals(8, queue.drainTo(first, 8));
    List<Integer> second = new ArrayList<>();
    assertEquals(8, queue.drainTo(second, 8));
    // which stripe is this thread's depends on its id: its own holds 0-7, the other the spill 8-15
    List<Integer> low = List.of(0, 1, 2, 3, 4, 5, 6, 7);
    List<Integer> high = List.of(8, 9, 10, 11, 12, 13, 14, 15);
    assertTrue(first.equals(low) && second.equals(high) || first.equals(high) && second.equals(low),
        "one stripe per drain, each in order, the second drain at the other stripe: " + first + " then " + second);
    assertEquals(0, queue.drainTo(new ArrayList<>(), 8));
  }

  @Test
  void theStripesAreAPowerOfTwoAndNoMoreThanTheCapacity() {
    StripedSpanQueue<Integer> three = new StripedSpanQueue<>(3, 8, 512);
    assertEquals(2, three.stripeCount());
    assertEquals(3, three.capacity());
    int added = 0;
    while (three.offer(added) != StripedSpanQueue.REFUSED) {
      added++;
    }
    assertEquals(3, added, "the stripes' shares add up to the capacity");
    assertEquals(4, new StripedSpanQueue<Integer>(2048, 6, 512).stripeCount());
    assertEquals(1, new StripedSpanQueue<Integer>(1, 8, 512).stripeCount());
    assertEquals(8, StripedSpanQueue.stripesFor(2));
    assertEquals(4, StripedSpanQueue.stripesFor(1));
    assertEquals(32, StripedSpanQueue.stripesFor(64));
  }

  @Test
  void anOfferSaysWhenToLookAtTheSize() {
    StripedSpanQueue<Integer> queue = new StripedSpanQueue<>(2048, 8, 512);
    assertEquals(64, queue.sizeCheckEvery(), "a batch of 512 over 8 stripes");
    for (int i = 1; i <= 128; i++) {
      int offered = queue.offer(i);
      assertEquals(i % 64 == 0 ? StripedSpanQueue.ADDED_LOOK : StripedSpanQueue.ADDED, offered, "offer " + i);
    }
    // a small queue: at most a quarter of a stripe between looks, so it cannot fill unseen
    assertEquals(2, new StripedSpanQueue<Integer>(64, 8, 512).sizeCheckEvery());
    // a schedule delay of 0 wakes the batch thread at the first span: every offer looks
    assertEquals(1, new StripedSpanQueue<Integer>(2048, 8, 1).sizeCheckEvery());
  }

  @Test
  void anOfferThatSpillsToAnotherStripeLooks() {
    StripedSpanQueue<Integer> queue = new StripedSpanQueue<>(2048, 2, 1024);
    int spilled = 0;
    for (int i = 0; i < 1100; i++) {
      if (queue.offer(i) == StripedSpanQueue.ADDED_LOOK && i >= 1024) {
        spilled++;
      }
    }
    assertEquals(1100 - 1024, spilled, "once its stripe (1024) is full, each span of this thread is a look");
  }

  @Test
  void manyThreadsLoseNothingAndDuplicateNothingWhileOneDrains() throws Exception {
    int producers = 4;
    int each = 50_000;
    StripedSpanQueue<Integer> queue = new StripedSpanQueue<>(256, 8, 64);
    BitSet seen = new BitSet(producers * each);
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger duplicates = new AtomicInteger();
    AtomicBoolean producing = new AtomicBoolean(true);
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int base = p * each;
      Thread producer = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < each; i++) {
          if (queue.offer(base + i) == StripedSpanQueue.REFUSED) {
            refused.incrementAndGet();
          }
        }
      });
      producer.start();
      threads.add(producer);
    }
    Thread consumer = new Thread(() -> {
      List<Integer> batch = new ArrayList<>();
      while (producing.get() || queue.size() > 0) {
        batch.clear();
        if (queue.drainTo(batch, 64) == 0) {
          Thread.onSpinWait();
        }
        for (int value : batch) {
          if (seen.get(value)) {
            duplicates.incrementAndGet();
          }
          seen.set(value);
        }
      }
    });
    consumer.start();
    start.countDown();
    for (Thread producer : threads) {
      producer.join(60_000);
    }
    producing.set(false);
    consumer.join(60_000);

    assertEquals(0, duplicates.get());
    assertEquals(producers * each, seen.cardinality() + refused.get(), "every offer was either drained or refused");
    assertEquals(seen.cardinality(), queue.accepted());
  }
}
