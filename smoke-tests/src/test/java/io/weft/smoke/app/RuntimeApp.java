package io.weft.smoke.app;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;

/**
 * A JVM with nothing to weave that lives for {@code args[0]} ms: a daemon thread waits on a lock for good, the
 * main thread makes garbage and asks for a collection every 50 ms. At the end it prints what the JVM says of
 * itself (its memory pools, collectors, processors and collection count) for the test to compare with the
 * metrics the agent sent.
 */
public final class RuntimeApp {

  private static final Object LOCK = new Object();

  public static void main(String[] args) throws Exception {
    long millis = Long.parseLong(args[0]);
    Thread waiter = new Thread(RuntimeApp::waitForever, "runtime-app-waiter");
    waiter.setDaemon(true);
    waiter.start();
    // a direct buffer held to the end: the "direct" buffer pool has at least it
    java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(1 << 20);
    long end = System.nanoTime() + millis * 1_000_000L;
    long checksum = 0;
    while (System.nanoTime() < end) {
      byte[][] garbage = new byte[64][];
      for (int i = 0; i < garbage.length; i++) {
        garbage[i] = new byte[16 * 1024];
        checksum += garbage[i].length;
      }
      System.gc();
      Thread.sleep(50);
    }
    List<String> pools = new ArrayList<>();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pools.add((pool.getType() == MemoryType.HEAP ? "heap" : "non_heap") + "/" + pool.getName());
    }
    List<String> collectors = new ArrayList<>();
    long collections = 0;
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      collectors.add(collector.getName());
      collections += collector.getCollectionCount();
    }
    System.out.println("pools=" + String.join(",", pools));
    System.out.println("collectors=" + String.join(",", collectors));
    System.out.println("collections=" + collections);
    System.out.println("processors=" + Runtime.getRuntime().availableProcessors());
    System.out.println("direct buffer " + direct.capacity());
    System.out.println("done " + (checksum > 0));
  }

  private static void waitForever() {
    synchronized (LOCK) {
      while (true) {
        try {
          LOCK.wait();
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }
}
