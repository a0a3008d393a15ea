package io.weft.instrumentation.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.weft.instrumentation.MapConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The exception that fails an operation, as span event, log record or both, as the semantic conventions' switch
 * says; values that cannot be honoured leave span events and say why.
 */
class ExceptionSignalTest {
  private static final AttributeKey<String> TYPE = AttributeKey.stringKey("exception.type");
  private static final AttributeKey<String> MESSAGE = AttributeKey.stringKey("exception.message");
  private static final AttributeKey<String> STACKTRACE = AttributeKey.stringKey("exception.stacktrace");

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final InMemoryLogRecordExporter logs = InMemoryLogRecordExporter.create();
  private final SdkLoggerProvider loggers =
      SdkLoggerProvider.builder().addLogRecordProcessor(SimpleLogRecordProcessor.create(logs)).build();
  private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setLoggerProvider(loggers).build();
  private final LeanTracer tracer = new SpanPipeline(SamplingPolicy.of("parentbased_always_on", 1.0),
      SimpleSpanProcessor.create(spans), new TelemetryResource(Resource.getDefault().getAttributes()),
      SpanLimits.getDefault()).tracer("io.weft.test", null);

  @AfterEach
  void reset() {
    ExceptionSignal.reset();
    loggers.close();
  }

  private MapConfig configure(String... settings) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < settings.length; i += 2) {
      values.put(settings[i], settings[i + 1]);
    }
    MapConfig config = new MapConfig(values);
    ExceptionSignal.configure(sdk, config);
    return config;
  }

  /** One failed operation: a root span that records {@code boom} as the signal says, then ends. */
  private SpanData fail(Throwable boom, String event, Severity severity) {
    LeanSpan span = tracer.start("Orders.place", SpanKind.INTERNAL, Attributes.empty(), Context.root(), System.nanoTime());
    ExceptionSignal.record(span, boom, "io.weft.test", event, severity);
    span.end();
    List<SpanData> ended = spans.getFinishedSpanItems();
    assertEquals(1, ended.size());
    return ended.get(0);
  }

  private static EventData exceptionEvent(SpanData span) {
    for (EventData event : span.getEvents()) {
      if (event.getName().equals("exception")) {
        return event;
      }
    }
    return null;
  }

  @Test
  void unsetTheExceptionIsASpanEventAndNoRecord() {
    MapConfig config = configure();
    assertFalse(ExceptionSignal.asLogs());
    SpanData span = fail(new IllegalStateException("out of stock"), ExceptionSignal.GENERIC, Severity.ERROR);
    EventData event = exceptionEvent(span);
    assertNotNull(event);
    assertEquals("java.lang.IllegalStateException", event.getAttributes().get(TYPE));
    assertEquals(List.of(), logs.getFinishedLogRecordItems());
    assertEquals(List.of(), config.warnings);
  }

  @Test
  void logsMakesOneRecordInTheSpansContextAndNoEvent() {
    configure("otel.semconv.exception.signal.opt-in", "logs");
    assertTrue(ExceptionSignal.asLogs());
    SpanData span = fail(new IllegalStateException("out of stock"), ExceptionSignal.DB_CLIENT, Severity.WARN);
    assertNull(exceptionEvent(span), "logs: not on the span too");
    List<LogRecordData> records = logs.getFinishedLogRecordItems();
    assertEquals(1, records.size());
    LogRecordData record = records.get(0);
    assertEquals("db.client.operation.exception", record.getEventName());
    assertEquals(Severity.WARN, record.getSeverity());
    assertEquals("io.weft.test", record.getInstrumentationScopeInfo().getName());
    assertEquals(span.getTraceId(), record.getSpanContext().getTraceId());
    assertEquals(span.getSpanId(), record.getSpanContext().getSpanId());
    assertTrue(record.getSpanContext().isSampled());
    Attributes attributes = record.getAttributes();
    assertEquals(3, attributes.size(), attributes::toString);
    assertEquals("java.lang.IllegalStateException", attributes.get(TYPE));
    assertEquals("out of stock", attributes.get(MESSAGE));
    assertTrue(attributes.get(STACKTRACE).startsWith("java.lang.IllegalStateException: out of stock\n\tat "),
        attributes.get(STACKTRACE));
    assertTrue(record.getTimestampEpochNanos() >= span.getStartEpochNanos(), "stamped when the operation failed");
    assertTrue(record.getTimestampEpochNanos() <= span.getEndEpochNanos());
  }

  @Test
  void logsDupMakesBoth() {
    configure("otel.semconv.exception.signal.opt-in", "LOGS/DUP");
    SpanData span = fail(new IllegalStateException("out of stock"), ExceptionSignal.HTTP_SERVER, Severity.ERROR);
    assertNotNull(exceptionEvent(span));
    LogRecordData record = logs.getFinishedLogRecordItems().get(0);
    assertEquals("http.server.request.exception", record.getEventName());
    assertEquals(Severity.ERROR, record.getSeverity());
  }

  @Test
  void theOpenTelemetryAgentsPreviewNameIsReadWhenTheStandardOneIsUnset() {
    configure("otel.semconv.exception.signal.preview", "logs");
    assertTrue(ExceptionSignal.asLogs());
    configure("otel.semconv.exception.signal.opt-in", "logs/dup", "otel.semconv.exception.signal.preview", "logs");
    SpanData span = fail(new IllegalStateException("x"), ExceptionSignal.GENERIC, Severity.ERROR);
    assertNotNull(exceptionEvent(span), "the standard name wins");
  }

  @Test
  void aCallNotSampledLogsInItsCallersContext() {
    configure("otel.semconv.exception.signal.opt-in", "logs");
    SpanContext caller = SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
        TraceFlags.getDefault(), TraceState.getDefault());
    try (Scope ignored = WeftContextStorage.makeCurrent(Context.root().with(Span.wrap(caller)))) {
      ExceptionSignal.record(null, new IllegalArgumentException(), "io.weft.test", ExceptionSignal.GENERIC, Severity.WARN);
    }
    LogRecordData record = logs.getFinishedLogRecordItems().get(0);
    assertEquals(caller.getTraceId(), record.getSpanContext().getTraceId());
    assertEquals(caller.getSpanId(), record.getSpanContext().getSpanId());
    assertFalse(record.getSpanContext().isSampled());
    assertNull(record.getAttributes().get(MESSAGE), "no message: none written");
  }

  @Test
  void anExceptionThatCannotDescribeItselfKeepsItsType() {
    configure("otel.semconv.exception.signal.opt-in", "logs");
    RuntimeException hostile = new RuntimeException() {
      @Override
      public String getMessage() {
        throw new IllegalStateException("no message for you");
      }
    };
    ExceptionSignal.record(null, hostile, "io.weft.test", ExceptionSignal.GENERIC, Severity.ERROR);
    LogRecordData record = logs.getFinishedLogRecordItems().get(0);
    assertEquals(hostile.getClass().getName(), record.getAttributes().get(TYPE), "anonymous: no canonical name");
  }

  @Test
  void aMethodsSeverityIsErrorOnlyWhenNoSpanOfTheProcessEnclosesIt() {
    LeanSpan root = tracer.start("Jobs.run", SpanKind.INTERNAL, Attributes.empty(), Context.root(), System.nanoTime());
    LeanSpan child = tracer.start("Jobs.step", SpanKind.INTERNAL, Attributes.empty(), Context.root().with(root),
        System.nanoTime());
    SpanContext remote = SpanContext.createFromRemoteParent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
        TraceFlags.getSampled(), TraceState.getDefault());
    LeanSpan served = tracer.start("Api.get", SpanKind.INTERNAL, Attributes.empty(),
        Context.root().with(Span.wrap(remote)), System.nanoTime());
    assertEquals(Severity.ERROR, ExceptionSignal.methodSeverity(root));
    assertEquals(Severity.WARN, ExceptionSignal.methodSeverity(child));
    assertEquals(Severity.ERROR, ExceptionSignal.methodSeverity(served), "a remote parent is another process's");
    assertEquals(Severity.ERROR, ExceptionSignal.methodSeverity(null), "not sampled, nothing current");
    try (Scope ignored = WeftContextStorage.makeCurrent(Context.root().with(root))) {
      assertEquals(Severity.WARN, ExceptionSignal.methodSeverity(null), "not sampled, inside a span");
    }
  }

  @Test
  void anUnknownValueOrNoLogExporterLeavesSpanEventsAndSaysWhy() {
    MapConfig unknown = configure("otel.semconv.exception.signal.opt-in", "both\n");
    assertFalse(ExceptionSignal.asLogs());
    assertEquals(List.of("OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN='both?' is invalid (expected logs or logs/dup); "
        + "exceptions stay span events"), unknown.warnings);
    MapConfig noExporter = configure("otel.semconv.exception.signal.opt-in", "logs", "otel.logs.exporter", "none");
    assertFalse(ExceptionSignal.asLogs());
    assertEquals(1, noExporter.warnings.size());
    assertTrue(noExporter.warnings.get(0).contains("OTEL_LOGS_EXPORTER=none"), noExporter.warnings.get(0));
    SpanData span = fail(new IllegalStateException("x"), ExceptionSignal.GENERIC, Severity.ERROR);
    assertNotNull(exceptionEvent(span), "nothing lost");
    assertEquals(List.of(), logs.getFinishedLogRecordItems());
  }
}
