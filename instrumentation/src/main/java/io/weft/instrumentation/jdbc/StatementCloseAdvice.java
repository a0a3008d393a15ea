package io.weft.instrumentation.jdbc;

import io.weft.bridge.JdbcBridge;
import net.bytebuddy.asm.Advice;

/** Forgets what was kept for a statement on {@code close()}. Inlined into statement classes. */
public final class StatementCloseAdvice {

  private StatementCloseAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(@Advice.This Object statement) {
    JdbcBridge.closed(statement);
  }
}
