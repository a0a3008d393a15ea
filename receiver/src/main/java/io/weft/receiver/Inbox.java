package io.weft.receiver;

import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * What the receiver has been sent, shared by its HTTP and gRPC threads and the threads waiting on it.
 * One monitor guards everything; each arrival wakes the waiters, who re-test their predicate.
 */
final class Inbox {
  private static final int LISTED_AT_MOST = 40;

  private final ExportListener forward; // null: store for tests; else hand over and keep nothing
  private final List<ReceivedSpan> spans = new ArrayList<>();
  private final List<ReceivedMetric> metrics = new ArrayList<>();
  private final List<ReceivedLog> logs = new ArrayList<>();
  private final List<Map<String, String>> headers = new ArrayList<>();
  private final Map<String, Integer> requestCounts = new TreeMap<>();
  private final List<ExportAttempt> attempts = new ArrayList<>();
  private int attemptNumber;
  private int badRequests;
  private int faultedRequests;
  private int tlsHandshakeFailures;

  Inbox(ExportListener forward) {
    this.forward = forward;
  }

  /**
   * Numbers an export request as it arrives. A forwarding inbox (the long-running tool) keeps no
   * attempts, as it keeps no spans.
   */
  synchronized int arrived() {
    notifyAll();
    return ++attemptNumber;
  }

  /** Returns once {@code atLeast} export requests have arrived, answered or not. */
  synchronized void awaitArrivals(int atLeast, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (attemptNumber < atLeast) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("waited " + timeout.toMillis() + " ms for " + atLeast + " export request(s) to arrive, "
            + attemptNumber + " did" + requestSummary());
      }
      waitNanos(left);
    }
  }

  /** Logs what an arrived request was answered, keeping the list in arrival order. */
  void attempt(int number, Signal signal, Transport transport, Instant arrivedAt, long arrivedNanos,
      String answer, boolean stored) {
    if (forward != null) {
      return;
    }
    ExportAttempt attempt = new ExportAttempt(number, signal, transport, arrivedAt, arrivedNanos, answer, stored);
    synchronized (this) {
      int at = attempts.size();
      while (at > 0 && attempts.get(at - 1).arrivedNanos() > arrivedNanos) {
        at--; // answered out of order (a slow request overtaken): keep arrival order
      }
      attempts.add(at, attempt);
      notifyAll();
    }
  }

  synchronized void tlsHandshakeFailed() {
    tlsHandshakeFailures++;
    notifyAll();
  }

  synchronized int tlsHandshakeFailures() {
    return tlsHandshakeFailures;
  }

  synchronized List<ExportAttempt> attempts() {
    return List.copyOf(attempts);
  }

  /** Records one decoded export; {@code requestHeaders} has lower-case names. */
  void record(Signal signal, Transport transport, Map<String, String> requestHeaders, Message request) {
    List<ReceivedSpan> newSpans = signal == Signal.TRACES
        ? ReceivedSpan.flatten((ExportTraceServiceRequest) request) : List.of();
    List<ReceivedMetric> newMetrics = signal == Signal.METRICS
        ? ReceivedMetric.flatten((ExportMetricsServiceRequest) request) : List.of();
    List<ReceivedLog> newLogs = signal == Signal.LOGS
        ? ReceivedLog.flatten((ExportLogsServiceRequest) request) : List.of();
    synchronized (this) {
      requestCounts.merge(signal.key() + "/" + transport.key(), 1, Integer::sum);
      if (forward == null) {
        headers.add(Map.copyOf(requestHeaders));
        spans.addAll(newSpans);
        metrics.addAll(newMetrics);
        logs.addAll(newLogs);
      }
      notifyAll();
    }
    if (forward != null && !newSpans.isEmpty()) {
      forward.spansReceived(newSpans);
    }
    if (forward != null && !newMetrics.isEmpty()) {
      forward.metricsReceived(newMetrics);
    }
    if (forward != null && !newLogs.isEmpty()) {
      forward.logsReceived(newLogs);
    }
  }

  /** A forwarding inbox whose listener only counts spans: see {@link ExportListener#countsSpansOnly}. */
  boolean countsSpansOnly() {
    return forward != null && forward.countsSpansOnly();
  }

  /** Records one export whose spans were counted, not decoded (a counting forwarder only). */
  void recordCounted(Signal signal, Transport transport, int spans) {
    synchronized (this) {
      requestCounts.merge(signal.key() + "/" + transport.key(), 1, Integer::sum);
      notifyAll();
    }
    if (spans > 0) {
      forward.spansCounted(spans);
    }
  }

  synchronized void badRequest() {
    badRequests++;
    notifyAll();
  }

  synchronized void faulted() {
    faultedRequests++;
    notifyAll();
  }

  synchronized List<ReceivedSpan> spans() {
    return List.copyOf(spans);
  }

  synchronized List<ReceivedMetric> metrics() {
    return List.copyOf(metrics);
  }

  synchronized List<ReceivedLog> logs() {
    return List.copyOf(logs);
  }

  synchronized List<Map<String, String>> headers() {
    return List.copyOf(headers);
  }

  synchronized Map<String, Integer> requestCounts() {
    return Map.copyOf(requestCounts);
  }

  synchronized int badRequests() {
    return badRequests;
  }

  synchronized int faultedRequests() {
    return faultedRequests;
  }

  synchronized void clear() {
    spans.clear();
    metrics.clear();
    logs.clear();
    headers.clear();
    requestCounts.clear();
    badRequests = 0;
    faultedRequests = 0;
    tlsHandshakeFailures = 0;
    attempts.clear();
    attemptNumber = 0;
  }

  /** All logged attempts matching, once there are at least {@code atLeast} of them. */
  synchronized List<ExportAttempt> awaitAttempts(Predicate<ExportAttempt> matching, int atLeast, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<ExportAttempt> found = new ArrayList<>();
      for (ExportAttempt attempt : attempts) {
        if (matching.test(attempt)) {
          found.add(attempt);
        }
      }
      if (found.size() >= atLeast) {
        return found;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < attempts.size() && i < LISTED_AT_MOST; i++) {
          seen.append(i == 0 ? ": " : ", ").append(attempts.get(i));
        }
        throw new AssertionError("waited " + timeout.toMillis() + " ms for " + atLeast + " export attempt(s) matching "
            + DescribedPredicate.describe(matching) + ", found " + found.size() + "; logged " + attempts.size()
            + seen + "; TLS handshake failures " + tlsHandshakeFailures);
      }
      waitNanos(left);
    }
  }

  /** All stored spans matching, once there are at least {@code atLeast} of them. */
  synchronized List<ReceivedSpan> awaitSpans(Predicate<ReceivedSpan> matching, int atLeast, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<ReceivedSpan> found = new ArrayList<>();
      for (ReceivedSpan span : spans) {
        if (matching.test(span)) {
          found.add(span);
        }
      }
      if (found.size() >= atLeast) {
        return found;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("waited " + timeout.toMillis() + " ms for " + atLeast + " span(s) matching "
            + DescribedPredicate.describe(matching) + ", found " + found.size() + "; " + describeSpans());
      }
      waitNanos(left);
    }
  }

  /** All stored log records matching, once there are at least {@code atLeast} of them. */
  synchronized List<ReceivedLog> awaitLogs(Predicate<ReceivedLog> matching, int atLeast, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<ReceivedLog> found = new ArrayList<>();
      for (ReceivedLog log : logs) {
        if (matching.test(log)) {
          found.add(log);
        }
      }
      if (found.size() >= atLeast) {
        return found;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("waited " + timeout.toMillis() + " ms for " + atLeast + " log record(s) matching "
            + DescribedPredicate.describe(matching) + ", found " + found.size() + "; " + describeLogs());
      }
      waitNanos(left);
    }
  }

  /** The latest stored metric matching: with cumulative temporality it holds the newest totals. */
  synchronized ReceivedMetric awaitMetric(Predicate<ReceivedMetric> matching, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (int i = metrics.size() - 1; i >= 0; i--) {
        if (matching.test(metrics.get(i))) {
          return metrics.get(i);
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("waited " + timeout.toMillis() + " ms for a metric matching "
            + DescribedPredicate.describe(matching) + "; " + describeMetrics());
      }
      waitNanos(left);
    }
  }

  private void waitNanos(long nanos) throws InterruptedException {
    long millis = Math.max(1, nanos / 1_000_000);
    wait(millis);
  }

  private String describeSpans() {
    StringBuilder text = new StringBuilder("received ").append(spans.size()).append(" span(s)");
    for (int i = 0; i < spans.size() && i < LISTED_AT_MOST; i++) {
      ReceivedSpan span = spans.get(i);
      text.append(i == 0 ? ": " : ", ").append(span.name()).append(' ')
          .append(span.kind().name().replace("SPAN_KIND_", ""));
    }
    if (spans.size() > LISTED_AT_MOST) {
      text.append(", ... ").append(spans.size() - LISTED_AT_MOST).append(" more");
    }
    return text.append(requestSummary()).toString();
  }

  private String describeMetrics() {
    Set<String> names = new LinkedHashSet<>();
    for (ReceivedMetric metric : metrics) {
      names.add(metric.name());
    }
    return "received " + metrics.size() + " metric(s)" + (names.isEmpty() ? "" : " named " + names)
        + requestSummary();
  }

  private String describeLogs() {
    StringBuilder text = new StringBuilder("received ").append(logs.size()).append(" log record(s)");
    for (int i = 0; i < logs.size() && i < LISTED_AT_MOST; i++) {
      text.append(i == 0 ? ": " : ", ").append(logs.get(i));
    }
    if (logs.size() > LISTED_AT_MOST) {
      text.append(", ... ").append(logs.size() - LISTED_AT_MOST).append(" more");
    }
    return text.append(requestSummary()).toString();
  }

  private String requestSummary() {
    return "; export requests " + requestCounts + ", undecodable " + badRequests
        + ", answered with a fault status " + faultedRequests;
  }
}
