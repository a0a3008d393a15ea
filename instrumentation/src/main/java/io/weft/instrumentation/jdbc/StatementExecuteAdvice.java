package io.weft.instrumentation.jdbc;

import io.weft.bridge.JdbcBridge;
import net.bytebuddy.asm.Advice;

/**
 * Traces {@code execute}, {@code executeQuery}, {@code executeUpdate} and {@code executeLargeUpdate}
 * taking the SQL as their first argument. Inlined into driver and pool statement classes.
 */
public final class StatementExecuteAdvice {

  private StatementExecuteAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.This Object statement, @Advice.Argument(0) String sql) {
    return JdbcBridge.execute(statement, sql);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Enter Object call, @Advice.Thrown Throwable thrown) {
    if (call != null) { // null: not recording
      JdbcBridge.exit(call, thrown);
    }
  }
}
