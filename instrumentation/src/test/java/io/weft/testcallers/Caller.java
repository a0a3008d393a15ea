package io.weft.testcallers;

import io.weft.bridge.LogBridge;

/** Application code, as far as the log records' code attributes can tell: a package outside the agent's. */
public final class Caller {
  private Caller() {}

  /** Hands a Log4j event to {@code handler} as the woven logger would. */
  public static void log4j(LogBridge.RecordHandler handler, Object logger, Object level, Object message) {
    handler.record(LogBridge.LOG4J, logger, level, null, message, null);
  }
}
