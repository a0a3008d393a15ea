package io.weft.instrumentation.logging;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.logs.LogRecordBuilder;
import io.opentelemetry.api.trace.SpanContext;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Which values of a log event's context map (Logback's MDC, Log4j's thread context) a log record carries as attributes,
 * under their own keys: the OpenTelemetry agent's {@code experimental.capture-mdc-attributes}, a list of keys or
 * {@code *} for all. With {@code *}, the span's ids the agent itself put there for log lines are not copied (the record
 * has them as its trace and span ids); a value the application put under one of those keys is. Agent class loader.
 */
final class ContextCapture {

  private final boolean all;
  private final List<String> names = new ArrayList<>();
  private final List<AttributeKey<String>> keys = new ArrayList<>();
  private final Collection<String> skipped;

  private ContextCapture(List<String> wanted, Collection<String> skipped) {
    this.all = wanted.contains("*");
    this.skipped = skipped;
    for (String name : wanted) {
      if (!name.equals("*") && !names.contains(name)) {
        names.add(name);
        keys.add(AttributeKey.stringKey(name));
      }
    }
  }

  /** Null when nothing is to be captured ({@code wanted} empty). */
  static ContextCapture of(List<String> wanted, Collection<String> skipped) {
    return wanted.isEmpty() ? null : new ContextCapture(wanted, skipped);
  }

  /** Adds the wanted values of {@code context} (may be null) to {@code record}, made inside {@code span}. */
  void addTo(LogRecordBuilder record, Map<?, ?> context, SpanContext span) {
    if (context == null || context.isEmpty()) {
      return;
    }
    if (!all) {
      for (int i = 0; i < names.size(); i++) {
        Object value = context.get(names.get(i));
        if (value != null) {
          record.setAttribute(keys.get(i), value.toString());
        }
      }
      return;
    }
    for (Map.Entry<?, ?> entry : context.entrySet()) {
      Object key = entry.getKey();
      Object value = entry.getValue();
      if (key != null && value != null && !(skipped.contains(key.toString()) && isOfSpan(value.toString(), span))) {
        record.setAttribute(AttributeKey.stringKey(key.toString()), value.toString());
      }
    }
  }

  private static boolean isOfSpan(String value, SpanContext span) {
    return span.isValid()
        && (value.equals(span.getTraceId()) || value.equals(span.getSpanId()) || value.equals(span.getTraceFlags().asHex()));
  }
}
