package io.weft.instrumentation.jdbc;

import io.opentelemetry.api.common.AttributeKey;
import io.weft.instrumentation.trace.LeanSpan;
import java.util.Map;

/**
 * The opt-in {@code db.query.parameter.<key>} attributes ({@code
 * OTEL_INSTRUMENTATION_JDBC_EXPERIMENTAL_CAPTURE_QUERY_PARAMETERS}, the OpenTelemetry agent's name): the values a
 * prepared or callable statement was given, on each of its single executions (not on batches, as the conventions
 * say), keyed by the 0-based index or the parameter's name. Only values of the JDK's own simple types are written,
 * through their own {@code toString}: text, numbers, booleans, characters, dates and times, UUIDs and URLs; a
 * stream, a byte array, a LOB or an application object is never read. Agent loader.
 */
final class QueryParameters {
  private static final String PREFIX = "db.query.parameter.";
  private static final AttributeKey<String>[] POSITIONAL = keys(64);

  private QueryParameters() {}

  @SuppressWarnings("unchecked")
  private static AttributeKey<String>[] keys(int count) {
    AttributeKey<String>[] keys = new AttributeKey[count];
    for (int i = 0; i < count; i++) {
      keys[i] = AttributeKey.stringKey(PREFIX + i);
    }
    return keys;
  }

  /** The value as the attribute's text, or null when it is not one of the types written. */
  static String text(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof String) {
      return (String) value;
    }
    // the JDK's own classes only (java.base, java.sql): an application's subclass could do anything in toString
    String module = value.getClass().getModule().getName();
    if (module == null || !module.startsWith("java.")) {
      return null;
    }
    if (value instanceof Number || value instanceof Boolean || value instanceof Character
        || value instanceof java.util.Date || value instanceof java.time.temporal.TemporalAccessor
        || value instanceof java.util.UUID || value instanceof java.net.URL) {
      return value.toString();
    }
    return null;
  }

  static void addTo(LeanSpan span, StatementState state) {
    String[] positional = state.positional;
    if (positional != null) {
      for (int i = 0; i < positional.length; i++) {
        if (positional[i] != null) {
          span.setAttribute(i < POSITIONAL.length ? POSITIONAL[i] : AttributeKey.stringKey(PREFIX + i), positional[i]);
        }
      }
    }
    Map<String, String> named = state.named;
    if (named != null) {
      for (Map.Entry<String, String> parameter : named.entrySet()) {
        span.setAttribute(AttributeKey.stringKey(PREFIX + parameter.getKey()), parameter.getValue());
      }
    }
  }
}
