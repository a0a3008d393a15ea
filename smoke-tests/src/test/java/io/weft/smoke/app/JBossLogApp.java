package io.weft.smoke.app;

import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Logs through {@code java.util.logging}'s API with JBoss LogManager as the log manager (the test sets {@code
 * java.util.logging.manager}), so every logger is JBoss's: a line inside the traced {@link #handle} (with a value in
 * JBoss's MDC), a {@code {0}}
 * line, and a printf-style record made by reflection (the app compiles against the JDK only). A JBoss console
 * handler writes each line as {@code MDC <message> trace=%X{trace_id} span=%X{span_id} flags=%X{trace_flags}}. Prints
 * the logger's class and exits with code 7.
 */
public final class JBossLogApp {

  public static void main(String[] args) throws Exception {
    Logger log = Logger.getLogger("jboss.app");
    System.out.println("logger " + log.getClass().getName());
    Formatter pattern = (Formatter) Class.forName("org.jboss.logmanager.formatters.PatternFormatter")
        .getConstructor(String.class).newInstance("MDC %s trace=%X{trace_id} span=%X{span_id} flags=%X{trace_flags}%n");
    log.addHandler((Handler) Class.forName("org.jboss.logmanager.handlers.ConsoleHandler")
        .getConstructor(Formatter.class).newInstance(pattern));
    handle(log);
    log.log(Level.WARNING, "param {0}", "x");
    Class<?> style = Class.forName("org.jboss.logmanager.ExtLogRecord$FormatStyle");
    Object printf = style.getField("PRINTF").get(null);
    LogRecord record = (LogRecord) Class.forName("org.jboss.logmanager.ExtLogRecord")
        .getConstructor(Level.class, String.class, style, String.class)
        .newInstance(Level.INFO, "order %d placed", printf, JBossLogApp.class.getName());
    record.setParameters(new Object[] {42});
    record.setLoggerName("jboss.app");
    log.log(record);
    System.exit(7);
  }

  /** Logs with {@code tenant=acme} in JBoss's MDC (by reflection, as the rest), removed before the method returns. */
  static void handle(Logger log) throws Exception {
    Class<?> mdc = Class.forName("org.jboss.logmanager.MDC");
    mdc.getMethod("put", String.class, String.class).invoke(null, "tenant", "acme");
    try {
      log.info("inside handle");
    } finally {
      mdc.getMethod("remove", String.class).invoke(null, "tenant");
    }
  }
}
