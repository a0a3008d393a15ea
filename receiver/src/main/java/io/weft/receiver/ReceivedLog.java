package io.weft.receiver;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One decoded log record together with the Resource and InstrumentationScope it was exported under, so tests
 * can assert what the agent's log bridge sends (body, severity, trace context, exception attributes).
 * Immutable. Values that are not strings read as text: see {@link #attribute}.
 */
public final class ReceivedLog {
  private static final int BODY_SHOWN_AT_MOST = 80;

  private final LogRecord log;
  private final Resource resource;
  private final InstrumentationScope scope;

  public ReceivedLog(LogRecord log, Resource resource, InstrumentationScope scope) {
    this.log = Objects.requireNonNull(log, "log");
    this.resource = Objects.requireNonNull(resource, "resource");
    this.scope = Objects.requireNonNull(scope, "scope");
  }

  /** Every log record of an export request, in the order it was sent. */
  public static List<ReceivedLog> flatten(ExportLogsServiceRequest request) {
    List<ReceivedLog> logs = new ArrayList<>();
    for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
      for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
        for (LogRecord log : scopeLogs.getLogRecordsList()) {
          logs.add(new ReceivedLog(log, resourceLogs.getResource(), scopeLogs.getScope()));
        }
      }
    }
    return logs;
  }

  /**
   * The body as text: a string body as is, any other kind converted like {@link #attribute} (an int as
   * {@code 42}, a map as {@code {k=v}}); "" when the record has no body.
   */
  public String body() {
    String text = text(AttributeValues.toJava(log.getBody()));
    return text == null ? "" : text;
  }

  /** 0 (unspecified) to 24; ERROR is 17, INFO 9. */
  public int severityNumber() {
    return log.getSeverityNumberValue();
  }

  /** The severity as the logging framework named it, such as {@code ERROR} or {@code WARNING}; may be "". */
  public String severityText() {
    return log.getSeverityText();
  }

  /** When the event happened, per the logging framework; 0 when unknown. */
  public long timeUnixNano() {
    return log.getTimeUnixNano();
  }

  /** When the record was observed (emitted into the SDK). */
  public long observedTimeUnixNano() {
    return log.getObservedTimeUnixNano();
  }

  /** Lower-case hex, 32 characters; "" when logged outside a trace. */
  public String traceId() {
    return ReceivedSpan.hex(log.getTraceId());
  }

  /** Lower-case hex, 16 characters; "" when logged outside a span. */
  public String spanId() {
    return ReceivedSpan.hex(log.getSpanId());
  }

  /** The W3C trace flags of the span the record was logged in (1: sampled); 0 outside a trace. */
  public int flags() {
    return log.getFlags();
  }

  /** The event name ({@code LogRecord.event_name}), or "" for an ordinary log record. */
  public String eventName() {
    return log.getEventName();
  }

  /**
   * The attribute as a string, or null when absent: strings as is, other values through {@code toString}
   * (an int as {@code 42}, an array as {@code [a, b]}), bytes as lower-case hex.
   */
  public String attribute(String key) {
    return text(AttributeValues.find(log.getAttributesList(), key));
  }

  /** All record attributes in the order sent, values as {@link #attribute} gives them. */
  public Map<String, String> attributes() {
    return textMap(log.getAttributesList());
  }

  /** A resource attribute, as {@link #attribute} gives it; null when absent. */
  public String resourceAttribute(String key) {
    return text(AttributeValues.find(resource.getAttributesList(), key));
  }

  /** The resource's {@code service.name}, or null. */
  public String serviceName() {
    return resourceAttribute("service.name");
  }

  /** The name of the logger's instrumentation scope (for a bridged logger, usually the logger name). */
  public String scopeName() {
    return scope.getName();
  }

  public String scopeVersion() {
    return scope.getVersion();
  }

  public LogRecord proto() {
    return log;
  }

  public Resource resource() {
    return resource;
  }

  public InstrumentationScope scope() {
    return scope;
  }

  /**
   * Severity, scope, body (on one line, cut to 80 characters) and trace id, for assertion messages:
   * {@code ERROR io.weft.jul "Order 42 failed" trace=4bf9...}.
   */
  @Override
  public String toString() {
    String severity = severityText().isEmpty() ? "severity=" + severityNumber() : severityText();
    String body = body().replace("\r", "\\r").replace("\n", "\\n");
    if (body.length() > BODY_SHOWN_AT_MOST) {
      int cut = Character.isHighSurrogate(body.charAt(BODY_SHOWN_AT_MOST - 1))
          ? BODY_SHOWN_AT_MOST - 1 : BODY_SHOWN_AT_MOST;
      body = body.substring(0, cut) + "...";
    }
    String traceId = traceId();
    return severity + " " + (scopeName().isEmpty() ? "<no scope>" : scopeName()) + " \"" + body + "\""
        + (traceId.isEmpty() ? "" : " trace=" + traceId);
  }

  private static Map<String, String> textMap(List<KeyValue> attributes) {
    Map<String, String> map = new LinkedHashMap<>();
    for (Map.Entry<String, Object> entry : AttributeValues.toMap(attributes).entrySet()) {
      map.put(entry.getKey(), text(entry.getValue()));
    }
    return Collections.unmodifiableMap(map);
  }

  /** A value of {@link AttributeValues#toJava} as text; bytes as hex rather than an array's identity. */
  private static String text(Object value) {
    if (value == null) {
      return null;
    }
    return value instanceof byte[] ? HexFormat.of().formatHex((byte[]) value) : value.toString();
  }
}
