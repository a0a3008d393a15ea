package io.weft.instrumentation.jdbc;

import io.weft.bridge.JdbcBridge;
import net.bytebuddy.asm.Advice;

/**
 * Traces the argument-less {@code execute}, {@code executeQuery}, {@code executeUpdate} and {@code
 * executeLargeUpdate} of prepared and callable statements: the SQL is the one they were prepared
 * with. Inlined into driver and pool statement classes.
 */
public final class PreparedStatementExecuteAdvice {

  private PreparedStatementExecuteAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.This Object statement) {
    return JdbcBridge.execute(statement, null);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Enter Object call, @Advice.Thrown Throwable thrown) {
    if (call != null) {
      JdbcBridge.exit(call, thrown);
    }
  }
}
