package io.weft.instrumentation.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.bridge.StateCarrier;
import io.weft.instrumentation.ClassOutline;
import io.weft.instrumentation.InstrumentationConfig;
import io.weft.instrumentation.MapConfig;
import io.weft.instrumentation.TypeInstrumentation;
import io.weft.instrumentation.jdbc.fixtures.LoadedStatement;
import io.weft.instrumentation.jdbc.fixtures.SerializableStatement;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JdbcInstrumentationTest {

  @Test
  void isNamedJdbc() {
    assertEquals("jdbc", new JdbcInstrumentation().name());
  }

  @Test
  void sanitizingIsOnByDefaultAndTheJdbcKeyThenTheCurrentKeyWinOverTheOldOne() {
    assertTrue(JdbcInstrumentation.sanitize(config(Map.of())));
    assertFalse(JdbcInstrumentation.sanitize(config(Map.of(JdbcInstrumentation.SANITIZATION_KEY, "false"))));
    assertFalse(JdbcInstrumentation.sanitize(config(Map.of(JdbcInstrumentation.OLD_SANITIZATION_KEY, "false"))));
    assertTrue(JdbcInstrumentation.sanitize(config(Map.of(
        JdbcInstrumentation.SANITIZATION_KEY, "true", JdbcInstrumentation.OLD_SANITIZATION_KEY, "false"))));
    // the JDBC instrumentation's own key, as in the OpenTelemetry agent, comes before the common ones
    assertFalse(JdbcInstrumentation.sanitize(config(Map.of(
        JdbcInstrumentation.JDBC_SANITIZATION_KEY, "false", JdbcInstrumentation.SANITIZATION_KEY, "true"))));
    assertTrue(JdbcInstrumentation.sanitize(config(Map.of(
        JdbcInstrumentation.JDBC_SANITIZATION_KEY, "true", JdbcInstrumentation.SANITIZATION_KEY, "false"))));
  }

  @Test
  void statementClassesCarryStateWhenDefinedAndKeepTheirShapeWhenRetransformed() throws IOException {
    TypeInstrumentation jdbc = new JdbcInstrumentation().typeInstrumentations(config(Map.of())).get(0);
    String carrier = StateCarrier.class.getName().replace('.', '/');

    assertTrue(interfacesAfterWeaving(jdbc, LoadedStatement.class, null).contains(carrier), "defined now: it carries");
    assertTrue(interfacesAfterWeaving(jdbc, LoadedStatement.class, getClass().getModule(), null).contains(carrier),
        "in an unnamed module, which reads every module");
    assertFalse(interfacesAfterWeaving(jdbc, LoadedStatement.class, Object.class.getModule(), null).contains(carrier),
        "in a named module that does not read the bridge's: naming the interface would fail its definition");
    assertFalse(interfacesAfterWeaving(jdbc, LoadedStatement.class, LoadedStatement.class).contains(carrier),
        "retransformed, loaded without the field: it cannot get one");
    assertTrue(interfacesAfterWeaving(jdbc, LoadedStatement.class, Carrying.class).contains(carrier),
        "retransformed, defined with the field: it keeps it (the retransformed file is the original)");
    List<String> serializable = interfacesAfterWeaving(jdbc, SerializableStatement.class, null);
    assertEquals(List.of("java/io/Serializable"), serializable, "woven, but its serialVersionUID must stay as it is");
  }

  /** The interfaces the woven class file names; fails when the class was not woven at all. */
  private static List<String> interfacesAfterWeaving(TypeInstrumentation jdbc, Class<?> type, Class<?> redefined) throws IOException {
    return interfacesAfterWeaving(jdbc, type, type.getModule(), redefined);
  }

  private static List<String> interfacesAfterWeaving(TypeInstrumentation jdbc, Class<?> type, Module module, Class<?> redefined)
      throws IOException {
    String name = type.getName().replace('.', '/');
    byte[] bytes;
    try (InputStream in = type.getClassLoader().getResourceAsStream(name + ".class")) {
      bytes = in.readAllBytes();
    }
    ClassOutline outline = new ClassOutline(name, bytes);
    assertTrue(jdbc.mayWeave(type.getClassLoader(), outline));
    byte[] woven = jdbc.weaveDirectly(type.getClassLoader(), outline, bytes, module, redefined);
    assertNotNull(woven, type + " is woven");
    return Arrays.asList(new ClassOutline(name, woven).interfaceNames());
  }

  /** Stands for a statement class defined as a carrier. */
  private abstract static class Carrying extends LoadedStatement implements StateCarrier {}

  private static InstrumentationConfig config(Map<String, String> values) {
    return new MapConfig(values);
  }
}
