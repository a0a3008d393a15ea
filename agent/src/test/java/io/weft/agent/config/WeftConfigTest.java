package io.weft.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** WeftConfig with bad, odd and hostile input: every accessor falls back and reports one bounded line. */
class WeftConfigTest {
  private final List<String> lines = new ArrayList<>();

  private WeftConfig env(String... nameValuePairs) {
    return new WeftConfig(Map.of(), pairs(nameValuePairs), lines::add);
  }

  private WeftConfig props(String... nameValuePairs) {
    return new WeftConfig(pairs(nameValuePairs), Map.of(), lines::add);
  }

  private static Map<String, String> pairs(String... nameValuePairs) {
    Map<String, String> map = new java.util.LinkedHashMap<>();
    for (int i = 0; i < nameValuePairs.length; i += 2) {
      map.put(nameValuePairs[i], nameValuePairs[i + 1]);
    }
    return map;
  }

  private String onlyLine() {
    assertEquals(1, lines.size(), () -> "expected one line, got " + lines);
    return lines.get(0);
  }

  @Test
  void propertyWinsOverEnvironment() {
    WeftConfig config = new WeftConfig(
        Map.of("otel.service.name", "from-property"), Map.of("OTEL_SERVICE_NAME", "from-env"), lines::add);
    assertEquals("from-property", config.getString("otel.service.name"));
    assertEquals("-Dotel.service.name", config.nameAsSet("otel.service.name"));
    assertTrue(lines.isEmpty());
  }

  /**
   * The agent's arguments come first (at an attach they are the operator's; the application's settings were fixed when it
   * started), by either name, are named as given in reports, can name the properties file, and a mistyped Weft name
   * among them is reported as the others are.
   */
  @Test
  void agentArgumentsWinOverPropertiesAndEnvironment(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws java.io.IOException {
    java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("weft.properties"), "otel.traces.sampler=always_off\n");
    WeftConfig config = new WeftConfig(
        pairs("otel.service.name", "from-argument", "OTEL_BSP_SCHEDULE_DELAY", "ten", "otel.javaagent.configuration-file", file.toString(),
            "weft.startp.wait", "5"),
        pairs("otel.service.name", "from-property", "otel.bsp.schedule.delay", "100"),
        pairs("OTEL_SERVICE_NAME", "from-env", "OTEL_METRIC_EXPORT_INTERVAL", "500"), lines::add);
    assertEquals("from-argument", config.getString("otel.service.name"));
    assertEquals("the agent's argument otel.service.name", config.nameAsSet("otel.service.name"));
    assertEquals(5000, config.getMillis("otel.bsp.schedule.delay", 5000, true), "an invalid argument is not replaced by the property");
    assertTrue(onlyLine().startsWith("the agent's argument OTEL_BSP_SCHEDULE_DELAY='ten' is invalid"), lines::toString);
    assertEquals("500", config.getString("otel.metric.export.interval"), "what the arguments do not set comes from the rest");
    assertEquals("always_off", config.getString("otel.traces.sampler"), "the file the arguments name is read");
    lines.clear();
    assertTrue(config.hasWeftSettings());
    config.reportUnknownWeftSettings(List.of("weft.startup.wait"));
    assertEquals("the agent's argument weft.startp.wait is not a Weft setting and is ignored (see the configuration table in the README)",
        onlyLine());
  }

  @Test
  void environmentNameReplacesDotsAndDashes() {
    assertEquals("OTEL_INSTRUMENTATION_COMMON_DB_QUERY_SANITIZATION_ENABLED",
        WeftConfig.envName("otel.instrumentation.common.db.query-sanitization.enabled"));
    WeftConfig config = env("OTEL_INSTRUMENTATION_COMMON_DB_QUERY_SANITIZATION_ENABLED", "false");
    assertFalse(config.getBoolean("otel.instrumentation.common.db.query-sanitization.enabled", true));
    assertEquals("OTEL_INSTRUMENTATION_COMMON_DB_QUERY_SANITIZATION_ENABLED",
        config.nameAsSet("otel.instrumentation.common.db.query-sanitization.enabled"));
  }

  /**
   * A property is found under any spelling of its name, as the OpenTelemetry SDK's configuration finds it (case ignored,
   * dots and dashes alike): {@code -Dotel.instrumentation.common.default.enabled=false}, the variable's name with dots,
   * was once ignored without a word, every instrumentation left on.
   */
  @Test
  void propertiesAreFoundUnderAnySpellingOfTheirName() {
    WeftConfig config = new WeftConfig(
        pairs("otel.instrumentation.common.default.enabled", "false", "OTEL.SERVICE.NAME", "orders",
            "otel.javaagent.configuration.file", "/nonexistent/weft.properties"),
        pairs("OTEL_INSTRUMENTATION_COMMON_DEFAULT_ENABLED", "true", "OTEL_SERVICE_NAME", "from-env"), lines::add);
    assertFalse(config.getBoolean("otel.instrumentation.common.default-enabled", true), "the property wins over the variable");
    assertEquals("-Dotel.instrumentation.common.default.enabled", config.nameAsSet("otel.instrumentation.common.default-enabled"));
    assertEquals("orders", config.getString("otel.service.name"));
    assertEquals("-DOTEL.SERVICE.NAME", config.nameAsSet("otel.service.name"));
    assertTrue(onlyLine().contains("-Dotel.javaagent.configuration.file"), "the properties file is named so too: " + lines);

    lines.clear();
    WeftConfig both = props("otel.bsp.schedule-delay", "300", "otel.bsp.schedule.delay", "200", "OTEL.BSP.SCHEDULE.DELAY", "100");
    assertEquals(200, both.getMillis("otel.bsp.schedule.delay", 5000, true), "the setting's own key wins over other spellings");
    assertEquals("-Dotel.bsp.schedule.delay", both.nameAsSet("otel.bsp.schedule.delay"));
    assertTrue(lines.isEmpty(), lines::toString);
  }

  @Test
  void weftPropertiesSpelledOtherwiseAreKnownAndReadButTyposStillReported() {
    WeftConfig config = props("weft.methods.metric-enabled", "false", "WEFT.STARTUP.WAIT", "1s", "weft.startup-wiat", "1s");
    assertTrue(config.hasWeftSettings());
    assertFalse(config.getBoolean("weft.methods.metric.enabled", true));
    config.reportUnknownWeftSettings(List.of("weft.methods.metric.enabled", "weft.startup.wait"));
    assertEquals("-Dweft.startup-wiat is not a Weft setting and is ignored (see the configuration table in the README)", onlyLine());
  }

  @Test
  void blankIsUnset() {
    WeftConfig config = env("OTEL_SERVICE_NAME", "  \t ");
    assertNull(config.getString("otel.service.name"));
    assertEquals("dflt", config.getString("otel.service.name", "dflt"));
    assertEquals("x", env("OTEL_SERVICE_NAME", "  x ").getString("otel.service.name"));
  }

  @Test
  void booleansAreTrueOrFalseInAnyCase() {
    assertTrue(env("OTEL_A", "TRUE").getBoolean("otel.a", false));
    assertFalse(env("OTEL_A", "false").getBoolean("otel.a", true));
    assertTrue(env().getBoolean("otel.a", true));
    assertTrue(lines.isEmpty());
  }

  /**
   * A malformed value keeps the default, as every setting's does, and the line says how the OpenTelemetry agent would have
   * read it (anything but true is false), where that differs.
   */
  @Test
  void yesIsNotABoolean() {
    assertTrue(env("OTEL_A", "yes").getBoolean("otel.a", true));
    assertEquals("OTEL_A='yes' is invalid (expected true or false); using true (the OpenTelemetry agent would read it as false)",
        onlyLine());
    lines.clear();
    assertFalse(env("OTEL_A", "1").getBoolean("otel.a", false));
    assertEquals("OTEL_A='1' is invalid (expected true or false); using false", onlyLine());
  }

  @Test
  void intsOutOfRangeOrNotNumbersFallBack() {
    assertEquals(7, env("OTEL_N", "7").getInt("otel.n", 1, 0, 10));
    assertEquals(0, env("OTEL_N", "0").getInt("otel.n", 1, 0, 10));
    assertEquals(10, env("OTEL_N", "10").getInt("otel.n", 1, 0, 10));
    assertTrue(lines.isEmpty());
    for (String bad : new String[] {"11", "-1", "abc", "1.5", "1e3", "99999999999999999999", "0x10"}) {
      lines.clear();
      assertEquals(1, env("OTEL_N", bad).getInt("otel.n", 1, 0, 10), bad);
      assertTrue(onlyLine().contains("a whole number from 0 to 10"), bad);
    }
  }

  @Test
  void durationsArePlainMillisOrSuffixed() {
    assertEquals(250, env("OTEL_D", "250").getMillis("otel.d", 1, false));
    assertEquals(250, env("OTEL_D", "250ms").getMillis("otel.d", 1, false));
    assertEquals(5_000, env("OTEL_D", "5s").getMillis("otel.d", 1, false));
    assertEquals(120_000, env("OTEL_D", "2m").getMillis("otel.d", 1, false));
    assertEquals(3_600_000, env("OTEL_D", "1H").getMillis("otel.d", 1, false));
    assertEquals(0, env("OTEL_D", "0").getMillis("otel.d", 1, true));
    assertTrue(lines.isEmpty());
  }

  @Test
  void sizesArePlainBytesOrSuffixed() {
    assertEquals(100, env("WEFT_S", "100").getBytes("weft.s", 1, false));
    assertEquals(16L << 20, env("WEFT_S", "16MB").getBytes("weft.s", 1, false));
    assertEquals(16L << 20, env("WEFT_S", "16mib").getBytes("weft.s", 1, false));
    assertEquals(512L << 10, env("WEFT_S", " 512 KB ").getBytes("weft.s", 1, false));
    assertEquals(2L << 30, env("WEFT_S", "2G").getBytes("weft.s", 1, false));
    assertEquals(0, env("WEFT_S", "0").getBytes("weft.s", 1, true));
    assertTrue(lines.isEmpty(), lines::toString);
    for (String bad : new String[] {"-1", "lots", "1.5MB", "MB", "5TB", "99999999999999999999GB", "0"}) {
      lines.clear();
      assertEquals(7, env("WEFT_S", bad).getBytes("weft.s", 7, false), bad);
      String line = onlyLine();
      assertTrue(line.contains("WEFT_S") && line.contains("using 7 bytes"), line);
    }
  }

  @Test
  void badDurationsFallBackWithOneLine() {
    for (String bad : new String[] {"-5", "-5s", "soon", "1.5s", "s", "5x", "99999999999999999999",
        "9223372036854775807", "4000000000000000h"}) {
      lines.clear();
      assertEquals(1_000, env("OTEL_D", bad).getMillis("otel.d", 1_000, false), bad);
      String line = onlyLine();
      assertTrue(line.contains("OTEL_D") && line.contains("using 1000 ms"), line);
    }
    lines.clear();
    assertEquals(1_000, env("OTEL_D", "0").getMillis("otel.d", 1_000, false));
    assertTrue(onlyLine().contains("a positive duration"));
  }

  @Test
  void doublesWithinRange() {
    assertEquals(0.25, env("OTEL_R", "0.25").getDouble("otel.r", 1.0, 0.0, 1.0));
    assertTrue(lines.isEmpty());
    for (String bad : new String[] {"1.5", "-0.1", "NaN", "Infinity", "half", "1e400"}) {
      lines.clear();
      assertEquals(1.0, env("OTEL_R", bad).getDouble("otel.r", 1.0, 0.0, 1.0), bad);
      assertTrue(onlyLine().contains("a number from 0.0 to 1.0"), bad);
    }
  }

  @Test
  void choiceIsCaseInsensitiveAndReportsUnknown() {
    assertEquals("grpc", env("OTEL_P", "GRPC").getChoice("otel.p", "http/protobuf", "http/protobuf", "grpc"));
    assertTrue(lines.isEmpty());
    assertEquals("http/protobuf", env("OTEL_P", "thrift").getChoice("otel.p", "http/protobuf", "http/protobuf", "grpc"));
    assertTrue(onlyLine().contains("one of http/protobuf, grpc"));
  }

  @Test
  void choiceListDropsUnknownItems() {
    List<String> result = env("OTEL_E", "otlp, zipkin ,CONSOLE,otlp")
        .getChoices("otel.e", List.of("otlp"), "otlp", "console", "none");
    assertEquals(List.of("otlp", "console"), result);
    String line = onlyLine();
    assertTrue(line.contains("'zipkin'") && line.contains("otlp, console, none"), line);
  }

  @Test
  void noneMeansAnEmptyList() {
    assertEquals(List.of(), env("OTEL_E", "none").getChoices("otel.e", List.of("otlp"), "otlp", "none"));
    assertEquals(List.of("otlp"), env().getChoices("otel.e", List.of("otlp"), "otlp", "none"));
    assertTrue(lines.isEmpty());
  }

  @Test
  void mapsArePercentDecodedPairs() {
    Map<String, String> map = env("OTEL_H", "k=v,k2=v%202, api-key = a+b==, ,").getMap("otel.h");
    assertEquals(Map.of("k", "v", "k2", "v 2", "api-key", "a+b=="), map);
    assertTrue(lines.isEmpty());
  }

  @Test
  void malformedPairsAreReportedWithoutTheirValues() {
    Map<String, String> map = env("OTEL_H", "good=1,secret-token-123,=hunter2").getMap("otel.h");
    assertEquals(Map.of("good", "1"), map);
    assertEquals(2, lines.size(), lines::toString);
    for (String line : lines) {
      assertTrue(line.contains("OTEL_H") && line.contains("malformed"), line);
      assertFalse(line.contains("secret-token-123") || line.contains("hunter2"), line);
    }
  }

  @Test
  void malformedPercentEncodingIsKeptAsWritten() {
    Map<String, String> map = env("OTEL_H", "auth=Bearer%zz_s3cret").getMap("otel.h");
    assertEquals(Map.of("auth", "Bearer%zz_s3cret"), map);
    String line = onlyLine();
    assertTrue(line.contains("'auth'") && line.contains("percent-encoding"), line);
    assertFalse(line.contains("s3cret"), line);
  }

  @Test
  void urlsNeedHttpOrHttpsAndAHost() {
    String dflt = "http://localhost:4318";
    assertEquals("https://collector:4318/otlp", env("OTEL_U", "https://collector:4318/otlp").getUrl("otel.u", dflt));
    assertTrue(lines.isEmpty());
    for (String bad : new String[] {"collector:4318", "localhost", "ftp://collector/", "http://", "http:///v1/traces",
        "http://exa mple", "://x"}) {
      lines.clear();
      assertEquals(dflt, env("OTEL_U", bad).getUrl("otel.u", dflt), bad);
      assertTrue(onlyLine().contains("an http:// or https:// URL with a host"), bad);
    }
  }

  @Test
  void hostileValuesGiveBoundedPrintableLines() {
    String forged = "yes\n[weft] all good\r\u001b[2J\u0000\u0007";
    String huge = "x".repeat(10_240) + "\n";
    for (String value : new String[] {forged, huge, forged + huge}) {
      lines.clear();
      WeftConfig config = env("OTEL_A", value, "OTEL_H", "\n=" + value + ",=x", "OTEL_E", value);
      config.getBoolean("otel.a", false);
      config.getInt("otel.a", 1, 0, 2);
      config.getMillis("otel.a", 1, false);
      config.getDouble("otel.a", 1, 0, 2);
      config.getChoice("otel.a", "a", "a", "b");
      config.getChoices("otel.e", List.of(), "a");
      config.getMap("otel.h");
      config.getUrl("otel.a", "http://localhost");
      assertFalse(lines.isEmpty());
      for (String line : lines) {
        assertPrintableAndBounded(line);
      }
    }
  }

  @Test
  void unknownWeftVariablesAreReportedKnownOnesAndTestSwitchesNot() {
    WeftConfig config = new WeftConfig(
        Map.of("weft.startup.wait", "1s", "weft.statup.wait", "1s", "weft.test.fault", "spans"),
        Map.of("WEFT_SHUTDOWN_TIMEOUT", "5s", "WEFT_SHUTDOWN_TIMOUT", "5s", "OTEL_FOO", "x", "PATH", "/bin"),
        lines::add);
    config.reportUnknownWeftSettings(List.of("weft.startup.wait", "weft.shutdown.timeout"));
    assertEquals(2, lines.size(), lines::toString);
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("-Dweft.statup.wait ")), lines::toString);
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("WEFT_SHUTDOWN_TIMOUT ")), lines::toString);
  }

  /** The OpenTelemetry agent's container and versioned instrumentation names: one line naming Weft's switch for that work. */
  @Test
  void theOpenTelemetryAgentsOtherNamesForWeftsInstrumentationsAreNamed() {
    WeftConfig config = env("OTEL_INSTRUMENTATION_TOMCAT_ENABLED", "false", "OTEL_INSTRUMENTATION_SERVLET_5_0_ENABLED", "false",
        "OTEL_INSTRUMENTATION_LOGBACK_APPENDER_1_0_ENABLED", "true", "OTEL_INSTRUMENTATION_SERVLET_ENABLED", "true");
    config.reportUnsupportedSettings();
    assertEquals(List.of(
        "OTEL_INSTRUMENTATION_TOMCAT_ENABLED is not a Weft switch and is ignored: Weft's servlet instrumentation does that work"
            + " (OTEL_INSTRUMENTATION_SERVLET_ENABLED)",
        "OTEL_INSTRUMENTATION_SERVLET_5_0_ENABLED is not a Weft switch and is ignored: Weft's servlet instrumentation does that work"
            + " (OTEL_INSTRUMENTATION_SERVLET_ENABLED)",
        "OTEL_INSTRUMENTATION_LOGBACK_APPENDER_1_0_ENABLED is not a Weft switch and is ignored: Weft's logback-appender"
            + " instrumentation does that work (OTEL_INSTRUMENTATION_LOGBACK_APPENDER_ENABLED)"), lines);
  }

  @Test
  void openTelemetryAgentSettingsWeftDoesNotActOnAreNamedOnce() {
    WeftConfig config = env("OTEL_JAVAAGENT_EXTENSIONS", "/opt/ext.jar",
        "OTEL_INSTRUMENTATION_JDBC_DATASOURCE_ENABLED", "TRUE", // supported since
        "OTEL_SEMCONV_STABILITY_OPT_IN", "database/dup,code",
        "OTEL_JAVAAGENT_LOGGING", "none",
        "OTEL_INSTRUMENTATION_LOG4J_APPENDER_EXPERIMENTAL_CAPTURE_MARKER_ATTRIBUTE", "true", // supported
        "OTEL_INSTRUMENTATION_LOG4J_APPENDER_EXPERIMENTAL_CAPTURE_CODE_ATTRIBUTES", "true", // supported
        "OTEL_INSTRUMENTATION_LOGBACK_APPENDER_EXPERIMENTAL_CAPTURE_MDC_ATTRIBUTES", "*", // supported
        "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION", "base2_exponential_bucket_histogram"); // supported since
    config.reportUnsupportedSettings();
    config.reportUnsupportedSettings();
    assertEquals(List.of(
        "OTEL_JAVAAGENT_EXTENSIONS is not supported and is ignored: Weft loads no extensions",
        "OTEL_SEMCONV_STABILITY_OPT_IN='database/dup,code' is not supported: Weft sends the stable conventions only, never the old attributes beside them",
        "OTEL_JAVAAGENT_LOGGING='none' is not supported: Weft writes its few lines to stderr (simple)"), lines);

    lines.clear();
    // what Weft does anyway is no problem
    env("OTEL_INSTRUMENTATION_JDBC_DATASOURCE_ENABLED", "false", "OTEL_SEMCONV_STABILITY_OPT_IN", "database,code,SERVICE.PEER/dup",
        "OTEL_JAVAAGENT_LOGGING", "simple", "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION", "explicit_bucket_histogram",
        "OTEL_INSTRUMENTATION_LOG4J_APPENDER_EXPERIMENTAL_CAPTURE_MARKER_ATTRIBUTE", "false")
        .reportUnsupportedSettings();
    assertEquals(List.of(), lines);
  }

  @Test
  void unknownWeftNamesAreMadePrintableToo() {
    // a variable's name is as much user input as its value
    String name = "WEFT_X\n[weft] forged" + "Y".repeat(10_240);
    new WeftConfig(Map.of("weft.\r" + "z".repeat(10_240), "1"), Map.of(name, "1"), lines::add)
        .reportUnknownWeftSettings(List.of());
    assertEquals(2, lines.size(), lines::toString);
    for (String line : lines) {
      assertPrintableAndBounded(line);
    }
  }

  @Test
  void everyWarningIsOnePrintableBoundedLineWhoeverWroteIt() {
    // an instrumentation's own message quoting a raw value (the methods list, header names) is guarded too
    WeftConfig config = new WeftConfig(Map.of(), Map.of(), lines::add);
    config.warn("OTEL_X: ignoring 'a\n[weft] forged\r" + "z".repeat(10_240) + "'");
    assertEquals(1, lines.size());
    assertPrintableAndBounded(lines.get(0));
    assertTrue(lines.get(0).startsWith("OTEL_X: ignoring 'a?[weft] forged?zzz"), lines.get(0));
  }

  @Test
  void noAccessorEverThrows() {
    Random random = new Random(20_240_517L);
    String[] alphabet = {"true", "false", "none", "=", ",", "%", "%2", "%zz", "%20", "+", "ms", "s", "m", "h", "-",
        ".", "e", "9", "0", "http://", "https://", "ftp:", "[", "]", "@", ":", "/", " ", "\t", "\n", "\u0000",
        "\uD800", "\uDC00", "\u2028", "\u202E", "é", "9223372036854775807", "NaN", "Infinity"};
    for (int i = 0; i < 3_000; i++) {
      StringBuilder value = new StringBuilder();
      int parts = random.nextInt(12);
      for (int p = 0; p < parts; p++) {
        if (random.nextInt(3) == 0) {
          value.append((char) random.nextInt(Character.MAX_VALUE + 1)); // any UTF-16 unit, lone surrogates too
        } else {
          value.append(alphabet[random.nextInt(alphabet.length)]);
        }
      }
      String v = value.toString();
      lines.clear();
      WeftConfig config = random.nextBoolean()
          ? env("OTEL_K", v, "WEFT_" + v, v, "OTEL_JAVAAGENT_DEBUG", v)
          : props("otel.k", v, "weft." + v, v, "otel.javaagent.debug", v);
      config.getString("otel.k");
      config.getBoolean("otel.k", false);
      config.getInt("otel.k", 1, Integer.MIN_VALUE, Integer.MAX_VALUE);
      config.getMillis("otel.k", 1, random.nextBoolean());
      config.getDouble("otel.k", 1, -Double.MAX_VALUE, Double.MAX_VALUE);
      config.getChoice("otel.k", "a", "a", "none");
      config.getChoices("otel.k", List.of(), "a", "none");
      config.getList("otel.k");
      config.getMap("otel.k");
      config.getUrl("otel.k", "http://localhost");
      config.reportUnknownWeftSettings(List.of());
      for (String line : lines) {
        assertPrintableAndBounded(line);
      }
    }
  }

  private static void assertPrintableAndBounded(String line) {
    assertTrue(line.length() < 400, () -> "unbounded: " + line.length() + " chars");
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      assertFalse(Character.isISOControl(c), () -> "control character " + (int) c + " in: " + line);
    }
  }
}
