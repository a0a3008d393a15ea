package io.weft.bench.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;

/**
 * The pipeline figure's application, run in a child JVM:
 * <ul>
 *   <li>{@code rates}: reads commands on stdin, one per line, and answers each with one line on stdout.
 *       {@code warm <seconds>} makes spans as fast as one thread can (drops expected: it only warms the agent's
 *       exporter up); {@code rate <spans/s> <seconds>} makes root spans at that pace, or as fast as it can if
 *       slower; both answer {@code produced=N seconds=S}. {@code exit} exits normally, so the agent flushes.
 *       Between commands the application is idle, so the harness can wait until the receiver is quiet and
 *       compare what arrived with what was made.
 *   <li>{@code queue <spans>}: makes that many spans as fast as it can while the agent cannot export them
 *       (collector unreachable, batch as large as the queue), and prints the heap used after a full GC before and
 *       after: {@code queued=N heap-before=B heap-after=A}. Then halts without the agent's flush.
 * </ul>
 */
public final class PipelineApp {
  private static final int WARM_UP_SPANS = 1000;
  private static volatile int sink; // keeps the traced calls' results alive

  private PipelineApp() {}

  public static void main(String[] args) throws IOException {
    if (args[0].equals("rates")) {
      BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = commands.readLine()) != null && !line.equals("exit")) {
        String[] command = line.trim().split(" ");
        long rate = command[0].equals("warm") ? Long.MAX_VALUE : Long.parseLong(command[1]);
        rate(rate, Double.parseDouble(command[command.length - 1]));
      }
      System.exit(0);
    } else {
      queue(Integer.parseInt(args[1]));
      Runtime.getRuntime().halt(0);
    }
  }

  private static void rate(long spansPerSecond, double seconds) {
    long durationNanos = (long) (seconds * 1e9);
    long start = System.nanoTime();
    long produced = 0;
    int acc = 0;
    long elapsed;
    while ((elapsed = System.nanoTime() - start) < durationNanos) {
      long due = spansPerSecond == Long.MAX_VALUE ? produced + 1000 : (long) (spansPerSecond * (elapsed / 1e9)) + 1;
      if (produced >= due) {
        LockSupport.parkNanos(100_000); // ahead of the pace: the rest of this 0.1 ms is idle
        continue;
      }
      while (produced < due) {
        acc += Producer.produce((int) produced);
        produced++;
      }
    }
    sink = acc;
    System.out.println("produced=" + produced + " seconds=" + (elapsed / 1e9));
    System.out.flush();
  }

  private static void queue(int spans) {
    int acc = 0;
    for (int i = 0; i < WARM_UP_SPANS; i++) {
      acc += Producer.produce(i);
    }
    long before = heapUsedAfterGc();
    for (int i = 0; i < spans; i++) {
      acc += Producer.produce(i);
    }
    long after = heapUsedAfterGc();
    sink = acc;
    System.out.println("queued=" + spans + " heap-before=" + before + " heap-after=" + after);
    System.out.flush();
  }

  private static long heapUsedAfterGc() {
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) { // the least of three: a GC may still leave some garbage behind
      System.gc();
      least = Math.min(least, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return least;
  }
}
