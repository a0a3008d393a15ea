package io.weft.instrumentation.trace;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.logs.LogRecordBuilder;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.weft.instrumentation.InstrumentationConfig;
import io.weft.instrumentation.InternalErrors;
import io.weft.instrumentation.logging.LogRecords;
import java.time.Instant;

/**
 * Where the exception that fails a traced operation is written, as {@code OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN}
 * says (the semantic conventions' switch; the OpenTelemetry agent reads it as
 * {@code otel.semconv.exception.signal.preview}, read here too): unset, an {@code exception} event on the span, as
 * always; {@code logs}, a log record instead; {@code logs/dup}, both. The record is the conventions' exception
 * event: the operation's event name ({@code http.server.request.exception} at ERROR,
 * {@code db.client.operation.exception} at WARN, {@code exception} for a traced method: ERROR when nothing of the
 * process's own encloses it, else WARN), {@code exception.type}, {@code .message} and {@code .stacktrace}, in the
 * context of the operation's span (of its caller's, when the call was not sampled: log records are not sampled
 * with the trace), under the instrumentation's scope.
 *
 * <p>Only the failure path comes here: a call that returns costs nothing more. With {@code OTEL_LOGS_EXPORTER=none}
 * the records would go nowhere, so the exceptions stay span events and one line at start says so. Agent class
 * loader; configured once, before any instrumentation starts.
 */
public final class ExceptionSignal {
  public static final String OPT_IN_KEY = "otel.semconv.exception.signal.opt-in";
  /** The OpenTelemetry Java agent's name for the same switch. */
  public static final String PREVIEW_KEY = "otel.semconv.exception.signal.preview";

  public static final String HTTP_SERVER = "http.server.request.exception";
  public static final String DB_CLIENT = "db.client.operation.exception";
  public static final String GENERIC = "exception";

  private static final AttributeKey<String> EXCEPTION_TYPE = AttributeKey.stringKey("exception.type");
  private static final AttributeKey<String> EXCEPTION_MESSAGE = AttributeKey.stringKey("exception.message");
  private static final AttributeKey<String> EXCEPTION_STACKTRACE = AttributeKey.stringKey("exception.stacktrace");

  private static volatile boolean spanEvents = true;
  /** Where the records go; null: none are made. */
  private static volatile OpenTelemetry logs;

  private ExceptionSignal() {}

  /** Reads the switch; a value it does not know, or logs that are not exported, leave span events and say so. */
  public static void configure(OpenTelemetry openTelemetry, InstrumentationConfig config) {
    String key = OPT_IN_KEY;
    String value = config.getString(OPT_IN_KEY);
    if (value == null || value.trim().isEmpty()) {
      key = PREVIEW_KEY;
      value = config.getString(PREVIEW_KEY);
    }
    boolean asLogs = false;
    boolean dup = false;
    if (value != null && !value.trim().isEmpty()) {
      String mode = value.trim();
      if (mode.equalsIgnoreCase("logs")) {
        asLogs = true;
      } else if (mode.equalsIgnoreCase("logs/dup")) {
        asLogs = true;
        dup = true;
      } else {
        config.warn(nameAsSet(key) + "='" + InstrumentationConfig.printable(value)
            + "' is invalid (expected logs or logs/dup); exceptions stay span events");
      }
    }
    if (asLogs && !LogRecords.exported(config)) {
      config.warn(nameAsSet(key) + "='" + InstrumentationConfig.printable(value)
          + "' is ignored: OTEL_LOGS_EXPORTER=none exports no log records, so exceptions stay span events");
      asLogs = false;
    }
    logs = asLogs ? openTelemetry : null;
    spanEvents = !asLogs || dup;
  }

  /** Back to the default: span events only. For tests. */
  static void reset() {
    logs = null;
    spanEvents = true;
  }

  /** Whether exceptions become log records: then the log pipeline is worth building before the first one. */
  public static boolean asLogs() {
    return logs != null;
  }

  /**
   * Records {@code thrown}, which failed the operation of {@code span} (null when the call was not sampled and has
   * no span): as the span's event and/or as a log record of {@code scope} in the span's context. Never throws.
   */
  public static void record(Span span, Throwable thrown, String scope, String eventName, Severity severity) {
    if (spanEvents && span != null) {
      span.recordException(thrown);
    }
    OpenTelemetry target = logs;
    if (target != null) {
      try {
        emit(target, span, thrown, scope, eventName, severity);
      } catch (Throwable e) {
        InternalErrors.report("exception log record", e);
      }
    }
  }

  /**
   * A traced method's: ERROR when its span is the process's outermost (what fails it fails the work the process
   * was given), WARN when a span of the process encloses it, which may well handle it.
   */
  public static Severity methodSeverity(Span span) {
    SpanContext parent = span instanceof LeanSpan ? ((LeanSpan) span).getParentSpanContext()
        : Span.fromContext(WeftContextStorage.currentContext()).getSpanContext();
    return parent.isValid() && !parent.isRemote() ? Severity.WARN : Severity.ERROR;
  }

  private static void emit(OpenTelemetry target, Span span, Throwable thrown, String scope, String eventName,
      Severity severity) {
    Context context = span != null ? Context.root().with(span) : WeftContextStorage.currentContext();
    Instant now = Instant.now();
    LogRecordBuilder record = target.getLogsBridge().get(scope).logRecordBuilder()
        .setEventName(eventName)
        .setSeverity(severity)
        .setTimestamp(now)
        .setObservedTimestamp(now)
        .setContext(context);
    exceptionAttributes(record, thrown);
    record.emit();
  }

  /**
   * {@code exception.type} (the canonical name, as the span event has it; an anonymous class's binary name),
   * {@code exception.message} and {@code exception.stacktrace} on a log record; what the application's exception
   * cannot say about itself is left out. The exception log records' and the logging libraries' records' alike.
   */
  public static void exceptionAttributes(LogRecordBuilder record, Throwable thrown) {
    record.setAttribute(EXCEPTION_TYPE, LeanSpan.exceptionType(thrown));
    try {
      String message = thrown.getMessage();
      if (message != null) {
        record.setAttribute(EXCEPTION_MESSAGE, message);
      }
      record.setAttribute(EXCEPTION_STACKTRACE, LeanSpan.stackTrace(thrown));
    } catch (RuntimeException | StackOverflowError unprintable) {
      // keep the type
    }
  }

  private static String nameAsSet(String key) {
    return key.equals(OPT_IN_KEY) ? "OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN" : "OTEL_SEMCONV_EXCEPTION_SIGNAL_PREVIEW";
  }
}
