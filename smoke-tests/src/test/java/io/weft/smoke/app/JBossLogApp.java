package io.weft.smoke.app;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Logs through {@code java.util.logging}'s API with JBoss LogManager as the log manager (the test sets {@code
 * java.util.logging.manager}), so every logger is JBoss's: a line inside the traced {@link #handle}, a {@code {0}}
 * line, and a printf-style record made by reflection (the app compiles against the JDK only). Prints the logger's
 * class and exits with code 7.
 */
public final class JBossLogApp {

  public static void main(String[] args) throws Exception {
    Logger log = Logger.getLogger("jboss.app");
    System.out.println("logger " + log.getClass().getName());
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

  static void handle(Logger log) {
    log.info("inside handle");
  }
}
