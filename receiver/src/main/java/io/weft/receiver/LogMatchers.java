package io.weft.receiver;

import java.util.function.Predicate;

/**
 * Predicates over received log records for {@link OtlpReceiver#awaitLog}; combine them with {@code and}.
 * Each one describes itself, so a wait that times out names what it was looking for.
 */
public final class LogMatchers {
  private LogMatchers() {}

  /** The record's instrumentation scope (for a bridged logger, usually the logger name) has this name. */
  public static Predicate<ReceivedLog> scope(String scopeName) {
    return new DescribedPredicate<>("scope=" + scopeName, log -> log.scopeName().equals(scopeName));
  }

  /** The body, as {@link ReceivedLog#body} gives it, contains this text. */
  public static Predicate<ReceivedLog> bodyContains(String text) {
    return new DescribedPredicate<>("body contains \"" + text + "\"", log -> log.body().contains(text));
  }

  /** The severity text is exactly this, such as {@code ERROR}. */
  public static Predicate<ReceivedLog> severity(String severityText) {
    return new DescribedPredicate<>("severity=" + severityText, log -> log.severityText().equals(severityText));
  }

  /** Logged in this trace: the trace id as lower-case hex. */
  public static Predicate<ReceivedLog> withTrace(String traceId) {
    return new DescribedPredicate<>("trace=" + traceId, log -> log.traceId().equals(traceId));
  }

  public static Predicate<ReceivedLog> any() {
    return new DescribedPredicate<>("any log record", log -> true);
  }
}
