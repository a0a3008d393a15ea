package io.weft.receiver;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** One decoded span together with the Resource and InstrumentationScope it was exported under. Immutable. */
public final class ReceivedSpan {
  private static final HexFormat HEX = HexFormat.of();

  private final Span span;
  private final Resource resource;
  private final InstrumentationScope scope;

  public ReceivedSpan(Span span, Resource resource, InstrumentationScope scope) {
    this.span = Objects.requireNonNull(span, "span");
    this.resource = Objects.requireNonNull(resource, "resource");
    this.scope = Objects.requireNonNull(scope, "scope");
  }

  /** Every span of an export request, in the order it was sent. */
  public static List<ReceivedSpan> flatten(ExportTraceServiceRequest request) {
    List<ReceivedSpan> spans = new ArrayList<>();
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        for (Span span : scopeSpans.getSpansList()) {
          spans.add(new ReceivedSpan(span, resourceSpans.getResource(), scopeSpans.getScope()));
        }
      }
    }
    return spans;
  }

  public String name() {
    return span.getName();
  }

  public Span.SpanKind kind() {
    return span.getKind();
  }

  /** Lower-case hex, 32 characters; "" when the sender left it empty. */
  public String traceId() {
    return hex(span.getTraceId());
  }

  /** Lower-case hex, 16 characters. */
  public String spanId() {
    return hex(span.getSpanId());
  }

  /** Lower-case hex, or "" for a root span. */
  public String parentSpanId() {
    return hex(span.getParentSpanId());
  }

  public boolean isRoot() {
    return parentSpanId().isEmpty();
  }

  /** The attribute as String, Long, Double, Boolean, List or Map; null when absent. */
  public Object attr(String key) {
    return AttributeValues.find(span.getAttributesList(), key);
  }

  /** The attribute as a string (non-string values through {@code toString}); null when absent. */
  public String stringAttr(String key) {
    Object value = attr(key);
    return value == null ? null : value.toString();
  }

  /** The attribute as a Long; null when absent or not a number. */
  public Long longAttr(String key) {
    Object value = attr(key);
    return value instanceof Number ? ((Number) value).longValue() : null;
  }

  /** All span attributes in the order sent. */
  public Map<String, Object> attributes() {
    return AttributeValues.toMap(span.getAttributesList());
  }

  /** A resource attribute, converted like {@link #attr}. */
  public Object resourceAttr(String key) {
    return AttributeValues.find(resource.getAttributesList(), key);
  }

  /** The resource's {@code service.name}, or null. */
  public String serviceName() {
    Object name = resourceAttr("service.name");
    return name == null ? null : name.toString();
  }

  public Status.StatusCode statusCode() {
    return span.getStatus().getCode();
  }

  public String statusMessage() {
    return span.getStatus().getMessage();
  }

  public List<Span.Event> events() {
    return span.getEventsList();
  }

  /** The first event with that name, or null. */
  public Span.Event event(String name) {
    for (Span.Event event : span.getEventsList()) {
      if (event.getName().equals(name)) {
        return event;
      }
    }
    return null;
  }

  /** An attribute of the first event with that name, or null. */
  public Object eventAttr(String eventName, String key) {
    Span.Event event = event(eventName);
    return event == null ? null : AttributeValues.find(event.getAttributesList(), key);
  }

  public long startEpochNanos() {
    return span.getStartTimeUnixNano();
  }

  public long endEpochNanos() {
    return span.getEndTimeUnixNano();
  }

  public long durationNanos() {
    return span.getEndTimeUnixNano() - span.getStartTimeUnixNano();
  }

  public String scopeName() {
    return scope.getName();
  }

  public Span proto() {
    return span;
  }

  public Resource resource() {
    return resource;
  }

  public InstrumentationScope scope() {
    return scope;
  }

  /** Name, kind, ids and attributes on one line. */
  @Override
  public String toString() {
    String kind = kind().name().replace("SPAN_KIND_", "");
    return name() + " " + kind + " trace=" + traceId() + " span=" + spanId()
        + (isRoot() ? "" : " parent=" + parentSpanId()) + " " + attributes();
  }

  /** Lower-case hex of a trace or span id; "" when empty or all zeros (the invalid id). Shared with ReceivedLog. */
  static String hex(ByteString id) {
    if (id.isEmpty()) {
      return "";
    }
    byte[] bytes = id.toByteArray();
    for (byte b : bytes) {
      if (b != 0) {
        return HEX.formatHex(bytes);
      }
    }
    return ""; // an all-zero id is the invalid id: treat as absent
  }
}
