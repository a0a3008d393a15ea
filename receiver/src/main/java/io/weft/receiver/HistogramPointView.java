package io.weft.receiver;

import java.util.List;
import java.util.Map;

/**
 * One explicit-bucket histogram data point with its attributes as Java values. {@code sum} is NaN
 * when the sender left it out; {@code bucketCounts} has one more entry than {@code explicitBounds};
 * {@code exemplarSpanIds} the span id (hex) of each exemplar that names a span, in the order sent;
 * {@code exemplarCount} every exemplar, those naming no span too.
 */
public record HistogramPointView(
    Map<String, Object> attributes,
    long count,
    double sum,
    List<Double> explicitBounds,
    List<Long> bucketCounts,
    long startEpochNanos,
    long epochNanos,
    List<String> exemplarSpanIds,
    int exemplarCount) {

  public Object attr(String key) {
    return attributes.get(key);
  }
}
