package io.weft.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code OTEL_JAVAAGENT_CONFIGURATION_FILE}: below properties and variables, and every problem one line, values never shown. */
class ConfigFileTest {
  private final List<String> lines = new ArrayList<>();

  @TempDir
  Path dir;

  private Path file(String text) throws IOException {
    Path file = dir.resolve("otel.properties");
    Files.write(file, text.getBytes(StandardCharsets.UTF_8));
    return file;
  }

  private WeftConfig withFile(Path file, Map<String, String> properties, Map<String, String> environment) {
    Map<String, String> env = new java.util.HashMap<>(environment);
    env.put("OTEL_JAVAAGENT_CONFIGURATION_FILE", file.toString());
    return new WeftConfig(properties, env, lines::add);
  }

  @Test
  void settingsComeFromTheFileBelowPropertiesAndVariables() throws IOException {
    Path file = file("# the agent's settings\n"
        + "otel.service.name = from-file\n"
        + "otel.traces.sampler=always_off\n"
        + "otel.bsp.schedule.delay: 250\n"
        + "otel.exporter.otlp.headers=api-key=s3cret\n"
        + "otel.instrumentation.common.db-statement-sanitizer.enabled=false\n"
        + "OTEL_METRIC_EXPORT_INTERVAL=15s\n");
    WeftConfig config = withFile(file, Map.of("otel.service.name", "from-property"), Map.of("OTEL_TRACES_SAMPLER", "always_on"));
    assertEquals("from-property", config.getString("otel.service.name"));
    assertEquals("always_on", config.getString("otel.traces.sampler"));
    assertEquals(250, config.getMillis("otel.bsp.schedule.delay", 5000, true));
    assertEquals(Map.of("api-key", "s3cret"), config.getMap("otel.exporter.otlp.headers"));
    // keys match as their environment names: a dash and a dot are the same
    assertFalse(config.getBoolean("otel.instrumentation.common.db.statement-sanitizer.enabled", true));
    assertEquals(15_000, config.getMillis("otel.metric.export.interval", 60_000, false), "a variable's name is the same setting");
    assertNull(config.getString("otel.metrics.exporter"));
    assertTrue(lines.isEmpty(), lines::toString);
  }

  @Test
  void aBadValueInTheFileIsReportedWithTheKeyAndTheFile() throws IOException {
    Path file = file("otel.bsp.max.queue.size=lots\n");
    WeftConfig config = withFile(file, Map.of(), Map.of());
    assertEquals(2048, config.getInt("otel.bsp.max.queue.size", 2048, 1, 1 << 20));
    assertEquals(List.of("otel.bsp.max.queue.size in " + file + "='lots' is invalid (expected a whole number from 1 to 1048576); using 2048"),
        lines);
  }

  @Test
  void aFileThatCannotBeReadIsOneLineAndTheRestStillApplies() throws IOException, InterruptedException {
    WeftConfig missing = withFile(dir.resolve("nope.properties"), Map.of(), Map.of("OTEL_SERVICE_NAME", "svc"));
    assertEquals("svc", missing.getString("otel.service.name"));
    assertEquals(List.of("OTEL_JAVAAGENT_CONFIGURATION_FILE: '" + dir.resolve("nope.properties") + "' does not exist; none of its settings apply"),
        lines);

    lines.clear();
    withFile(dir, Map.of(), Map.of());
    assertEquals(1, lines.size(), lines::toString);
    assertTrue(lines.get(0).contains("is not a regular file"), lines::toString);

    lines.clear();
    // a pipe nobody writes to: reading it would wait for ever
    Path fifo = dir.resolve("fifo");
    if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0) {
      withFile(fifo, Map.of(), Map.of());
      assertEquals(List.of("OTEL_JAVAAGENT_CONFIGURATION_FILE: '" + fifo + "' is not a regular file; none of its settings apply"), lines);
    }

    lines.clear();
    Path huge = file("otel.service.name=" + "x".repeat(ConfigFile.MAX_BYTES) + "\n");
    assertNull(withFile(huge, Map.of(), Map.of()).getString("otel.service.name"));
    assertEquals(1, lines.size(), lines::toString);
    assertTrue(lines.get(0).contains("larger than 1 MiB"), lines::toString);

    lines.clear();
    Path malformed = file("otel.service.name=ok\notel.x=\\uZZZZ\n");
    assertNull(withFile(malformed, Map.of(), Map.of()).getString("otel.service.name"));
    assertEquals(1, lines.size(), lines::toString);
    assertTrue(lines.get(0).contains("is not a valid properties file (Malformed \\uxxxx encoding.)"), lines::toString);
  }

  @Test
  void keysThatAreNoSettingAreReportedWithoutTheirValues() throws IOException {
    StringBuilder text = new StringBuilder("otel.service.name=svc\notel.javaagent.configuration-file=/etc/other\n");
    for (int i = 0; i < 8; i++) {
      text.append("password").append(i).append("=hunter2\n");
    }
    text.append("weft.statup.wait=1s\nweft.startup.wait=1s\n");
    WeftConfig config = withFile(file(text.toString()), Map.of(), Map.of());
    assertEquals("svc", config.getString("otel.service.name"));
    assertTrue(config.hasWeftSettings());
    config.reportUnknownWeftSettings(List.of("weft.startup.wait"));
    assertEquals(7, lines.size(), lines::toString);
    assertTrue(lines.get(0).startsWith("'otel.javaagent.configuration-file' in ") && lines.get(0).endsWith("cannot name another one"), lines::toString);
    assertTrue(lines.get(1).startsWith("'password0' in ") && lines.get(1).endsWith("is not an OpenTelemetry (otel.*) or Weft (weft.*) setting and is ignored"),
        lines::toString);
    assertTrue(lines.get(5).startsWith("4 more keys in "), lines::toString);
    assertTrue(lines.get(6).startsWith("'weft.statup.wait' in ") && lines.get(6).contains("is not a Weft setting"), lines::toString);
    assertTrue(lines.stream().noneMatch(l -> l.contains("hunter2")), lines::toString);
  }

  @Test
  void hostileFileNamesAndKeysGivePrintableLines() throws IOException {
    Path file = file("otel.k\\u000a[weft]\\u0020forged=1\n" + "y".repeat(10_000) + "\\u001b=2\n");
    withFile(file, Map.of(), Map.of());
    new WeftConfig(Map.of(), Map.of("OTEL_JAVAAGENT_CONFIGURATION_FILE", "/tmp/\n[weft] forged\u0000" + "z".repeat(10_000)), lines::add);
    assertEquals(2, lines.size(), lines::toString);
    for (String line : lines) {
      assertTrue(line.length() < 400, line);
      assertTrue(line.chars().noneMatch(Character::isISOControl), line);
    }
  }
}
