package io.weft.receiver;

import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Predicates over received spans for {@link OtlpReceiver#awaitSpan}; combine them with {@code and}.
 * Each one describes itself, so a wait that times out names what it was looking for.
 */
public final class SpanMatchers {
  private SpanMatchers() {}

  public static Predicate<ReceivedSpan> named(String name) {
    return new DescribedPredicate<>("name=" + name, span -> span.name().equals(name));
  }

  public static Predicate<ReceivedSpan> kind(Span.SpanKind kind) {
    return new DescribedPredicate<>("kind=" + kind, span -> span.kind() == kind);
  }

  /** The attribute equals the value; Integer, Short and Byte values compare as the Long OTLP carries. */
  public static Predicate<ReceivedSpan> attr(String key, Object value) {
    Object expected = value instanceof Integer || value instanceof Short || value instanceof Byte
        ? (Object) ((Number) value).longValue() : value;
    return new DescribedPredicate<>(key + "=" + value,
        span -> Objects.equals(span.attr(key), expected));
  }

  public static Predicate<ReceivedSpan> hasAttr(String key) {
    return new DescribedPredicate<>("has " + key, span -> span.attr(key) != null);
  }

  /** Same trace, and the parent id is that span's id. */
  public static Predicate<ReceivedSpan> childOf(ReceivedSpan parent) {
    String traceId = parent.traceId();
    String spanId = parent.spanId();
    return new DescribedPredicate<>("child of " + parent.name() + " " + spanId,
        span -> span.traceId().equals(traceId) && span.parentSpanId().equals(spanId));
  }

  public static Predicate<ReceivedSpan> inTrace(String traceId) {
    return new DescribedPredicate<>("trace=" + traceId, span -> span.traceId().equals(traceId));
  }

  public static Predicate<ReceivedSpan> root() {
    return new DescribedPredicate<>("root", ReceivedSpan::isRoot);
  }

  public static Predicate<ReceivedSpan> status(Status.StatusCode code) {
    return new DescribedPredicate<>("status=" + code, span -> span.statusCode() == code);
  }

  public static Predicate<ReceivedSpan> serviceName(String serviceName) {
    return new DescribedPredicate<>("service.name=" + serviceName,
        span -> serviceName.equals(span.serviceName()));
  }

  public static Predicate<ReceivedSpan> any() {
    return new DescribedPredicate<>("any span", span -> true);
  }
}
