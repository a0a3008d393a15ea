package io.weft.smoke.app;

import org.apache.logging.log4j.LogManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three logging APIs ending in one Logback: {@code java.util.logging} handed to SLF4J by jul-to-slf4j's handler,
 * the Log4j API by log4j-to-slf4j, and SLF4J itself, each called once inside the traced {@link #handle}. The handler
 * is installed by reflection: the test app compiles against SLF4J and the Log4j API only. Exits with code 7.
 */
public final class BridgedLogApp {
  private static final Logger SLF4J = LoggerFactory.getLogger("bridged.slf4j");

  public static void main(String[] args) throws Exception {
    Class<?> handler = Class.forName("org.slf4j.bridge.SLF4JBridgeHandler");
    handler.getMethod("removeHandlersForRootLogger").invoke(null);
    handler.getMethod("install").invoke(null);
    handle();
    Object context = LoggerFactory.getILoggerFactory();
    context.getClass().getMethod("stop").invoke(context);
    System.exit(7);
  }

  static void handle() {
    java.util.logging.Logger.getLogger("bridged.jul").info("from jul");
    LogManager.getLogger("bridged.log4j").info("from log4j");
    SLF4J.info("from slf4j");
  }
}
