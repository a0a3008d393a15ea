package io.weft.smoke;

import static io.weft.receiver.SpanMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.receiver.LogMatchers;
import io.weft.receiver.OtlpReceiver;
import io.weft.receiver.ReceivedLog;
import io.weft.receiver.ReceivedSpan;
import io.weft.smoke.app.Log4j1App;
import io.weft.smoke.app.Log4jApp;
import io.weft.smoke.app.LogApp;
import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.Jdk;
import io.weft.smoke.support.Jdks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collector;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The current span's ids in log lines: real Logbacks (1.5, and 1.2 of the javax era), Log4j 2s (2.24 and 2.17) and
 * Log4j 1.2s (1.2.17 and reload4j), each configured by a file with a synchronous console appender and an asynchronous one, in a JVM with the agent;
 * every id a line names is checked against the span the receiver got.
 */
class LogCorrelationIT {

  /** Every key a line may show, so one line tells what the event's context held. */
  private static final String PATTERN = "%logger %msg trace=%X{trace_id} span=%X{span_id} flags=%X{trace_flags} user=%X{user} tid=%X{traceId} sid=%X{sid}%n";

  enum Library {
    LOGBACK("logback", "logback-mdc"),
    LOGBACK_12("logback12", "logback-mdc"),
    LOG4J("log4j", "log4j-context-data"),
    LOG4J_217("log4j217", "log4j-context-data"),
    /** Log4j's garbage-free thread context map: events copy the thread's values into a map they reuse. */
    LOG4J_GARBAGE_FREE("log4j", "log4j-context-data"),
    LOG4J_217_GARBAGE_FREE("log4j217", "log4j-context-data"),
    LOG4J_1("log4j1", "log4j-mdc"),
    RELOAD4J("reload4j", "log4j-mdc");

    final String libs;
    final String instrumentation;

    Library(String libs, String instrumentation) {
      this.libs = libs;
      this.instrumentation = instrumentation;
    }

    boolean logback() {
      return instrumentation.equals("logback-mdc");
    }

    boolean log4j1() {
      return instrumentation.equals("log4j-mdc");
    }

    boolean garbageFree() {
      return name().endsWith("_GARBAGE_FREE");
    }
  }

  @TempDir
  Path dir;

  static Stream<Arguments> jdksAndLibraries() {
    return Jdks.all().flatMap(jdk -> Stream.of(Library.values()).map(library -> Arguments.of(jdk, library)));
  }

  private ChildJvm start(ChildJvm.Builder app, Library library) throws IOException {
    if (library.log4j1()) {
      Path config = dir.resolve("log4j.xml");
      Files.writeString(config, """
          <log4j:configuration xmlns:log4j="http://jakarta.apache.org/log4j/">
            <appender name="OUT" class="org.apache.log4j.ConsoleAppender">
              <layout class="org.apache.log4j.PatternLayout"><param name="ConversionPattern" value="PATTERN"/></layout>
            </appender>
            <appender name="ASYNC" class="org.apache.log4j.AsyncAppender">
              <appender-ref ref="OUT"/>
            </appender>
            <logger name="async" additivity="false"><level value="info"/><appender-ref ref="ASYNC"/></logger>
            <root><priority value="info"/><appender-ref ref="OUT"/></root>
          </log4j:configuration>
          """.replace("PATTERN", PATTERN.replace("%logger", "%c").replace("%msg", "%m")));
      return app.libs(library.libs)
          .property("log4j.configuration", config.toUri().toString())
          .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", Log4j1App.class.getName() + "[handle]")
          .start(Log4j1App.class);
    }
    Path config = dir.resolve(library.logback() ? "logback.xml" : "log4j2.xml");
    Files.writeString(config, (library.logback() ? """
        <configuration>
          <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
            <encoder><pattern>PATTERN</pattern></encoder>
          </appender>
          <appender name="ASYNC" class="ch.qos.logback.classic.AsyncAppender">
            <appender-ref ref="OUT"/>
          </appender>
          <logger name="async" additivity="false"><appender-ref ref="ASYNC"/></logger>
          <root level="INFO"><appender-ref ref="OUT"/></root>
        </configuration>
        """ : """
        <Configuration status="warn">
          <Appenders>
            <Console name="OUT" target="SYSTEM_OUT"><PatternLayout pattern="PATTERN"/></Console>
            <Async name="ASYNC"><AppenderRef ref="OUT"/></Async>
          </Appenders>
          <Loggers>
            <Logger name="async" level="info" additivity="false"><AppenderRef ref="ASYNC"/></Logger>
            <Root level="info"><AppenderRef ref="OUT"/></Root>
          </Loggers>
        </Configuration>
        """).replace("PATTERN", PATTERN));
    Class<?> main = library.logback() ? LogApp.class : Log4jApp.class;
    if (library.garbageFree()) {
      app.property("log4j2.garbagefreeThreadContextMap", "true").property("log4j2.enableThreadlocals", "true");
    }
    return app.libs(library.libs)
        .property(library.logback() ? "logback.configurationFile" : "log4j2.configurationFile", config.toString())
        .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", main.getName() + "[handle]")
        .start(main);
  }

  private static String spanName(Library library) {
    return library.logback() ? "LogApp.handle" : library.log4j1() ? "Log4j1App.handle" : "Log4jApp.handle";
  }

  private static String line(String output, String start) {
    List<String> lines = output.lines().filter(l -> l.startsWith(start + " ")).toList();
    assertEquals(1, lines.size(), "one line starting '" + start + "' in:\n" + output);
    return lines.get(0);
  }

  @ParameterizedTest(name = "JDK {0}, {1}")
  @MethodSource("jdksAndLibraries")
  void logLinesInsideASpanNameItSynchronousOrNot(Jdk jdk, Library library) throws IOException {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = start(ChildJvm.withAgent(jdk, otlp), library)) {
      assertEquals(7, app.awaitExit(), app::describe);
      List<ReceivedSpan> spans = otlp.awaitSpans(named(spanName(library)), 2);
      assertEquals(2, spans.size());
      String out = app.output();
      if (!library.logback() && !library.log4j1()) {
        // what this run is about: the map Log4j chose
        assertEquals(library.garbageFree(), out.contains("context map GarbageFreeSortedArrayThreadContextMap"), out);
      }
      assertEquals("sync before trace= span= flags= user= tid= sid=", line(out, "sync before"));
      assertEquals("sync after trace= span= flags= user= tid= sid=", line(out, "sync after"));
      // alice's call: both appenders name its span, and the application's own value stays
      String sync = line(out, "sync inside alice");
      ReceivedSpan alice = spans.stream().filter(s -> sync.contains("trace=" + s.traceId() + " ")).findFirst()
          .orElseThrow(() -> new AssertionError("no span of trace " + sync + " in " + spans));
      String expected = "trace=" + alice.traceId() + " span=" + alice.spanId() + " flags=01 user=alice tid= sid=";
      assertEquals("sync inside alice " + expected, sync);
      assertEquals("async inside-async alice " + expected, line(out, "async inside-async alice"));
      // bob's call put its own trace_id: the context is left as the application made it
      assertEquals("sync inside bob trace=mine span= flags= user=bob tid= sid=", line(out, "sync inside bob"));
      assertEquals("async inside-async bob trace=mine span= flags= user=bob tid= sid=", line(out, "async inside-async bob"));
      assertTrue(out.lines().noneMatch(l -> l.startsWith("[weft]") && !l.startsWith("[weft] Weft ")), out);
      assertLogRecords(otlp, alice, spans.stream().filter(s -> s != alice).findFirst().orElseThrow(), library);
    }
  }

  /**
   * The same run's log records (OTEL_LOGS_EXPORTER is otlp by default): one per line the level let through, each
   * with the span of the call that logged it (bob's own MDC trace_id changes nothing there), none for the debug line.
   */
  private static void assertLogRecords(OtlpReceiver otlp, ReceivedSpan alice, ReceivedSpan bob, Library library) {
    List<ReceivedLog> logs = otlp.awaitLogs(LogMatchers.any(), 7);
    assertEquals(7, logs.size(), logs::toString);
    String[][] expected = {
        {"sync", "before", "INFO", ""}, {"sync", "inside alice", "INFO", "alice"}, {"async", "inside-async alice", "INFO", "alice"},
        {"sync", "failed for alice", "ERROR", "alice"}, {"sync", "inside bob", "INFO", "bob"},
        {"async", "inside-async bob", "INFO", "bob"}, {"sync", "after", "INFO", ""}};
    long now = System.currentTimeMillis() * 1_000_000L;
    for (String[] want : expected) {
      ReceivedLog log = logs.stream().filter(l -> l.body().equals(want[1])).collect(onlyOne(want[1], logs));
      String what = log + " in " + library;
      assertEquals(want[0], log.scopeName(), what);
      assertEquals(want[2], log.severityText(), what);
      assertEquals(want[2].equals("ERROR") ? 17 : 9, log.severityNumber(), what);
      ReceivedSpan span = want[3].equals("alice") ? alice : want[3].equals("bob") ? bob : null;
      assertEquals(span == null ? "" : span.traceId(), log.traceId(), what);
      assertEquals(span == null ? "" : span.spanId(), log.spanId(), what);
      assertEquals(span == null ? 0 : 1, log.flags(), what);
      assertTrue(log.timeUnixNano() > now - 120_000_000_000L && log.timeUnixNano() <= now, what + " at " + log.timeUnixNano());
      assertTrue(log.observedTimeUnixNano() >= log.timeUnixNano() - 1_000_000, what);
      assertEquals(alice.resourceAttr("service.instance.id"), log.resourceAttribute("service.instance.id"), what);
      if (want[2].equals("ERROR")) {
        assertEquals("java.lang.IllegalStateException", log.attribute("exception.type"), what);
        assertEquals("boom alice", log.attribute("exception.message"), what);
        assertTrue(log.attribute("exception.stacktrace").startsWith("java.lang.IllegalStateException: boom alice"), what);
        assertTrue(log.attribute("exception.stacktrace").contains(".handle("), what);
        assertEquals(3, log.attributes().size(), what);
      } else {
        assertEquals(Map.of(), log.attributes(), what);
      }
    }
  }

  private static Collector<ReceivedLog, ?, ReceivedLog> onlyOne(String body, List<ReceivedLog> all) {
    return Collectors.collectingAndThen(Collectors.toList(), found -> {
      assertEquals(1, found.size(), "one log record '" + body + "' in " + all);
      return found.get(0);
    });
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = Library.class, names = {"LOGBACK", "LOG4J", "LOG4J_1"})
  void theKeysAreConfigurableAndTheSwitchTurnsItOff(Library library) throws IOException {
    Jdk jdk = Jdks.current();
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = start(ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_COMMON_LOGGING_TRACE_ID_KEY", "traceId")
            .property("otel.instrumentation.common.logging.span-id-key", "sid")
            .env("OTEL_INSTRUMENTATION_COMMON_LOGGING_TRACE_FLAGS_KEY", "user"), library)) { // the application's value stays
      assertEquals(7, app.awaitExit(), app::describe);
      List<ReceivedSpan> spans = otlp.awaitSpans(named(spanName(library)), 2);
      String out = app.output();
      for (String who : List.of("alice", "bob")) {
        String sync = line(out, "sync inside " + who);
        ReceivedSpan span = spans.stream().filter(s -> sync.contains("tid=" + s.traceId() + " ")).findFirst()
            .orElseThrow(() -> new AssertionError("no span of trace " + sync + " in " + spans));
        // bob's own trace_id is now just another value: the trace key is traceId
        String trace = who.equals("bob") ? "mine" : "";
        String expected = " trace=" + trace + " span= flags= user=" + who + " tid=" + span.traceId() + " sid=" + span.spanId();
        assertEquals("sync inside " + who + expected, sync);
        assertEquals("async inside-async " + who + expected, line(out, "async inside-async " + who));
      }
    }
    String switchName = "OTEL_INSTRUMENTATION_" + library.instrumentation.toUpperCase().replace('-', '_') + "_ENABLED";
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = start(ChildJvm.withAgent(jdk, otlp).env(switchName, "false"), library)) {
      assertEquals(7, app.awaitExit(), app::describe);
      otlp.awaitSpans(named(spanName(library)), 2);
      String out = app.output();
      assertEquals("sync inside alice trace= span= flags= user=alice tid= sid=", line(out, "sync inside alice"));
      assertEquals("async inside-async alice trace= span= flags= user=alice tid= sid=", line(out, "async inside-async alice"));
      assertTrue(out.contains(library.instrumentation + "(off)"), out);
    }
  }
}
