package io.weft.bench.jmh;

import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One log line through {@code java.util.logging} to a handler that drops it: what an agent that turns every line into
 * an OpenTelemetry log record adds to it. JUL, not Logback: the JDK's own, so the benchmark jar carries no logging
 * library that the other figures' applications would find, and both agents capture it by default. The line is
 * logged outside any span.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class LogCallBenchmark {
  private static final Logger LOG = Logger.getLogger("io.weft.bench.log");

  @Setup
  public void quietHandler() {
    LOG.setUseParentHandlers(false);
    LOG.setLevel(Level.INFO);
    for (Handler handler : LOG.getHandlers()) {
      LOG.removeHandler(handler);
    }
    LOG.addHandler(new Handler() {
      @Override
      public void publish(LogRecord record) {}

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
  }

  @Benchmark
  public void logInfo() {
    LOG.info("order placed");
  }
}
