package io.weft.smoke;

import static io.weft.receiver.SpanMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.receiver.LogMatchers;
import io.weft.receiver.NumberPointView;
import io.weft.receiver.OtlpReceiver;
import io.weft.receiver.ReceivedLog;
import io.weft.receiver.ReceivedMetric;
import io.weft.receiver.ReceivedSpan;
import io.weft.receiver.Signal;
import io.weft.receiver.Transport;
import io.weft.smoke.app.BridgedLogApp;
import io.weft.smoke.app.JBossLogApp;
import io.weft.smoke.app.JulApp;
import io.weft.smoke.app.Log4jApp;
import io.weft.smoke.app.LogApp;
import io.weft.smoke.app.StructuredLog4jApp;
import io.weft.smoke.app.StructuredLogApp;
import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.Jdk;
import io.weft.smoke.support.Jdks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Log records exported over OTLP, end to end: JUL (a JDK class, woven by its own transformer), libraries bridged into
 * one another (one record per call), the switches, {@code OTEL_LOGS_EXPORTER=none}, gRPC with the thread attributes,
 * and a collector that is not there. Logback and Log4j in all their versions are checked by {@link LogCorrelationIT},
 * on the same runs as their log lines.
 */
class LogRecordsIT {

  @TempDir
  Path dir;

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void julRecordsAreExportedWithTheirSpanLevelAndException(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp).env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", JulApp.class.getName() + "[handle]")
            .start(JulApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      ReceivedSpan handle = otlp.awaitSpan(named("JulApp.handle"));
      List<ReceivedLog> logs = otlp.awaitLogs(LogMatchers.scope("jul.app"), 3);
      assertEquals(3, logs.size(), logs::toString);
      ReceivedLog before = only(logs, "before");
      assertEquals(9, before.severityNumber());
      assertEquals("INFO", before.severityText());
      assertEquals("", before.traceId());
      assertEquals(Map.of(), before.attributes());
      ReceivedLog failed = only(logs, "failed for carol");
      assertEquals(17, failed.severityNumber());
      assertEquals("SEVERE", failed.severityText());
      assertEquals(handle.traceId(), failed.traceId());
      assertEquals(handle.spanId(), failed.spanId());
      assertEquals("java.lang.IllegalStateException", failed.attribute("exception.type"));
      assertEquals("boom carol", failed.attribute("exception.message"));
      assertTrue(failed.attribute("exception.stacktrace").contains("JulApp.handle("), failed.attribute("exception.stacktrace"));
      ReceivedLog warning = only(logs, "param x and 42"); // formatted as JUL's formatters do
      assertEquals(13, warning.severityNumber());
      assertEquals("WARNING", warning.severityText());
      assertEquals("smoke-app", warning.resourceAttribute("service.name"));
      long now = System.currentTimeMillis() * 1_000_000L;
      assertTrue(before.timeUnixNano() > now - 120_000_000_000L && before.timeUnixNano() <= warning.timeUnixNano(), logs::toString);
      assertTrue(app.output().contains("SEVERE: failed for carol"), app::describe); // JUL's own console output stays
      // the agent's own metrics count them too, in the last collection at exit (after the records' delivery)
      ReceivedMetric processed = otlp.awaitMetric("otel.sdk.processor.log.processed");
      assertEquals(3, sum(processed, "batching_log_processor", null), processed::toString);
      assertEquals(0, sum(processed, "batching_log_processor", "queue_full"), processed::toString);
      ReceivedMetric delivered = otlp.awaitMetric("otel.sdk.exporter.log.exported");
      assertEquals(3, sum(delivered, "otlp_http_log_exporter", null), delivered::toString);
    }
  }

  /** JBoss LogManager as JUL's manager (Quarkus, WildFly): its loggers do not go through JUL's own log(LogRecord). */
  @Test
  void jbossLogManagerRecordsAreExportedAsItFormatsThem() {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(Jdks.current(), otlp).libs("jboss")
            .property("java.util.logging.manager", "org.jboss.logmanager.LogManager")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", JBossLogApp.class.getName() + "[handle]")
            .start(JBossLogApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      assertTrue(app.output().contains("logger org.jboss.logmanager.Logger"), app::describe);
      ReceivedSpan handle = otlp.awaitSpan(named("JBossLogApp.handle"));
      List<ReceivedLog> logs = otlp.awaitLogs(LogMatchers.scope("jboss.app"), 3);
      assertEquals(3, logs.size(), "each named by its logger: " + otlp.logs());
      ReceivedLog inside = only(logs, "inside handle");
      assertEquals(handle.traceId(), inside.traceId());
      assertEquals("INFO", inside.severityText());
      assertEquals(13, only(logs, "param x").severityNumber());
      only(logs, "order 42 placed"); // printf style, as JBoss formats it
      // JBoss's own handler finds the span's ids in the record's MDC (jboss-logmanager-mdc), outside a span none
      String line = "MDC inside handle trace=" + handle.traceId() + " span=" + handle.spanId() + " flags=01";
      assertEquals(1, app.output().lines().filter(line::equals).count(), () -> line + "\n" + app.describe());
      assertTrue(app.output().lines().anyMatch("MDC param x trace= span= flags="::equals), app::describe);
      // by default neither the MDC's values nor the thread
      assertEquals(java.util.Map.of(), inside.attributes(), inside::toString);
    }
  }

  /**
   * JBoss LogManager's own settings, the OpenTelemetry agent's: its MDC values (here one listed) and the thread as
   * attributes; JUL's setting stays off. A record outside the MDC's value has none.
   */
  @Test
  void jbossLogManagerRecordsCarryItsMdcAndThreadWhenAskedFor() {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(Jdks.current(), otlp).libs("jboss")
            .property("java.util.logging.manager", "org.jboss.logmanager.LogManager")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", JBossLogApp.class.getName() + "[handle]")
            .env("OTEL_INSTRUMENTATION_JBOSS_LOGMANAGER_EXPERIMENTAL_CAPTURE_MDC_ATTRIBUTES", "tenant,absent")
            .env("OTEL_INSTRUMENTATION_JBOSS_LOGMANAGER_EXPERIMENTAL_LOG_ATTRIBUTES", "true")
            .start(JBossLogApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      List<ReceivedLog> logs = otlp.awaitLogs(LogMatchers.scope("jboss.app"), 3);
      ReceivedLog inside = only(logs, "inside handle");
      assertEquals("acme", inside.attribute("tenant"), inside::toString);
      assertEquals("main", inside.attribute("thread.name"), inside::toString);
      assertEquals(3, inside.attributes().size(), "tenant, thread.name, thread.id: " + inside);
      ReceivedLog outside = only(logs, "param x");
      assertNull(outside.attribute("tenant"), outside::toString);
      assertEquals("main", outside.attribute("thread.name"), outside::toString);
    }
  }

  /** JUL and the Log4j API both handed to SLF4J and logged by Logback: each call is one record, not two. */
  @Test
  void aCallBridgedFromOneLibraryToAnotherIsOneRecord() throws IOException {
    Path config = logbackConfig();
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(Jdks.current(), otlp).libs("bridged")
            .property("logback.configurationFile", config.toString())
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", BridgedLogApp.class.getName() + "[handle]")
            .start(BridgedLogApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      ReceivedSpan handle = otlp.awaitSpan(named("BridgedLogApp.handle"));
      // Logback printed all three: the bridges worked
      for (String line : List.of("bridged.jul from jul", "bridged.log4j from log4j", "bridged.slf4j from slf4j")) {
        assertTrue(app.output().contains(line), app::describe);
      }
      otlp.awaitLogs(LogMatchers.any(), 3);
      List<ReceivedLog> logs = otlp.logs().stream().filter(l -> l.body().startsWith("from ")).collect(Collectors.toList());
      assertEquals(3, logs.size(), logs::toString);
      for (String library : List.of("jul", "log4j", "slf4j")) {
        ReceivedLog log = only(logs, "from " + library);
        assertEquals("bridged." + library, log.scopeName(), log::toString);
        assertEquals("INFO", log.severityText(), log::toString);
        assertEquals(handle.traceId(), log.traceId(), log::toString);
      }
    }
  }

  @Test
  void noneExportsNoRecordAndTheSwitchTurnsOneLibraryOff() throws IOException {
    Path config = logbackConfig();
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(Jdks.current(), otlp).libs("logback").property("logback.configurationFile", config.toString())
            .env("OTEL_LOGS_EXPORTER", "none")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", LogApp.class.getName() + "[handle]")
            .start(LogApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      otlp.awaitSpans(named("LogApp.handle"), 2); // delivered at exit, as the records would have been
      assertEquals(0, otlp.exportRequests(Signal.LOGS, Transport.HTTP), otlp.exportRequests()::toString);
      assertTrue(app.output().contains(" logs=none "), app::describe);
      assertTrue(app.output().contains("sync inside alice"), app::describe);
    }
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(Jdks.current(), otlp).libs("logback").property("logback.configurationFile", config.toString())
            .env("OTEL_INSTRUMENTATION_LOGBACK_APPENDER_ENABLED", "false")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", LogApp.class.getName() + "[handle]")
            .start(LogApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      otlp.awaitSpans(named("LogApp.handle"), 2);
      assertEquals(0, otlp.exportRequests(Signal.LOGS, Transport.HTTP), otlp.exportRequests()::toString);
      assertTrue(app.output().contains("logback-appender(off)"), app::describe);
    }
  }

  /**
   * MDC and thread context values as attributes, when asked for: all of Logback's MDC but the span's ids the agent put
   * there (bob's own trace_id stays), and the listed keys of Log4j's thread context.
   */
  @Test
  void contextValuesBecomeAttributesWhenAskedFor() throws IOException {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(Jdks.current(), otlp).libs("logback").property("logback.configurationFile", logbackConfig().toString())
            .env("OTEL_INSTRUMENTATION_LOGBACK_APPENDER_EXPERIMENTAL_CAPTURE_MDC_ATTRIBUTES", "*")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", LogApp.class.getName() + "[handle]")
            .start(LogApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      otlp.awaitLogs(LogMatchers.any(), 7);
      assertEquals(Map.of("user", "alice"), only(otlp.logs(), "inside alice").attributes());
      assertEquals(Map.of("user", "bob", "trace_id", "mine"), only(otlp.logs(), "inside bob").attributes());
      assertEquals(Map.of(), only(otlp.logs(), "before").attributes());
      assertFalse(app.output().contains("is not supported"), app::describe);
    }
    Path config = log4jConfig();
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(Jdks.current(), otlp).libs("log4j").property("log4j2.configurationFile", config.toString())
            .env("OTEL_INSTRUMENTATION_LOG4J_APPENDER_EXPERIMENTAL_CAPTURE_MDC_ATTRIBUTES", "user")
            .start(Log4jApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      otlp.awaitLogs(LogMatchers.any(), 7);
      assertEquals(Map.of("user", "bob"), only(otlp.logs(), "inside bob").attributes(), "the listed key only");
      assertEquals(Map.of(), only(otlp.logs(), "after").attributes());
    }
  }

  /** SLF4J 2's key-value pairs (typed) and markers of a Logback event, when asked for. */
  @Test
  void keyValuePairsAndMarkersWhenAskedFor() throws IOException {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(Jdks.current(), otlp).libs("logback").property("logback.configurationFile", logbackConfig().toString())
            .env("OTEL_INSTRUMENTATION_LOGBACK_APPENDER_EXPERIMENTAL_CAPTURE_KEY_VALUE_PAIR_ATTRIBUTES", "true")
            .env("OTEL_INSTRUMENTATION_LOGBACK_APPENDER_EXPERIMENTAL_CAPTURE_MARKER_ATTRIBUTE", "true")
            .env("OTEL_INSTRUMENTATION_LOGBACK_APPENDER_EXPERIMENTAL_CAPTURE_CODE_ATTRIBUTES", "true")
            .start(StructuredLogApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      ReceivedLog placed = otlp.awaitLog(LogMatchers.bodyContains("placed"));
      assertEquals(42L, placed.proto().getAttributesList().stream().filter(a -> a.getKey().equals("order")).findFirst()
          .orElseThrow().getValue().getIntValue(), placed::toString);
      assertTrue(placed.proto().getAttributesList().stream().anyMatch(a -> a.getKey().equals("paid") && a.getValue().getBoolValue()),
          placed::toString);
      assertEquals("AUDIT", placed.proto().getAttributesList().stream().filter(a -> a.getKey().equals("logback.marker"))
          .findFirst().orElseThrow().getValue().getArrayValue().getValues(0).getStringValue(), placed::toString);
      assertEquals(StructuredLogApp.class.getName() + ".main", placed.attribute("code.function.name"), placed::toString);
      assertEquals("StructuredLogApp.java", placed.attribute("code.file.path"), placed::toString);
      assertEquals(6, placed.attributes().size(), placed::toString);
      assertFalse(app.output().contains("is not supported"), app::describe);
    }
  }

  /** Log4j's map message fields and markers, when asked for, on both of core's woven paths. */
  @Test
  void log4jMapMessagesAndMarkersWhenAskedFor() throws IOException {
    Path config = log4jConfig();
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(Jdks.current(), otlp).libs("log4j").property("log4j2.configurationFile", config.toString())
            .env("OTEL_INSTRUMENTATION_LOG4J_APPENDER_EXPERIMENTAL_CAPTURE_MAP_MESSAGE_ATTRIBUTES", "true")
            .env("OTEL_INSTRUMENTATION_LOG4J_APPENDER_EXPERIMENTAL_CAPTURE_MARKER_ATTRIBUTE", "true")
            .env("OTEL_INSTRUMENTATION_LOG4J_APPENDER_EXPERIMENTAL_CAPTURE_CODE_ATTRIBUTES", "true")
            .start(StructuredLog4jApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      otlp.awaitLogs(LogMatchers.scope("structured"), 2);
      Map<String, String> main = Map.of("code.function.name", StructuredLog4jApp.class.getName() + ".main",
          "code.file.path", "StructuredLog4jApp.java");
      ReceivedLog placed = only(otlp.logs(), "order placed");
      assertEquals("42", placed.attribute("order"), placed::toString);
      assertEquals("AUDIT", placed.attribute("log4j.marker"), placed::toString);
      ReceivedLog built = only(otlp.logs(), "built");
      assertEquals("WARN", built.severityText());
      assertEquals("AUDIT", built.attribute("log4j.marker"), built::toString);
      for (ReceivedLog log : List.of(placed, built)) {
        for (Map.Entry<String, String> code : main.entrySet()) {
          assertEquals(code.getValue(), log.attribute(code.getKey()), log::toString);
        }
        assertTrue(Integer.parseInt(log.attribute("code.line.number")) > 0, log::toString);
      }
      assertEquals(5, placed.attributes().size(), placed::toString);
      assertEquals(4, built.attributes().size(), built::toString);
      assertFalse(app.output().contains("is not supported"), app::describe);
    }
  }

  /** WEFT_LOGS_MIN_SEVERITY: the application logs as before, only the records at or above it are exported. */
  @Test
  void onlyRecordsAtTheLeastSeverityOrAboveAreExported() throws IOException {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(Jdks.current(), otlp).libs("logback").property("logback.configurationFile", logbackConfig().toString())
            .env("WEFT_LOGS_MIN_SEVERITY", "error")
            .start(LogApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      assertTrue(app.output().contains("sync inside alice") && app.output().contains("sync failed for alice"), app::describe);
      otlp.awaitLog(LogMatchers.bodyContains("failed for alice"));
      assertEquals(List.of("failed for alice"), otlp.logs().stream().map(ReceivedLog::body).collect(Collectors.toList()),
          "the exit flushed: the error is the only record");
      assertFalse(app.output().contains("is not a Weft setting"), app::describe);
    }
  }

  /** OTLP over gRPC for logs alone, and the thread attributes asked for. */
  @Test
  void logsGoOverGrpcWithTheThreadAttributesWhenAskedFor() throws IOException {
    Path config = log4jConfig();
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(Jdks.current(), otlp).libs("log4j").property("log4j2.configurationFile", config.toString())
            .env("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "grpc")
            .env("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", otlp.grpcEndpoint())
            .env("OTEL_INSTRUMENTATION_LOG4J_APPENDER_EXPERIMENTAL_LOG_ATTRIBUTES", "true")
            .start(Log4jApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      ReceivedLog before = otlp.awaitLog(LogMatchers.bodyContains("before"));
      assertEquals("sync", before.scopeName());
      assertEquals("main", before.attribute("thread.name"));
      assertTrue(Long.parseLong(before.attribute("thread.id")) > 0, before::toString);
      assertTrue(otlp.exportRequests(Signal.LOGS, Transport.GRPC) >= 1, otlp.exportRequests()::toString);
      assertEquals(0, otlp.exportRequests(Signal.LOGS, Transport.HTTP), otlp.exportRequests()::toString);
      assertTrue(app.output().contains(" logs=otlp grpc "), app::describe);
    }
  }

  /** No collector: the application logs and exits as without the agent, and one line says what was lost. */
  @Test
  void withoutACollectorTheApplicationRunsOnAndTheLossIsOneLine() throws IOException {
    try (OtlpReceiver otlp = OtlpReceiver.absent();
        ChildJvm app = ChildJvm.withAgent(Jdks.current(), otlp).libs("logback")
            .property("logback.configurationFile", logbackConfig().toString())
            .env("WEFT_SHUTDOWN_TIMEOUT", "1500")
            .start(LogApp.class)) {
      assertEquals(7, app.awaitExit(Duration.ofSeconds(30)), app::describe);
      String out = app.output();
      assertTrue(out.contains("sync after"), out);
      List<String> lost = out.lines().filter(l -> l.startsWith("[weft] exit: ") && l.contains(" log records could not be delivered"))
          .collect(Collectors.toList());
      assertEquals(1, lost.size(), out);
      assertTrue(lost.get(0).startsWith("[weft] exit: 7 log records could not be delivered to http://"), out);
      assertEquals(1, out.lines().filter(l -> l.startsWith("[weft] cannot export logs to ")).count(), out);
      // the agent says nothing else: no stack trace of its own, no other line
      assertNull(out.lines().filter(l -> l.startsWith("[weft]") && !l.startsWith("[weft] Weft ") && !l.startsWith("[weft] exit: ")
          && !l.startsWith("[weft] cannot export ")).findFirst().orElse(null), out);
      assertFalse(otlp.isRunning());
    }
  }

  private Path log4jConfig() throws IOException {
    Path config = dir.resolve("log4j2.xml");
    Files.writeString(config, """
        <Configuration status="warn">
          <Appenders><Console name="OUT" target="SYSTEM_OUT"><PatternLayout pattern="%logger %msg%n"/></Console></Appenders>
          <Loggers><Root level="info"><AppenderRef ref="OUT"/></Root></Loggers>
        </Configuration>
        """);
    return config;
  }

  private Path logbackConfig() throws IOException {
    Path config = dir.resolve("logback.xml");
    Files.writeString(config, """
        <configuration>
          <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender"><encoder><pattern>%logger %msg%n</pattern></encoder></appender>
          <logger name="async" additivity="false"><appender-ref ref="OUT"/></logger>
          <root level="INFO"><appender-ref ref="OUT"/></root>
        </configuration>
        """);
    return config;
  }

  /** The value of the point of {@code metric} with that component type and error type (null: none). */
  private static long sum(ReceivedMetric metric, String componentType, String errorType) {
    return metric.sumPoints().stream()
        .filter(p -> componentType.equals(p.attr("otel.component.type")) && java.util.Objects.equals(errorType, p.attr("error.type")))
        .mapToLong(NumberPointView::longValue).sum();
  }

  private static ReceivedLog only(List<ReceivedLog> logs, String body) {
    List<ReceivedLog> found = logs.stream().filter(l -> l.body().equals(body)).collect(Collectors.toList());
    assertEquals(1, found.size(), "one log record '" + body + "' in " + logs);
    return found.get(0);
  }
}
