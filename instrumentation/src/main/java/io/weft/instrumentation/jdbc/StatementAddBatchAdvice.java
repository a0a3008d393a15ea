package io.weft.instrumentation.jdbc;

import io.weft.bridge.JdbcBridge;
import net.bytebuddy.asm.Advice;

/** Remembers the text of {@code Statement.addBatch(sql)} once it succeeded. Inlined into statement classes. */
public final class StatementAddBatchAdvice {

  private StatementAddBatchAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(@Advice.This Object statement, @Advice.Argument(0) String sql) {
    JdbcBridge.addBatch(statement, sql);
  }
}
