package io.weft.instrumentation.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.spi.LoggingEventVO;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import io.weft.bridge.LogBridge;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;
import org.apache.logging.log4j.message.ParameterizedMessage;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real Logback, Log4j and JUL events read as an application's would be: scope, body, severity, time, span and
 * exception of the record each becomes; events the emitter cannot read are skipped without a throw.
 */
class LogRecordEmitterTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";

  private final InMemoryLogRecordExporter exported = InMemoryLogRecordExporter.create();
  private final SdkLoggerProvider provider =
      SdkLoggerProvider.builder().addLogRecordProcessor(SimpleLogRecordProcessor.create(exported)).build();
  private final LogRecordEmitter emitter =
      new LogRecordEmitter(OpenTelemetrySdk.builder().setLoggerProvider(provider).build(), false, true, false);

  @AfterEach
  void close() {
    provider.close();
  }

  private static Scope inSpan() {
    return Context.root().with(Span.wrap(SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault())))
        .makeCurrent();
  }

  private LogRecordData only() {
    List<LogRecordData> logs = exported.getFinishedLogRecordItems();
    assertEquals(1, logs.size(), logs::toString);
    exported.reset();
    return logs.get(0);
  }

  @Test
  void aLogbackEventBecomesARecordOfItsLoggerInTheCurrentSpan() {
    ch.qos.logback.classic.Logger logger = new LoggerContext().getLogger("com.acme.Orders");
    IllegalStateException boom = new IllegalStateException("boom");
    LoggingEvent event = new LoggingEvent("fqcn", logger, ch.qos.logback.classic.Level.WARN, "order {} failed", boom, new Object[] {42});
    try (Scope ignored = inSpan()) {
      emitter.logback(event);
    }
    LogRecordData log = only();
    assertEquals("com.acme.Orders", log.getInstrumentationScopeInfo().getName());
    assertEquals("order 42 failed", log.getBodyValue().asString());
    assertEquals(Severity.WARN, log.getSeverity());
    assertEquals("WARN", log.getSeverityText());
    Instant at = event.getInstant();
    assertEquals(TimeUnit.SECONDS.toNanos(at.getEpochSecond()) + at.getNano(), log.getTimestampEpochNanos());
    assertEquals(TRACE, log.getSpanContext().getTraceId());
    assertEquals(SPAN, log.getSpanContext().getSpanId());
    assertEquals("java.lang.IllegalStateException", log.getAttributes().get(AttributeKey.stringKey("exception.type")));
    assertEquals("boom", log.getAttributes().get(AttributeKey.stringKey("exception.message")));
    assertTrue(log.getAttributes().get(AttributeKey.stringKey("exception.stacktrace")).startsWith("java.lang.IllegalStateException: boom"));
    assertNull(log.getAttributes().get(AttributeKey.stringKey("thread.name")), "not asked for Logback");
  }

  /** An event that crossed a socket or a file keeps only its throwable's class and message. */
  @Test
  void aSerializedLogbackEventKeepsTheExceptionItCanName() {
    ch.qos.logback.classic.Logger logger = new LoggerContext().getLogger("remote");
    LoggingEvent event = new LoggingEvent("fqcn", logger, ch.qos.logback.classic.Level.ERROR, "lost", new IllegalArgumentException("bad"), null);
    event.setMDCPropertyMap(java.util.Collections.emptyMap()); // no MDC adapter outside a configured SLF4J
    emitter.logback(LoggingEventVO.build(event));
    LogRecordData log = only();
    assertEquals(Severity.ERROR, log.getSeverity());
    assertFalse(log.getSpanContext().isValid());
    assertEquals("java.lang.IllegalArgumentException", log.getAttributes().get(AttributeKey.stringKey("exception.type")));
    assertEquals("bad", log.getAttributes().get(AttributeKey.stringKey("exception.message")));
    assertNull(log.getAttributes().get(AttributeKey.stringKey("exception.stacktrace")));
  }

  @Test
  void aLog4jEventTakesItsThrowableFromTheCallOrItsMessage() {
    org.apache.logging.log4j.core.Logger logger = new org.apache.logging.log4j.core.LoggerContext("test").getLogger("com.acme.Pay");
    long before = System.currentTimeMillis() * 1_000_000L;
    try (Scope ignored = inSpan()) {
      emitter.log4j(logger, org.apache.logging.log4j.Level.FATAL, null, new SimpleMessage("down"), new IllegalStateException("gone"));
    }
    LogRecordData log = only();
    assertEquals("com.acme.Pay", log.getInstrumentationScopeInfo().getName());
    assertEquals("down", log.getBodyValue().asString());
    assertEquals(Severity.FATAL, log.getSeverity());
    assertEquals("FATAL", log.getSeverityText());
    assertTrue(log.getTimestampEpochNanos() >= before, "the time of the call");
    assertEquals(TRACE, log.getSpanContext().getTraceId());
    assertEquals("gone", log.getAttributes().get(AttributeKey.stringKey("exception.message")));
    assertEquals(Thread.currentThread().getName(), log.getAttributes().get(AttributeKey.stringKey("thread.name")), "asked for Log4j");
    assertTrue(log.getAttributes().get(AttributeKey.longKey("thread.id")) > 0);

    emitter.log4j(logger, org.apache.logging.log4j.Level.INFO, null,
        new ParameterizedMessage("paid {}", new Object[] {7, new IllegalArgumentException("late")}), null);
    log = only();
    assertEquals("paid 7", log.getBodyValue().asString());
    assertEquals(Severity.INFO, log.getSeverity());
    assertEquals("late", log.getAttributes().get(AttributeKey.stringKey("exception.message")));
  }

  @Test
  void aJulRecordIsFormattedAndOnlyWhenItsLoggerLetsItThrough() {
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger("jul.emitter.test");
    logger.setLevel(java.util.logging.Level.INFO);
    emitter.jul(logger, new LogRecord(java.util.logging.Level.FINE, "hidden"));
    assertEquals(List.of(), exported.getFinishedLogRecordItems());

    LogRecord record = new LogRecord(java.util.logging.Level.WARNING, "param {0} and {1}");
    record.setParameters(new Object[] {"x", 42});
    record.setLoggerName("jul.emitter.test");
    record.setThrown(new IllegalStateException("jul boom"));
    emitter.jul(logger, record);
    LogRecordData log = only();
    assertEquals("jul.emitter.test", log.getInstrumentationScopeInfo().getName());
    assertEquals("param x and 42", log.getBodyValue().asString());
    assertEquals(Severity.WARN, log.getSeverity());
    assertEquals("WARNING", log.getSeverityText());
    Instant at = record.getInstant();
    assertEquals(TimeUnit.SECONDS.toNanos(at.getEpochSecond()) + at.getNano(), log.getTimestampEpochNanos());
    assertEquals("jul boom", log.getAttributes().get(AttributeKey.stringKey("exception.message")));
  }

  @Test
  void theRootLoggerIsRootAndTheAgentsOwnThreadsLogNothing() throws InterruptedException {
    java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    LogRecord record = new LogRecord(java.util.logging.Level.SEVERE, "from the root");
    record.setLoggerName("");
    emitter.record(LogBridge.JUL, root, record, null, null, null);
    assertEquals("ROOT", only().getInstrumentationScopeInfo().getName());

    Thread agentThread = new Thread(() -> emitter.record(LogBridge.JUL, root, record, null, null, null), "weft-export-logs");
    agentThread.start();
    agentThread.join();
    assertEquals(List.of(), exported.getFinishedLogRecordItems(), "what the JDK logs on an export thread is not exported");
  }

  @Test
  void contextValuesAreCapturedWhenAskedForButNotTheSpansOwnIds() {
    List<String> spanKeys = List.of("trace_id", "span_id", "trace_flags");
    LogRecordEmitter listed = new LogRecordEmitter(OpenTelemetrySdk.builder().setLoggerProvider(provider).build(),
        false, false, false, ContextCapture.of(List.of("user", "absent"), spanKeys), ContextCapture.of(List.of("*"), spanKeys));
    ch.qos.logback.classic.Logger logger = new LoggerContext().getLogger("mdc");
    LoggingEvent event = new LoggingEvent("fqcn", logger, ch.qos.logback.classic.Level.INFO, "with mdc", null, null);
    event.setMDCPropertyMap(java.util.Map.of("user", "alice", "tenant", "acme", "trace_id", TRACE));
    try (Scope ignored = inSpan()) {
      listed.logback(event);
    }
    assertEquals(java.util.Map.of(AttributeKey.stringKey("user"), "alice"), only().getAttributes().asMap(), "the listed keys only");

    org.apache.logging.log4j.core.Logger log4j = new org.apache.logging.log4j.core.LoggerContext("mdc").getLogger("context");
    org.apache.logging.log4j.ThreadContext.put("user", "bob");
    org.apache.logging.log4j.ThreadContext.put("trace_id", TRACE); // as the span's: left out under *
    org.apache.logging.log4j.ThreadContext.put("span_id", "mine"); // the application's own value under the key: kept
    try (Scope ignored = inSpan()) {
      listed.log4j(log4j, org.apache.logging.log4j.Level.INFO, null, new SimpleMessage("with context"), null);
    } finally {
      org.apache.logging.log4j.ThreadContext.clearMap();
    }
    assertEquals(java.util.Map.of(AttributeKey.stringKey("user"), "bob", AttributeKey.stringKey("span_id"), "mine"),
        only().getAttributes().asMap());

    emitter.logback(event); // not asked for: no attribute
    assertEquals(0, only().getAttributes().size());
  }

  @Test
  void logbackKeyValuePairsAndMarkersWhenAskedFor() {
    LogRecordEmitter structured = new LogRecordEmitter(OpenTelemetrySdk.builder().setLoggerProvider(provider).build(),
        false, false, false).withLogbackStructure(true, true);
    ch.qos.logback.classic.Logger logger = new LoggerContext().getLogger("structured");
    LoggingEvent event = new LoggingEvent("fqcn", logger, ch.qos.logback.classic.Level.INFO, "placed", null, null);
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("order", 42));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("amount", 9.5));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("paid", true));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("customer", new StringBuilder("acme")));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("nothing", null));
    event.addMarker(org.slf4j.MarkerFactory.getMarker("AUDIT"));
    structured.logback(event);
    assertEquals(java.util.Map.of(AttributeKey.longKey("order"), 42L, AttributeKey.doubleKey("amount"), 9.5,
        AttributeKey.booleanKey("paid"), true, AttributeKey.stringKey("customer"), "acme",
        AttributeKey.stringArrayKey("logback.marker"), List.of("AUDIT")), only().getAttributes().asMap());
    emitter.logback(event); // not asked for
    assertEquals(0, only().getAttributes().size());
  }

  @Test
  void log4jMapMessagesAndMarkersWhenAskedFor() {
    LogRecordEmitter structured = new LogRecordEmitter(OpenTelemetrySdk.builder().setLoggerProvider(provider).build(),
        false, false, false).withLog4jStructure(true, true);
    org.apache.logging.log4j.core.Logger logger = new org.apache.logging.log4j.core.LoggerContext("map").getLogger("orders");
    org.apache.logging.log4j.message.StringMapMessage fields =
        new org.apache.logging.log4j.message.StringMapMessage().with("message", "order placed").with("order", "42");
    structured.log4j(logger, org.apache.logging.log4j.Level.INFO, org.apache.logging.log4j.MarkerManager.getMarker("AUDIT"),
        fields, null);
    LogRecordData log = only();
    assertEquals("order placed", log.getBodyValue().asString(), "the message field is the body");
    assertEquals(java.util.Map.of(AttributeKey.stringKey("order"), "42", AttributeKey.stringKey("log4j.marker"), "AUDIT"),
        log.getAttributes().asMap());

    emitter.log4j(logger, org.apache.logging.log4j.Level.INFO, org.apache.logging.log4j.MarkerManager.getMarker("AUDIT"),
        fields, null); // not asked for: the formatted map is the body, no field or marker attribute (the thread's are)
    log = only();
    assertTrue(log.getBodyValue().asString().contains("order=\"42\""), log.getBodyValue().asString());
    assertNull(log.getAttributes().get(AttributeKey.stringKey("order")));
    assertNull(log.getAttributes().get(AttributeKey.stringKey("log4j.marker")));
  }

  @Test
  void julBodiesAreFormattedAsJulsFormattersDo() {
    LogRecord plain = new LogRecord(java.util.logging.Level.INFO, "no {0} parameters");
    assertEquals("no {0} parameters", LogRecordEmitter.julBody(plain));
    LogRecord params = new LogRecord(java.util.logging.Level.INFO, "{1} after {0}");
    params.setParameters(new Object[] {"a", "b"});
    assertEquals("b after a", LogRecordEmitter.julBody(params));
    LogRecord noPlaceholder = new LogRecord(java.util.logging.Level.INFO, "{9} is not looked at");
    noPlaceholder.setParameters(new Object[] {"x"});
    assertEquals("{9} is not looked at", LogRecordEmitter.julBody(noPlaceholder));
    LogRecord malformed = new LogRecord(java.util.logging.Level.INFO, "{0 broken");
    malformed.setParameters(new Object[] {"x"});
    assertEquals("{0 broken", LogRecordEmitter.julBody(malformed));
    LogRecord bundled = new LogRecord(java.util.logging.Level.INFO, "greeting");
    bundled.setResourceBundle(new java.util.ListResourceBundle() {
      @Override
      protected Object[][] getContents() {
        return new Object[][] {{"greeting", "hello {0}"}};
      }
    });
    bundled.setParameters(new Object[] {"carol"});
    assertEquals("hello carol", LogRecordEmitter.julBody(bundled));
    assertNull(LogRecordEmitter.julBody(new LogRecord(java.util.logging.Level.INFO, null)));
  }

  @Test
  void recordsBelowTheLeastSeverityAreNotMade() {
    LogRecordEmitter warnAndUp = new LogRecordEmitter(OpenTelemetrySdk.builder().setLoggerProvider(provider).build(),
        false, false, false).withMinSeverity(13);
    ch.qos.logback.classic.Logger logback = new LoggerContext().getLogger("min");
    warnAndUp.logback(new LoggingEvent("fqcn", logback, ch.qos.logback.classic.Level.INFO, "info", null, null));
    org.apache.logging.log4j.core.Logger log4j = new org.apache.logging.log4j.core.LoggerContext("min").getLogger("min");
    warnAndUp.log4j(log4j, org.apache.logging.log4j.Level.INFO, null, new SimpleMessage("info"), null);
    java.util.logging.Logger jul = java.util.logging.Logger.getLogger("jul.min.test");
    warnAndUp.jul(jul, new LogRecord(java.util.logging.Level.INFO, "info"));
    assertEquals(List.of(), exported.getFinishedLogRecordItems(), "INFO is below WARN in all three");
    warnAndUp.logback(new LoggingEvent("fqcn", logback, ch.qos.logback.classic.Level.WARN, "warn", null, null));
    warnAndUp.log4j(log4j, org.apache.logging.log4j.Level.ERROR, null, new SimpleMessage("error"), null);
    warnAndUp.jul(jul, new LogRecord(java.util.logging.Level.SEVERE, "severe"));
    assertEquals(3, exported.getFinishedLogRecordItems().size());
  }

  @Test
  void theLeastSeverityIsReadByName() {
    assertEquals(0, LogRecords.minSeverity(new io.weft.instrumentation.MapConfig(java.util.Map.of())));
    assertEquals(13, LogRecords.minSeverity(new io.weft.instrumentation.MapConfig(java.util.Map.of(LogRecords.MIN_SEVERITY_KEY, "WARN"))));
    assertEquals(21, LogRecords.minSeverity(new io.weft.instrumentation.MapConfig(java.util.Map.of(LogRecords.MIN_SEVERITY_KEY, "fatal"))));
    io.weft.instrumentation.MapConfig bad = new io.weft.instrumentation.MapConfig(java.util.Map.of(LogRecords.MIN_SEVERITY_KEY, "loud"));
    assertEquals(0, LogRecords.minSeverity(bad));
    assertEquals(List.of("WEFT_LOGS_MIN_SEVERITY='loud' is invalid (expected trace, debug, info, warn, error or fatal);"
        + " every record is exported"), bad.warnings);
  }

  @Test
  void theCallingCodeWhenAskedFor() {
    LogRecordEmitter located = new LogRecordEmitter(OpenTelemetrySdk.builder().setLoggerProvider(provider).build(),
        false, false, false).withCodeAttributes(true, true);
    ch.qos.logback.classic.Logger logback = new LoggerContext().getLogger("code");
    LoggingEvent event = new LoggingEvent(ch.qos.logback.classic.Logger.class.getName(), logback,
        ch.qos.logback.classic.Level.INFO, "here", null, null);
    event.setCallerData(new StackTraceElement[] {new StackTraceElement("com.acme.Orders", "place", "Orders.java", 42)});
    located.logback(event);
    assertEquals(java.util.Map.of(AttributeKey.stringKey("code.function.name"), "com.acme.Orders.place",
        AttributeKey.stringKey("code.file.path"), "Orders.java", AttributeKey.longKey("code.line.number"), 42L),
        only().getAttributes().asMap());

    org.apache.logging.log4j.core.Logger log4j = new org.apache.logging.log4j.core.LoggerContext("code").getLogger("code");
    io.weft.testcallers.Caller.log4j(located, log4j, org.apache.logging.log4j.Level.INFO, new SimpleMessage("here"));
    LogRecordData log = only();
    // the agent's and the logging libraries' frames are skipped: the first other one is the caller's
    assertEquals("io.weft.testcallers.Caller.log4j", log.getAttributes().get(AttributeKey.stringKey("code.function.name")));
    assertEquals("Caller.java", log.getAttributes().get(AttributeKey.stringKey("code.file.path")));
    assertTrue(log.getAttributes().get(AttributeKey.longKey("code.line.number")) > 0);
  }

  @Test
  void whatIsNotAnEventOfTheLibraryIsSkipped() {
    emitter.logback("not an event");
    emitter.jul(java.util.logging.Logger.getLogger("x"), "not a record");
    assertEquals(List.of(), exported.getFinishedLogRecordItems());
  }

  @Test
  void levelsMapToSeverityNumbersByRange() {
    assertEquals(Severity.TRACE, LogRecordEmitter.logbackSeverity(5_000));
    assertEquals(Severity.DEBUG, LogRecordEmitter.logbackSeverity(10_000));
    assertEquals(Severity.INFO, LogRecordEmitter.logbackSeverity(20_000));
    assertEquals(Severity.WARN, LogRecordEmitter.logbackSeverity(30_000));
    assertEquals(Severity.ERROR, LogRecordEmitter.logbackSeverity(40_000));
    assertEquals(Severity.FATAL, LogRecordEmitter.log4jSeverity(100));
    assertEquals(Severity.ERROR, LogRecordEmitter.log4jSeverity(200));
    assertEquals(Severity.WARN, LogRecordEmitter.log4jSeverity(300));
    assertEquals(Severity.INFO, LogRecordEmitter.log4jSeverity(350), "a custom level between WARN and INFO");
    assertEquals(Severity.DEBUG, LogRecordEmitter.log4jSeverity(500));
    assertEquals(Severity.TRACE, LogRecordEmitter.log4jSeverity(600));
    assertEquals(Severity.TRACE, LogRecordEmitter.log4jSeverity(Integer.MAX_VALUE));
    assertEquals(Severity.ERROR, LogRecordEmitter.julSeverity(1000));
    assertEquals(Severity.WARN, LogRecordEmitter.julSeverity(900));
    assertEquals(Severity.INFO, LogRecordEmitter.julSeverity(800));
    assertEquals(Severity.DEBUG4, LogRecordEmitter.julSeverity(700));
    assertEquals(Severity.DEBUG, LogRecordEmitter.julSeverity(500));
    assertEquals(Severity.TRACE4, LogRecordEmitter.julSeverity(400));
    assertEquals(Severity.TRACE, LogRecordEmitter.julSeverity(300));
  }
}
