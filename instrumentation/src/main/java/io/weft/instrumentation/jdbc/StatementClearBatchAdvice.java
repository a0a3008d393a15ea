package io.weft.instrumentation.jdbc;

import io.weft.bridge.JdbcBridge;
import net.bytebuddy.asm.Advice;

/** Forgets a statement's batch on {@code clearBatch()}. Inlined into statement classes. */
public final class StatementClearBatchAdvice {

  private StatementClearBatchAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(@Advice.This Object statement) {
    JdbcBridge.clearBatch(statement);
  }
}
