package io.weft.bench.jmh;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;

/** Hands tasks to an executor as an application does; {@link #inSpan} is traced (Harness.METHODS). */
public final class Handoff {
  /** Tasks handed over per benchmark operation. */
  public static final int TASKS = 8;

  private Handoff() {}

  /** Traced: {@link #submitAll} under a span of its own, so each task is handed over where a span is current. */
  public static int inSpan(ExecutorService executor, Callable<Integer> task) throws Exception {
    return submitAll(executor, task);
  }

  /** Submits {@link #TASKS} tasks and waits for each. */
  public static int submitAll(ExecutorService executor, Callable<Integer> task) throws Exception {
    int sum = 0;
    for (int i = 0; i < TASKS; i++) {
      sum += executor.submit(task).get();
    }
    return sum;
  }
}
