package io.weft.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * One call of a traced method. The harness runs it in forks without an agent and with each agent sampled,
 * not sampled and with the methods instrumentation off, the agent given in {@code jvmArgsAppend}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class TracedCallBenchmark {
  private int value;

  @Benchmark
  public int tracedCall() {
    return Traced.work(value++);
  }
}
