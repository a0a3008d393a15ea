package io.weft.instrumentation.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.instrumentation.InstrumentationConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JdbcInstrumentationTest {

  @Test
  void isNamedJdbc() {
    assertEquals("jdbc", new JdbcInstrumentation().name());
  }

  @Test
  void sanitizingIsOnByDefaultAndTheCurrentKeyWinsOverTheOldOne() {
    assertTrue(JdbcInstrumentation.sanitize(config(Map.of())));
    assertFalse(JdbcInstrumentation.sanitize(config(Map.of(JdbcInstrumentation.SANITIZATION_KEY, "false"))));
    assertFalse(JdbcInstrumentation.sanitize(config(Map.of(JdbcInstrumentation.OLD_SANITIZATION_KEY, "false"))));
    assertTrue(JdbcInstrumentation.sanitize(config(Map.of(
        JdbcInstrumentation.SANITIZATION_KEY, "true", JdbcInstrumentation.OLD_SANITIZATION_KEY, "false"))));
  }

  private static InstrumentationConfig config(Map<String, String> values) {
    return new InstrumentationConfig() {
      @Override
      public String getString(String key) {
        return values.get(key);
      }

      @Override
      public boolean getBoolean(String key, boolean defaultValue) {
        String value = values.get(key);
        return value == null ? defaultValue : Boolean.parseBoolean(value);
      }

      @Override
      public List<String> getList(String key) {
        return List.of();
      }

      @Override
      public boolean debug() {
        return false;
      }

      @Override
      public void warn(String message) {}

      @Override
      public void debug(String message) {}
    };
  }
}
