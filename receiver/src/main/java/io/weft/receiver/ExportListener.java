package io.weft.receiver;

import java.util.List;

/** Receives each decoded export as it arrives, on the receiver's HTTP or gRPC threads. */
public interface ExportListener {
  /** The spans of one export request; never empty. */
  default void spansReceived(List<ReceivedSpan> spans) {}

  /** The metrics of one export request; never empty. */
  default void metricsReceived(List<ReceivedMetric> metrics) {}
}
