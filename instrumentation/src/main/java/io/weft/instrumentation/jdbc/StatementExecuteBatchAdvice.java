package io.weft.instrumentation.jdbc;

import io.weft.bridge.JdbcBridge;
import net.bytebuddy.asm.Advice;

/** Traces {@code executeBatch} and {@code executeLargeBatch}. Inlined into driver and pool statement classes. */
public final class StatementExecuteBatchAdvice {

  private StatementExecuteBatchAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.This Object statement) {
    return JdbcBridge.executeBatch(statement);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Enter Object call, @Advice.Thrown Throwable thrown) {
    if (call != null) {
      JdbcBridge.exit(call, thrown);
    }
  }
}
