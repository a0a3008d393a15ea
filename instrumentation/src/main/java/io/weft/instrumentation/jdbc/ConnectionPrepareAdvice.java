package io.weft.instrumentation.jdbc;

import io.weft.bridge.JdbcBridge;
import net.bytebuddy.asm.Advice;

/**
 * Ties the SQL of {@code prepareStatement(sql, ...)} and {@code prepareCall(sql, ...)} to the
 * statement they return, so its argument-less executions know their text. Inlined into driver and
 * pool connection classes; the agent holds the statement weakly.
 */
public final class ConnectionPrepareAdvice {

  private ConnectionPrepareAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(@Advice.Argument(0) String sql, @Advice.Return Object statement) {
    if (statement != null) {
      JdbcBridge.prepared(statement, sql);
    }
  }
}
