package io.weft.agent.otel;

import java.text.MessageFormat;
import java.util.logging.Level;

/**
 * What the shaded libraries (the OpenTelemetry SDK, OkHttp, Okio) get when they ask for a
 * {@code java.util.logging.Logger}: the shade plugin relocates that one class to this one in their code
 * (agent/pom.xml), so none of them sets up {@code java.util.logging}.
 *
 * <p>Two reasons. Setting up the JDK's {@code LogManager} (its configuration, handlers and the logger
 * finder services) cost 20-25 ms of the SDK build that the first traced call waits for, because every
 * SDK class holds a static logger (docs/startup.md). And the first {@code Logger} fixes the JVM's {@code LogManager}
 * for good: an agent that makes one before {@code main} breaks an application that chooses its own
 * ({@code java.util.logging.manager}, as JBoss LogManager users do) and makes it read its logging
 * configuration too early.
 *
 * <p>Weft reports export health itself, once; what the libraries say is printed only in debug mode
 * ({@code OTEL_JAVAAGENT_DEBUG=true}), from {@code INFO} up, one line each on stderr, with the stack
 * trace of a throwable. Only the methods the shaded code calls exist here (AgentJarIT checks that every
 * member the jar refers to is there).
 */
public final class SdkLogger {
  /**
   * {@code Level.INFO.intValue()} and {@code Level.OFF.intValue()}, fixed by the {@code Level} API. Named
   * as numbers: reading the constants at class initialization would initialize {@code Level}, which spins
   * lambdas, on every start, though the shaded code passes a {@code Level} only when it has something to say.
   */
  private static final int INFO = 800;
  private static final int OFF = Integer.MAX_VALUE;
  private static volatile boolean verbose;

  private final String name;

  private SdkLogger(String name) {
    this.name = name;
  }

  /** Whether the libraries' messages are printed; set once from {@code OTEL_JAVAAGENT_DEBUG}. */
  public static void verbose(boolean on) {
    verbose = on;
  }

  public static SdkLogger getLogger(String name) {
    return new SdkLogger(name);
  }

  public boolean isLoggable(Level level) {
    return verbose && level.intValue() >= INFO && level.intValue() != OFF;
  }

  public void log(Level level, String message) {
    if (isLoggable(level)) {
      print(level, message, null);
    }
  }

  public void log(Level level, String message, Throwable thrown) {
    if (isLoggable(level)) {
      print(level, message, thrown);
    }
  }

  public void log(Level level, String message, Object[] parameters) {
    if (isLoggable(level)) {
      print(level, format(message, parameters), null);
    }
  }

  public void fine(String message) {
    log(Level.FINE, message);
  }

  public void info(String message) {
    log(Level.INFO, message);
  }

  public void warning(String message) {
    log(Level.WARNING, message);
  }

  /** As {@code java.util.logging} formats: {@link MessageFormat} only where the message has a placeholder. */
  static String format(String message, Object[] parameters) {
    if (message == null || parameters == null || parameters.length == 0 || !message.contains("{")) {
      return message;
    }
    try {
      return MessageFormat.format(message, parameters);
    } catch (IllegalArgumentException e) {
      return message;
    }
  }

  private void print(Level level, String message, Throwable thrown) {
    StringBuilder line = new StringBuilder(96).append("[weft] debug: ").append(level.getName()).append(' ')
        .append(name).append(": ").append(message);
    if (thrown == null) {
      System.err.println(line);
      return;
    }
    synchronized (System.err) {
      System.err.println(line);
      // debug mode only: the detail a user asked for
      thrown.printStackTrace(System.err);
    }
  }
}
