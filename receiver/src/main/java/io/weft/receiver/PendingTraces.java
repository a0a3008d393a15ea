package io.weft.receiver;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Spans of the weft-receiver tool grouped by trace until the trace looks complete: its root arrived and
 * the trace went quiet, or it has waited long enough. Time is passed in, so no clock hides in here.
 */
final class PendingTraces {
  private final long quietNanos;
  private final long maxWaitNanos;
  private final Map<String, Pending> traces = new LinkedHashMap<>();

  PendingTraces(long quietNanos, long maxWaitNanos) {
    this.quietNanos = quietNanos;
    this.maxWaitNanos = maxWaitNanos;
  }

  synchronized void add(List<ReceivedSpan> spans, long nowNanos) {
    for (ReceivedSpan span : spans) {
      Pending trace = traces.computeIfAbsent(span.traceId(), id -> new Pending(nowNanos));
      trace.spans.add(span);
      trace.lastArrival = nowNanos;
      trace.hasRoot |= span.isRoot();
    }
  }

  /** Removes and returns the traces that are ready, oldest first. */
  synchronized List<List<ReceivedSpan>> takeDue(long nowNanos) {
    List<List<ReceivedSpan>> due = new ArrayList<>();
    for (Iterator<Pending> it = traces.values().iterator(); it.hasNext(); ) {
      Pending trace = it.next();
      if ((trace.hasRoot && nowNanos - trace.lastArrival >= quietNanos)
          || nowNanos - trace.firstArrival >= maxWaitNanos) {
        due.add(trace.spans);
        it.remove();
      }
    }
    return due;
  }

  /** Removes and returns every trace, ready or not. */
  synchronized List<List<ReceivedSpan>> takeAll() {
    List<List<ReceivedSpan>> all = new ArrayList<>();
    for (Pending trace : traces.values()) {
      all.add(trace.spans);
    }
    traces.clear();
    return all;
  }

  private static final class Pending {
    final long firstArrival;
    final List<ReceivedSpan> spans = new ArrayList<>();
    long lastArrival;
    boolean hasRoot;

    Pending(long firstArrival) {
      this.firstArrival = firstArrival;
    }
  }
}
