package io.weft.instrumentation.logging;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.BaggageEntry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.weft.bridge.LogBridge;
import io.weft.instrumentation.InstrumentationConfig;
import io.weft.instrumentation.InternalErrors;
import io.weft.instrumentation.trace.WeftContextStorage;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.Map;

/**
 * Adds the current span's trace id, span id and flags to a log event's context map (Logback's MDC, Log4j's
 * context data) under the configured keys
 * ({@code trace_id}, {@code span_id}, {@code trace_flags} by default): a new map, since the one given may be the
 * MDC's own, shared with the thread's next events. Outside any span, or when the map already has the trace key,
 * the map comes back as it is; a value the application put under the span id or flags key stays. Agent class
 * loader.
 */
final class MdcWithSpan implements LogBridge.Handler {

  static final String TRACE_ID_KEY = "otel.instrumentation.common.logging.trace-id-key";
  static final String SPAN_ID_KEY = "otel.instrumentation.common.logging.span-id-key";
  static final String TRACE_FLAGS_KEY = "otel.instrumentation.common.logging.trace-flags-key";
  /** The OpenTelemetry agent's switches: the context's baggage too, each entry as {@code baggage.<key>}. */
  static final String LOGBACK_BAGGAGE = "otel.instrumentation.logback-mdc.add-baggage";
  static final String LOG4J_BAGGAGE = "otel.instrumentation.log4j-context-data.add-baggage";
  private static final String BAGGAGE_PREFIX = "baggage.";

  private final String traceIdKey;
  private final String spanIdKey;
  private final String traceFlagsKey;
  private final boolean logbackBaggage;
  private final boolean log4jBaggage;

  MdcWithSpan(String traceIdKey, String spanIdKey, String traceFlagsKey, boolean logbackBaggage, boolean log4jBaggage) {
    this.traceIdKey = traceIdKey;
    this.spanIdKey = spanIdKey;
    this.traceFlagsKey = traceFlagsKey;
    this.logbackBaggage = logbackBaggage;
    this.log4jBaggage = log4jBaggage;
  }

  static MdcWithSpan from(InstrumentationConfig config) {
    return new MdcWithSpan(key(config, TRACE_ID_KEY, "trace_id"),
        key(config, SPAN_ID_KEY, "span_id"),
        key(config, TRACE_FLAGS_KEY, "trace_flags"),
        config.getBoolean(LOGBACK_BAGGAGE, false), config.getBoolean(LOG4J_BAGGAGE, false));
  }

  /** An MDC key: printable and at most 100 characters, else the default with one line saying so. */
  private static String key(InstrumentationConfig config, String setting, String defaultKey) {
    String key = config.getString(setting);
    if (key == null) {
      return defaultKey;
    }
    if (key.length() > 100 || !key.equals(InstrumentationConfig.printable(key))) {
      config.warn(setting.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_') + ": '" + InstrumentationConfig.printable(key) + "' is not a usable MDC key (printable, at most 100 characters); using "
          + defaultKey);
      return defaultKey;
    }
    return key;
  }

  /** The three keys, for the log records, which carry the ids themselves and not as attributes. */
  java.util.List<String> keys() {
    return java.util.Arrays.asList(traceIdKey, spanIdKey, traceFlagsKey);
  }

  @Override
  public Map<String, String> withSpan(Map<String, String> mdc) {
    try {
      if (mdc != null && mdc.containsKey(traceIdKey)) {
        return mdc;
      }
      Context context = WeftContextStorage.currentContext();
      SpanContext span = Span.fromContext(context).getSpanContext();
      return span.isValid() ? with(span, logbackBaggage ? context : null, mdc) : mdc;
    } catch (RuntimeException e) {
      InternalErrors.report("log correlation", e); // once; the event keeps the application's own map
      return mdc;
    }
  }

  /**
   * Log4j's {@code StringMap} of the thread context, read and copied through {@link Log4jMaps}: only inside a span,
   * so a line logged outside any costs one context look-up.
   */
  @Override
  public Object withSpan(Object contextData, Object provider) {
    try {
      Context context = WeftContextStorage.currentContext();
      SpanContext span = Span.fromContext(context).getSpanContext();
      if (!span.isValid() || contextData == null) {
        return contextData;
      }
      Log4jMaps maps = Log4jMaps.of(provider.getClass());
      if (maps == null || maps.containsKey(contextData, traceIdKey)) {
        return contextData;
      }
      return maps.frozenCopy(with(span, log4jBaggage ? context : null, maps.toMap(contextData)));
    } catch (RuntimeException e) {
      InternalErrors.report("log correlation (Log4j)", e);
      return contextData;
    }
  }

  /**
   * An event with an MDC of its own, on the logging thread before any handler or appender sees it: JBoss LogManager's
   * {@code ExtLogRecord} (its {@code putMdc} copies the thread's MDC into the record first and changes only the
   * record's copy) or Log4j 1's {@code LoggingEvent} (its {@code setProperty} likewise). An event whose MDC names a
   * trace already is left alone, and a value the application put under one of the other keys stays.
   */
  @Override
  public void recordWithSpan(Object record) {
    try {
      SpanContext span = Span.fromContext(WeftContextStorage.currentContext()).getSpanContext();
      if (!span.isValid()) {
        return;
      }
      RecordMdc mdc = RECORD_MDC.get(record.getClass());
      if (mdc == null || mdc.get(record, traceIdKey) != null) {
        return;
      }
      mdc.put(record, traceIdKey, span.getTraceId());
      if (mdc.get(record, spanIdKey) == null) {
        mdc.put(record, spanIdKey, span.getSpanId());
      }
      if (mdc.get(record, traceFlagsKey) == null) {
        mdc.put(record, traceFlagsKey, span.getTraceFlags().asHex());
      }
    } catch (Throwable e) {
      InternalErrors.report("log correlation (an event's own MDC)", e);
    }
  }

  /**
   * An event's own MDC: JBoss LogManager's {@code ExtLogRecord} ({@code getMdc}, {@code putMdc}) or Log4j 1's {@code
   * LoggingEvent} ({@code getMDC}, which reads the event's copy before the thread's MDC, and {@code setProperty},
   * which writes the copy, 1.2.15 and later); null for any other class (a version without them: its lines go
   * without the ids).
   */
  private static final ClassValue<RecordMdc> RECORD_MDC = new ClassValue<RecordMdc>() {
    @Override
    protected RecordMdc computeValue(Class<?> type) {
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      MethodType get = MethodType.methodType(Object.class, Object.class, String.class);
      MethodType put = MethodType.methodType(void.class, Object.class, String.class, String.class);
      try {
        return new RecordMdc(lookup.findVirtual(type, "getMdc", MethodType.methodType(String.class, String.class)).asType(get),
            lookup.findVirtual(type, "putMdc", MethodType.methodType(String.class, String.class, String.class)).asType(put));
      } catch (ReflectiveOperationException | RuntimeException | LinkageError jbossOnly) {
        // not JBoss's: Log4j 1's?
      }
      try {
        return new RecordMdc(lookup.findVirtual(type, "getMDC", MethodType.methodType(Object.class, String.class)).asType(get),
            lookup.findVirtual(type, "setProperty", MethodType.methodType(void.class, String.class, String.class)).asType(put));
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        return null;
      }
    }
  };

  private static final class RecordMdc {
    private final MethodHandle get;
    private final MethodHandle put;

    RecordMdc(MethodHandle get, MethodHandle put) {
      this.get = get;
      this.put = put;
    }

    Object get(Object record, String key) throws Throwable {
      return (Object) get.invokeExact(record, key);
    }

    void put(Object record, String key, String value) throws Throwable {
      put.invokeExact(record, key, value);
    }
  }

  /** {@code baggageOf}: the context whose baggage goes in too, or null for none. */
  private Map<String, String> with(SpanContext span, Context baggageOf, Map<String, String> mdc) {
    Map<String, String> with = new HashMap<>(mdc == null ? 4 : (mdc.size() + 3) * 4 / 3 + 1);
    with.put(traceIdKey, span.getTraceId());
    with.put(spanIdKey, span.getSpanId());
    with.put(traceFlagsKey, span.getTraceFlags().asHex());
    if (baggageOf != null) {
      Baggage baggage = Baggage.fromContextOrNull(baggageOf);
      if (baggage != null && !baggage.isEmpty()) {
        for (Map.Entry<String, BaggageEntry> entry : baggage.asMap().entrySet()) {
          with.put(BAGGAGE_PREFIX + entry.getKey(), entry.getValue().getValue());
        }
      }
    }
    if (mdc != null) {
      with.putAll(mdc); // after: a value the application put under one of the keys stays
    }
    return with;
  }
}
