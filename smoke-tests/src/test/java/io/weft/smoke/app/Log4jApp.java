package io.weft.smoke.app;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.ThreadContext;

/**
 * {@link LogApp}'s calls (the debug line and the error included) through Log4j 2's own API and its thread context, configured by the test: once outside
 * any span, twice inside the traced {@link #handle} (the second time with a {@code trace_id} of the application's
 * own), once outside again; first, the name of the thread context map Log4j uses. Exits with code 7 after Log4j
 * has drained.
 */
public final class Log4jApp {
  private static final Logger LOG = LogManager.getLogger("sync");
  private static final Logger ASYNC = LogManager.getLogger("async");

  public static void main(String[] args) {
    // which thread context map Log4j chose (the test sets its garbage-free one for some runs)
    Object map = ThreadContext.getThreadContextMap(); // null for 2.24's default map
    System.out.println("context map " + (map == null ? "default" : map.getClass().getSimpleName()));
    LOG.info("before");
    handle("alice", false);
    handle("bob", true);
    LOG.info("after");
    LogManager.shutdown(); // stops the asynchronous appender, which writes what it still holds
    System.exit(7);
  }

  static void handle(String user, boolean ownTraceId) {
    ThreadContext.put("user", user);
    if (ownTraceId) {
      ThreadContext.put("trace_id", "mine");
    }
    try {
      LOG.info("inside {}", user);
      ASYNC.info("inside-async {}", user);
      LOG.debug("hidden {}", user); // below the configured level: no line, no log record
      if (!ownTraceId) {
        LOG.error("failed for {}", user, new IllegalStateException("boom " + user));
      }
    } finally {
      ThreadContext.clearMap();
    }
  }
}
