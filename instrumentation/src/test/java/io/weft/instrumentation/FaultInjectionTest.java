package io.weft.instrumentation;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/**
 * Without {@code -Dweft.test.fault}, as in every real deployment, nothing is injected. The switched-on
 * modes need a fresh JVM (the switch is read once): HostSafetyIT runs them in child JVMs.
 */
class FaultInjectionTest {

  @Test
  void offUnlessAskedFor() {
    assertNull(System.getProperty(FaultInjection.PROPERTY), "the unit tests run without the switch");
    assertFalse(FaultInjection.SPANS || FaultInjection.ATTRIBUTES || FaultInjection.EXPORT || FaultInjection.STALL);
    assertDoesNotThrow(() -> {
      FaultInjection.spanStart();
      FaultInjection.spanEnd();
      FaultInjection.export();
      FaultInjection.batchThreadStall();
    });
  }
}
