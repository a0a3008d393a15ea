package io.weft.smoke.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Logs through SLF4J and whatever Logback the class path has, configured by the test: once outside any span,
 * then inside the traced {@link #handle} (with an MDC value of its own, through the synchronous logger and a logger
 * behind an {@code AsyncAppender}, plus a debug line below the level and an error with an exception), then inside
 * {@link #handle} with its own {@code trace_id} in the MDC, and once outside again. Exits with code 7 after Logback has drained.
 */
public final class LogApp {
  private static final Logger LOG = LoggerFactory.getLogger("sync");
  private static final Logger ASYNC = LoggerFactory.getLogger("async");

  public static void main(String[] args) throws Exception {
    LOG.info("before");
    handle("alice", false);
    handle("bob", true);
    LOG.info("after");
    // stops the AsyncAppender first, which writes what it still holds to the console appender (stopping the whole
    // context may stop that one first); reflection: the test app compiles against SLF4J only
    ASYNC.getClass().getMethod("detachAndStopAllAppenders").invoke(ASYNC);
    Object context = LoggerFactory.getILoggerFactory();
    context.getClass().getMethod("stop").invoke(context);
    System.exit(7);
  }

  static void handle(String user, boolean ownTraceId) {
    MDC.put("user", user);
    if (ownTraceId) {
      MDC.put("trace_id", "mine");
    }
    try {
      LOG.info("inside {}", user);
      ASYNC.info("inside-async {}", user);
      LOG.debug("hidden {}", user); // below the configured level: no line, no log record
      if (!ownTraceId) {
        LOG.error("failed for {}", user, new IllegalStateException("boom " + user));
      }
    } finally {
      MDC.clear();
    }
  }
}
