package io.weft.agent.export;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.internal.otlp.metrics.MetricsRequestMarshaler;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableHistogramData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableHistogramPointData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableLongPointData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableSumData;
import io.weft.agent.metrics.LeanMeterProvider;
import io.weft.agent.metrics.LeanMetricData;
import io.weft.instrumentation.trace.TelemetryResource;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.function.Consumer;

/**
 * Metrics into the same delivery machinery as spans: the periodic reader's export encodes the
 * request and leaves it to the metric {@link Delivery} (retries, backoff, {@code Retry-After}); the
 * reader never waits on the network. The metric buffer is small and in memory only: with
 * cumulative temporality the next export carries the totals anyway.
 */
final class BufferedMetricExporter implements MetricExporter, LeanMeterProvider.HistogramChoice {

  private final ExportBuffer buffer;
  private final boolean gzip;
  private final AggregationTemporalitySelector temporality;
  private final ExportStats stats;
  private final Consumer<String> stderr;
  private final boolean exponentialHistograms;
  private final LeanMetricEncoder encoder = new LeanMetricEncoder();

  BufferedMetricExporter(ExportBuffer buffer, boolean gzip, AggregationTemporalitySelector temporality, ExportStats stats,
      Consumer<String> stderr, boolean exponentialHistograms) {
    this.exponentialHistograms = exponentialHistograms;
    this.buffer = buffer;
    this.gzip = gzip;
    this.temporality = temporality;
    this.stats = stats;
    this.stderr = stderr;
  }

  @Override
  public CompletableResultCode export(Collection<MetricData> metrics) {
    if (metrics.isEmpty()) {
      return CompletableResultCode.ofSuccess();
    }
    int points = 0;
    for (MetricData metric : metrics) {
      points += metric.getData().getPoints().size();
    }
    try {
      byte[] encoded = encode(metrics);
      if (!buffer.add(encoded, points, gzip)) {
        stats.dropped("buffer_full", points);
        return CompletableResultCode.ofFailure();
      }
      return CompletableResultCode.ofSuccess();
    } catch (IOException | RuntimeException e) {
      stderr.accept("[weft] cannot encode " + metrics.size() + " metrics, they are dropped: " + e);
      stats.dropped("encoding_failed", points);
      return CompletableResultCode.ofFailure();
    }
  }

  /** The request's bytes, gzipped when asked; Weft's own encoder for the kinds of metric it makes, else the SDK's. */
  private byte[] encode(Collection<MetricData> metrics) throws IOException {
    if (!LeanMetricEncoder.accepts(metrics)) {
      return SpanQueueProcessor.encode(MetricsRequestMarshaler.create(metrics), gzip);
    }
    byte[] request;
    synchronized (encoder) { // the reader's export and the exit flush's last one may overlap
      request = encoder.encode(metrics);
    }
    return gzip ? SpanQueueProcessor.gzip(request) : request;
  }

  /**
   * Encodes a made-up request (a histogram and a sum for {@code resource}) and throws the bytes away, so
   * that the encoder's classes are loaded before the first real export: run in the background once the
   * SDK is live, it keeps that loading off the exit of a short-lived JVM.
   */
  void warmUp(TelemetryResource resource) throws IOException {
    InstrumentationScopeInfo scope = InstrumentationScopeInfo.create("io.weft.warm-up");
    Attributes attributes = Attributes.of(AttributeKey.stringKey("warm"), "up");
    MetricData histogram = new LeanMetricData(resource, scope, "h", "", "s", MetricDataType.HISTOGRAM,
        ImmutableHistogramData.create(AggregationTemporality.CUMULATIVE, Collections.singletonList(
            ImmutableHistogramPointData.create(0, 1, attributes, 1, true, 1, true, 1, Collections.singletonList(5.0),
                Arrays.asList(1L, 0L)))));
    MetricData sum = new LeanMetricData(resource, scope, "c", "", "1", MetricDataType.LONG_SUM,
        ImmutableSumData.create(true, AggregationTemporality.CUMULATIVE, Collections.singletonList(
            ImmutableLongPointData.create(0, 1, attributes, 1))));
    encode(Arrays.asList(histogram, sum));
  }

  @Override
  public boolean exponentialHistograms() {
    return exponentialHistograms;
  }

  @Override
  public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
    return temporality.getAggregationTemporality(instrumentType);
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
