package io.weft.smoke.app;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.Marker;
import org.apache.logging.log4j.MarkerManager;
import org.apache.logging.log4j.message.StringMapMessage;

/**
 * Two Log4j lines with a marker: a {@code MapMessage} through {@code Logger.info} (core's {@code logMessage}), and a
 * plain one through the {@code LogBuilder} API (core's {@code log}). Exits with code 7 after Log4j has stopped.
 */
public final class StructuredLog4jApp {
  private static final Logger LOG = LogManager.getLogger("structured");

  public static void main(String[] args) {
    Marker audit = MarkerManager.getMarker("AUDIT");
    LOG.info(audit, new StringMapMessage().with("message", "order placed").with("order", "42"));
    LOG.atWarn().withMarker(audit).log("built");
    LogManager.shutdown();
    System.exit(7);
  }
}
