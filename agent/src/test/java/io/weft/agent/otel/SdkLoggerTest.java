package io.weft.agent.otel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SdkLoggerTest {
  private final PrintStream stderr = System.err;
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

  @AfterEach
  void restore() {
    System.setErr(stderr);
    SdkLogger.verbose(false);
  }

  private String capture(Runnable logging) {
    System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      logging.run();
    } finally {
      System.setErr(stderr);
    }
    return printed.toString(StandardCharsets.UTF_8);
  }

  @Test
  void outsideDebugModeNothingIsPrinted() {
    SdkLogger logger = SdkLogger.getLogger("io.weft.shaded.io.opentelemetry.sdk.Some");
    assertFalse(logger.isLoggable(Level.SEVERE));
    assertEquals("", capture(() -> {
      logger.log(Level.SEVERE, "collector gone", new IllegalStateException("x"));
      logger.warning("w");
      logger.log(Level.WARNING, "{0} of {1}", new Object[] {1, 2});
    }));
  }

  @Test
  void inDebugModeInfoAndAboveIsPrintedOneLineEachWithTheStackOfAThrowable() {
    SdkLogger.verbose(true);
    SdkLogger logger = SdkLogger.getLogger("okhttp3.OkHttpClient");
    assertTrue(logger.isLoggable(Level.INFO));
    assertFalse(logger.isLoggable(Level.FINE));
    assertFalse(logger.isLoggable(Level.OFF));
    String out = capture(() -> {
      logger.fine("not shown");
      logger.info("shown");
      logger.log(Level.WARNING, "{0} of {1} spans", new Object[] {3, 7});
      logger.log(Level.SEVERE, "failed", new IllegalStateException("boom"));
    });
    String[] lines = out.split("\\R");
    assertEquals("[weft] debug: INFO okhttp3.OkHttpClient: shown", lines[0]);
    assertEquals("[weft] debug: WARNING okhttp3.OkHttpClient: 3 of 7 spans", lines[1]);
    assertEquals("[weft] debug: SEVERE okhttp3.OkHttpClient: failed", lines[2]);
    assertEquals("java.lang.IllegalStateException: boom", lines[3]);
    assertTrue(lines[4].trim().startsWith("at "), out);
    assertFalse(out.contains("not shown"));
  }

  @Test
  void messagesAreFormattedOnlyWhereTheyHavePlaceholders() {
    assertEquals("a {b", SdkLogger.format("a {b", new Object[] {1}));
    assertEquals("no params {0}", SdkLogger.format("no params {0}", new Object[0]));
    assertEquals("x=1", SdkLogger.format("x={0}", new Object[] {1}));
    assertEquals("plain", SdkLogger.format("plain", new Object[] {1}));
  }
}
