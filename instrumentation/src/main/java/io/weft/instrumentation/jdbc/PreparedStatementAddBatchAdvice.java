package io.weft.instrumentation.jdbc;

import io.weft.bridge.JdbcBridge;
import net.bytebuddy.asm.Advice;

/** Counts {@code PreparedStatement.addBatch()} once it succeeded. Inlined into statement classes. */
public final class PreparedStatementAddBatchAdvice {

  private PreparedStatementAddBatchAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(@Advice.This Object statement) {
    JdbcBridge.addBatch(statement, null);
  }
}
