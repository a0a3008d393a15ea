package io.weft.smoke.app;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs through {@code java.util.logging} with the JDK's default configuration (console, INFO): once outside any span,
 * an error with an exception inside the traced {@link #handle}, a line below the level, and a warning with {@code {0}}
 * parameters. Exits with code 7.
 */
public final class JulApp {
  private static final Logger LOG = Logger.getLogger("jul.app");

  public static void main(String[] args) {
    LOG.info("before");
    handle("carol");
    LOG.fine("hidden"); // below INFO: no line, no log record
    LOG.log(Level.WARNING, "param {0} and {1}", new Object[] {"x", 42});
    System.exit(7);
  }

  static void handle(String user) {
    LOG.log(Level.SEVERE, "failed for " + user, new IllegalStateException("boom " + user));
  }
}
