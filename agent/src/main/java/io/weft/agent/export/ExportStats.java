package io.weft.agent.export;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts of one signal's export, read by the self-telemetry instruments and the exit line: items
 * delivered, and items given up by reason ({@code error.type}). Each item is counted once, when its
 * fate is final; failed attempts that are retried are not losses (they show in the attempt-duration
 * histogram with their error.type).
 */
final class ExportStats {

  final LongAdder delivered = new LongAdder();
  final Map<String, LongAdder> dropped = new ConcurrentHashMap<>();

  void dropped(String reason, long items) {
    if (items > 0) {
      dropped.computeIfAbsent(reason, r -> new LongAdder()).add(items);
    }
  }

  long droppedTotal() {
    long total = 0;
    for (LongAdder adder : dropped.values()) {
      total += adder.sum();
    }
    return total;
  }

  /** For debug lines: {reason=count, ...}. */
  String describeDropped() {
    StringBuilder out = new StringBuilder();
    dropped.forEach((reason, count) -> out.append(out.length() == 0 ? "" : ", ").append(reason).append('=').append(count.sum()));
    return out.length() == 0 ? "none" : out.toString();
  }
}
