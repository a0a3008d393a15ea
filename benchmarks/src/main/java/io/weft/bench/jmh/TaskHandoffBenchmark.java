package io.weft.bench.jmh;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * {@link Handoff#TASKS} tasks handed to {@code ExecutorService.submit} and awaited, outside any span and inside
 * a traced call. The executor runs each task at once on the calling thread, so what is measured is the
 * hand-over itself (the {@code FutureTask}, and what an agent adds to it), not a thread switch.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class TaskHandoffBenchmark {
  private static final Callable<Integer> TASK = () -> 1;
  private final DirectExecutor executor = new DirectExecutor();

  @Benchmark
  public int outsideSpan() throws Exception {
    return Handoff.submitAll(executor, TASK);
  }

  @Benchmark
  public int insideSpan() throws Exception {
    return Handoff.inSpan(executor, TASK);
  }

  /** Runs every task on the submitting thread. */
  static final class DirectExecutor extends AbstractExecutorService {
    @Override
    public void execute(Runnable command) {
      command.run();
    }

    @Override
    public void shutdown() {}

    @Override
    public List<Runnable> shutdownNow() {
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }
  }
}
