package io.weft.instrumentation;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Reports a failure inside the agent's own code as one {@code [weft]} line on stderr, once per place;
 * the stack trace only in debug mode. The application never sees the failure. Agent class loader.
 */
public final class InternalErrors {

  private static final ConcurrentHashMap<String, Boolean> REPORTED = new ConcurrentHashMap<>();
  private static volatile boolean debug;

  private InternalErrors() {}

  public static void setDebug(boolean on) {
    debug = on;
  }

  public static void report(String where, Throwable failure) {
    try {
      if (REPORTED.putIfAbsent(where, Boolean.TRUE) == null || debug) {
        System.err.println(
            "[weft] internal error in "
                + where
                + " (contained; the application is unaffected): "
                + failure
                + (debug ? "" : " (set OTEL_JAVAAGENT_DEBUG=true for details)"));
        if (debug) {
          failure.printStackTrace();
        }
      }
    } catch (Throwable ignored) {
      // stderr itself failed: nothing left to report to
    }
  }
}
