package io.weft.smoke.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MarkerFactory;

/**
 * One line through SLF4J 2's fluent API with key-value pairs and a marker, logged by whatever Logback 1.3+ the class path
 * has. Exits with code 7 after Logback has stopped.
 */
public final class StructuredLogApp {
  private static final Logger LOG = LoggerFactory.getLogger("structured");

  public static void main(String[] args) throws Exception {
    LOG.atInfo().addKeyValue("order", 42).addKeyValue("paid", true).addMarker(MarkerFactory.getMarker("AUDIT")).log("placed");
    Object context = LoggerFactory.getILoggerFactory();
    context.getClass().getMethod("stop").invoke(context);
    System.exit(7);
  }
}
