package io.weft.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gate woven calls wait at while the SDK is built, and the work the first waiting thread does meanwhile. */
class StartupGateTest {

  private static final long LONG = TimeUnit.SECONDS.toNanos(30);

  @AfterEach
  void openTheGate() {
    StartupGate.open();
  }

  @Test
  void anOpenGateNeitherWaitsNorRunsAnything() {
    AtomicInteger runs = new AtomicInteger();
    StartupGate.closeUntil(System.nanoTime() + LONG, new Thread(), runs::incrementAndGet);
    StartupGate.open();

    StartupGate.await();

    assertEquals(0, runs.get());
    assertFalse(StartupGate.isClosed());
  }

  @Test
  void theFirstWaiterRunsTheHelperOnceThenWaitsForTheOpening() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    AtomicReference<String> ranOn = new AtomicReference<>();
    CountDownLatch helped = new CountDownLatch(1);
    StartupGate.closeUntil(System.nanoTime() + LONG, new Thread(), () -> {
      runs.incrementAndGet();
      ranOn.set(Thread.currentThread().getName());
      helped.countDown();
    });
    CountDownLatch passed = new CountDownLatch(2);
    Thread first = waiter("first", passed);
    first.start();
    assertTrue(helped.await(10, TimeUnit.SECONDS), "the first waiter ran the helper");
    Thread second = waiter("second", passed);
    second.start();

    assertFalse(passed.await(200, TimeUnit.MILLISECONDS), "both wait while the gate is closed");
    StartupGate.open();
    assertTrue(passed.await(10, TimeUnit.SECONDS), "both pass once it opens");
    assertEquals(1, runs.get());
    assertEquals("first", ranOn.get());
  }

  @Test
  void aFailingHelperIsIgnoredAndTheWaiterStillWaits() throws Exception {
    StartupGate.closeUntil(System.nanoTime() + LONG, new Thread(), () -> {
      throw new IllegalStateException("agent bug");
    });
    CountDownLatch passed = new CountDownLatch(1);
    Thread thread = waiter("waiter", passed);
    thread.start();

    assertFalse(passed.await(200, TimeUnit.MILLISECONDS), "still waiting after the helper failed");
    StartupGate.open();
    assertTrue(passed.await(10, TimeUnit.SECONDS));
  }

  @Test
  void theBuilderNeitherWaitsNorHelps() {
    AtomicInteger runs = new AtomicInteger();
    StartupGate.closeUntil(System.nanoTime() + LONG, Thread.currentThread(), runs::incrementAndGet);

    StartupGate.await();

    assertEquals(0, runs.get());
    assertTrue(StartupGate.isClosed());
  }

  @Test
  void theDeadlineEndsTheWaitWithoutTheGateOpening() {
    StartupGate.closeUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50), new Thread(), null);

    long start = System.nanoTime();
    StartupGate.await();

    assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(40), "waited until the deadline");
    assertTrue(StartupGate.isClosed());
  }

  private static Thread waiter(String name, CountDownLatch passed) {
    Thread thread = new Thread(() -> {
      StartupGate.await();
      passed.countDown();
    }, name);
    thread.setDaemon(true);
    return thread;
  }
}
