package io.weft.receiver;

import java.util.List;

/** Receives each decoded export as it arrives, on the receiver's HTTP or gRPC threads. */
public interface ExportListener {
  /** The spans of one export request; never empty. */
  default void spansReceived(List<ReceivedSpan> spans) {}

  /**
   * True when the listener only counts spans: then an OTLP/HTTP protobuf traces request is walked, not
   * decoded into spans (see {@link OtlpWire}), and {@link #spansCounted} gets its number instead of
   * {@link #spansReceived} its spans. gRPC and JSON requests are decoded as always.
   */
  default boolean countsSpansOnly() {
    return false;
  }

  /** The number of spans in one export request that was only counted; never zero. */
  default void spansCounted(int spans) {}

  /** The metrics of one export request; never empty. */
  default void metricsReceived(List<ReceivedMetric> metrics) {}

  /** The log records of one export request; never empty. */
  default void logsReceived(List<ReceivedLog> logs) {}
}
