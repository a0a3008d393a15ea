package io.weft.smoke.app;

import org.apache.log4j.LogManager;
import org.apache.log4j.Logger;
import org.apache.log4j.MDC;

/**
 * {@link Log4jApp}'s calls through Log4j 1.2's API (log4j 1.2.17 or reload4j, from smoke-libs) and its MDC, configured
 * by the test: once outside any span, twice inside the traced {@link #handle} (the second time with a {@code trace_id}
 * of the application's own), once outside again. Exits with code 7 after Log4j has drained.
 */
public final class Log4j1App {
  private static final Logger LOG = Logger.getLogger("sync");
  private static final Logger ASYNC = Logger.getLogger("async");

  public static void main(String[] args) {
    LOG.info("before");
    handle("alice", false);
    handle("bob", true);
    LOG.info("after");
    LogManager.shutdown(); // closes the asynchronous appender, which writes what it still holds
    System.exit(7);
  }

  static void handle(String user, boolean ownTraceId) {
    MDC.put("user", user);
    if (ownTraceId) {
      MDC.put("trace_id", "mine");
    }
    try {
      LOG.info("inside " + user);
      ASYNC.info("inside-async " + user);
      LOG.debug("hidden " + user); // below the configured level: no line, no log record
      if (!ownTraceId) {
        LOG.error("failed for " + user, new IllegalStateException("boom " + user));
      }
    } finally {
      MDC.remove("user");
      MDC.remove("trace_id");
    }
  }
}
