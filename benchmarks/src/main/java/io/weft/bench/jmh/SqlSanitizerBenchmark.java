package io.weft.bench.jmh;

import io.weft.instrumentation.jdbc.SqlSanitizer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Weft's SQL sanitizer on one statement, uncached: a short query and a 10 KB insert, both full of literals.
 * Run without an agent; the tracer caches sanitized text per statement, so this is the cost of a first sight.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class SqlSanitizerBenchmark {
  public static final String SHORT = "SELECT name, price FROM items WHERE id = 42 AND status = 'open'";
  public static final String TEN_KB = tenKilobytes();

  private final SqlSanitizer sanitizer = new SqlSanitizer(SqlSanitizer.MAX_LENGTH, false);

  @Benchmark
  public String shortStatement() {
    return sanitizer.apply(SHORT);
  }

  @Benchmark
  public String statement10Kb() {
    return sanitizer.apply(TEN_KB);
  }

  /** A multi-row insert of numbers, strings, decimals and dates, cut at a row boundary near 10,240 chars. */
  static String tenKilobytes() {
    StringBuilder sql = new StringBuilder("INSERT INTO orders (id, customer, amount, placed, note) VALUES ");
    for (int row = 1; ; row++) {
      String values = "(" + row + ", 'customer-" + (row * 7919 % 10_000) + "', " + (row * 13 % 1000) + "."
          + (row % 100) + ", DATE '2026-01-" + (row % 28 + 1 < 10 ? "0" : "") + (row % 28 + 1) + "', 'it''s #"
          + row + "')";
      if (sql.length() + values.length() + 2 > 10_240) {
        return sql.toString();
      }
      sql.append(row == 1 ? "" : ", ").append(values);
    }
  }
}
