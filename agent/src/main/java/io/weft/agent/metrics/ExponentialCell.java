package io.weft.agent.metrics;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.metrics.data.DoubleExemplarData;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramBuckets;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramPointData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableDoubleExemplarData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableExponentialHistogramBuckets;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableExponentialHistogramPointData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * One attribute set's base-2 exponential histogram for one exporter, as the OpenTelemetry specification defines
 * the aggregation and the SDK's defaults set it: at most {@link #MAX_BUCKETS} buckets, starting at scale
 * {@link #MAX_SCALE} and lowering it (merging neighbouring buckets) as soon as the values recorded need a wider
 * range. Bucket {@code i} at scale {@code s} holds the values in {@code (2^(i/2^s), 2^((i+1)/2^s)]}; zero has its
 * own count. Only non-negative values reach it (the histogram drops the others), so there are no negative
 * buckets.
 *
 * <p>Guarded by its monitor, unlike the explicit-bucket cell: a rescale rewrites every bucket at once. It is only
 * made for an exporter that asked for exponential histograms
 * ({@code OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION}), and a record is a few arithmetic operations
 * and a logarithm under an uncontended lock in the common case. Keeps the last sampled measurement since the last
 * collection as its exemplar.
 */
final class ExponentialCell {

  static final int MAX_BUCKETS = 160;
  static final int MAX_SCALE = 20;
  private static final double LOG2_E = 1 / Math.log(2);

  private int scale = MAX_SCALE;
  private double scaleFactor = Math.scalb(LOG2_E, MAX_SCALE);
  /** Counts by bucket index, at {@code Math.floorMod(index, MAX_BUCKETS)}: the range never spans more. */
  private final long[] counts = new long[MAX_BUCKETS];
  private boolean anyBucket;
  private int lowest;
  private int highest;
  private long zeroCount;
  private long count;
  private double sum;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;
  private SpanContext exemplar;
  private double exemplarValue;
  private long exemplarTime;

  synchronized void record(double value, SpanContext sampled, long sampledTime) {
    count++;
    sum += value;
    min = Math.min(min, value);
    max = Math.max(max, value);
    if (sampled != null) {
      exemplar = sampled;
      exemplarValue = value;
      exemplarTime = sampledTime != 0 ? sampledTime : LeanMeterProvider.epochNanos();
    }
    if (value == 0) {
      zeroCount++;
      return;
    }
    int index = indexOf(value);
    if (anyBucket) {
      int low = Math.min(lowest, index);
      int high = Math.max(highest, index);
      int reduction = 0;
      while (high - low + 1 > MAX_BUCKETS) {
        low >>= 1;
        high >>= 1;
        reduction++;
      }
      if (reduction > 0) {
        downscale(reduction);
        index = indexOf(value);
      }
      lowest = Math.min(lowest, index);
      highest = Math.max(highest, index);
    } else {
      anyBucket = true;
      lowest = index;
      highest = index;
    }
    counts[Math.floorMod(index, MAX_BUCKETS)]++;
  }

  /** The bucket of a positive, finite {@code value} at the current scale. */
  int indexOf(double value) {
    if (scale > 0) {
      // the logarithm; the SDK computes the same, so both put a value in the same bucket
      return (int) Math.ceil(Math.log(value) * scaleFactor) - 1;
    }
    int exponent = Math.getExponent(value);
    if (exponent < Double.MIN_EXPONENT) { // subnormal: the exponent its leading bit gives
      exponent = Math.getExponent(value * 0x1p52) - 52;
    }
    // a power of two is the upper bound of the bucket below its exponent's
    boolean powerOfTwo = value == Math.scalb(1.0, exponent);
    int zeroScaleIndex = powerOfTwo ? exponent - 1 : exponent;
    return zeroScaleIndex >> -scale;
  }

  /** Lowers the scale by {@code by}: bucket {@code i} goes into {@code i >> by}. */
  private void downscale(int by) {
    long[] old = counts.clone();
    Arrays.fill(counts, 0);
    for (int index = lowest; index <= highest; index++) {
      long bucketCount = old[Math.floorMod(index, MAX_BUCKETS)];
      if (bucketCount != 0) {
        counts[Math.floorMod(index >> by, MAX_BUCKETS)] += bucketCount;
      }
    }
    lowest >>= by;
    highest >>= by;
    scale -= by;
    scaleFactor = Math.scalb(LOG2_E, scale);
  }

  int scale() {
    return scale;
  }

  /** The point since the start or, with {@code reset}, since the last collection; null when reset found nothing. */
  synchronized ExponentialHistogramPointData collect(long start, long now, Attributes attributes, boolean reset) {
    if (count == 0) {
      return null;
    }
    ExponentialHistogramBuckets positive;
    if (anyBucket) {
      List<Long> bucketCounts = new ArrayList<>(highest - lowest + 1);
      for (int index = lowest; index <= highest; index++) {
        bucketCounts.add(counts[Math.floorMod(index, MAX_BUCKETS)]);
      }
      positive = ImmutableExponentialHistogramBuckets.create(scale, lowest, bucketCounts);
    } else {
      positive = ImmutableExponentialHistogramBuckets.create(scale, 0, Collections.emptyList());
    }
    ExponentialHistogramBuckets negative = ImmutableExponentialHistogramBuckets.create(scale, 0, Collections.emptyList());
    List<DoubleExemplarData> exemplars = exemplar == null ? Collections.emptyList()
        : Collections.singletonList(ImmutableDoubleExemplarData.create(Attributes.empty(), exemplarTime, exemplar, exemplarValue));
    ExponentialHistogramPointData point = ImmutableExponentialHistogramPointData.create(scale, sum, zeroCount, true, min, true, max,
        positive, negative, start, now, attributes, exemplars);
    exemplar = null;
    if (reset) {
      Arrays.fill(counts, 0);
      anyBucket = false;
      zeroCount = 0;
      count = 0;
      sum = 0;
      min = Double.POSITIVE_INFINITY;
      max = Double.NEGATIVE_INFINITY;
      scale = MAX_SCALE;
      scaleFactor = Math.scalb(LOG2_E, MAX_SCALE);
    }
    return point;
  }

  /** Makes a cell per attribute set; a class, not a lambda (no method-handle class spun when the SDK is built). */
  static final class Factory implements Function<Attributes, ExponentialCell> {
    @Override
    public ExponentialCell apply(Attributes attributes) {
      return new ExponentialCell();
    }
  }
}
