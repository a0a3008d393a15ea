package io.weft.agent.export;

import io.opentelemetry.api.internal.OtelEncodingUtils;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.DoubleExemplarData;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.ExemplarData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongExemplarData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.metrics.data.SumData;
import io.opentelemetry.sdk.resources.Resource;
import io.weft.agent.export.LeanSpanEncoder.ProtoWriter;
import io.weft.agent.metrics.LeanMetricData;
import io.weft.instrumentation.trace.LeanSpan;
import io.weft.instrumentation.trace.TelemetryResource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes metrics as an OTLP {@code ExportMetricsServiceRequest}, the bytes the SDK's marshalers write for the
 * same data (fields in the same order, defaults left out, grouped by resource and scope the same way), for the
 * kinds of metric Weft's meter provider makes: sums, gauges and explicit-bucket histograms. Why not the SDK's
 * marshalers: they are about 40 classes, and a short-lived JVM loaded them (in the background at start, or at
 * its exit flush) only to send a handful of points, about 20 ms of a hello world's start-up on 2 cores. Any
 * other kind ({@link #accepts} false) still goes through the SDK's marshalers.
 */
final class LeanMetricEncoder {

  // its writer, and how it writes attribute sets, resources and scopes (the last two kept once made)
  private final LeanSpanEncoder fields = new LeanSpanEncoder();
  private final ProtoWriter out = fields.out;

  /** Whether every metric is of a kind this encoder writes. */
  static boolean accepts(Collection<MetricData> metrics) {
    for (MetricData metric : metrics) {
      switch (metric.getType()) {
        case LONG_SUM:
        case DOUBLE_SUM:
        case LONG_GAUGE:
        case DOUBLE_GAUGE:
        case HISTOGRAM:
          break;
        default:
          return false;
      }
    }
    return true;
  }

  /** One request's bytes; one caller at a time (the exporter holds a lock around it). */
  byte[] encode(Collection<MetricData> metrics) {
    out.reset();
    // as the SDK groups them (identity maps of the same size), so resources and scopes come in the same order
    // Weft's own metrics are grouped by their TelemetryResource (whose SDK Resource is never made for them)
    Map<Object, Map<InstrumentationScopeInfo, List<MetricData>>> grouped = new IdentityHashMap<>(8);
    for (MetricData metric : metrics) {
      Object resource = metric instanceof LeanMetricData ? ((LeanMetricData) metric).telemetryResource() : metric.getResource();
      Map<InstrumentationScopeInfo, List<MetricData>> byScope = grouped.get(resource);
      if (byScope == null) {
        byScope = new IdentityHashMap<>(8);
        grouped.put(resource, byScope);
      }
      List<MetricData> list = byScope.get(metric.getInstrumentationScopeInfo());
      if (list == null) {
        list = new ArrayList<>();
        byScope.put(metric.getInstrumentationScopeInfo(), list);
      }
      list.add(metric);
    }
    for (Map.Entry<Object, Map<InstrumentationScopeInfo, List<MetricData>>> resource : grouped.entrySet()) {
      int resourceMetrics = out.beginMessage(1, 3);
      String schemaUrl = null; // Weft's resources have none
      if (resource.getKey() instanceof TelemetryResource) {
        fields.writeResource(resource.getKey(), ((TelemetryResource) resource.getKey()).attributes());
      } else {
        Resource sdk = (Resource) resource.getKey();
        fields.writeResource(sdk, sdk.getAttributes());
        schemaUrl = sdk.getSchemaUrl();
      }
      for (Map.Entry<InstrumentationScopeInfo, List<MetricData>> scope : resource.getValue().entrySet()) {
        int scopeMetrics = out.beginMessage(2, 3);
        fields.writeScope(scope.getKey());
        for (MetricData metric : scope.getValue()) {
          writeMetric(metric);
        }
        out.writeString(3, scope.getKey().getSchemaUrl(), Integer.MAX_VALUE);
        out.endMessage(scopeMetrics, 3);
      }
      out.writeString(3, schemaUrl, Integer.MAX_VALUE);
      out.endMessage(resourceMetrics, 3);
    }
    return out.toByteArray();
  }

  private void writeMetric(MetricData metric) {
    int message = out.beginMessage(2, 2);
    out.writeString(1, metric.getName(), Integer.MAX_VALUE);
    out.writeString(2, metric.getDescription(), Integer.MAX_VALUE);
    out.writeString(3, metric.getUnit(), Integer.MAX_VALUE);
    switch (metric.getType()) {
      case LONG_SUM:
      case DOUBLE_SUM: {
        SumData<? extends PointData> sum = metric.getType() == MetricDataType.LONG_SUM
            ? metric.getLongSumData() : metric.getDoubleSumData();
        int data = out.beginMessage(7, 2); // Metric.sum
        for (PointData point : sum.getPoints()) {
          writeNumberPoint(point);
        }
        out.writeVarintField(2, temporality(sum.getAggregationTemporality()));
        out.writeVarintField(3, sum.isMonotonic() ? 1 : 0);
        out.endMessage(data, 2);
        break;
      }
      case LONG_GAUGE:
      case DOUBLE_GAUGE: {
        Collection<? extends PointData> points = metric.getType() == MetricDataType.LONG_GAUGE
            ? metric.getLongGaugeData().getPoints() : metric.getDoubleGaugeData().getPoints();
        int data = out.beginMessage(5, 2); // Metric.gauge
        for (PointData point : points) {
          writeNumberPoint(point);
        }
        out.endMessage(data, 2);
        break;
      }
      case HISTOGRAM: {
        int data = out.beginMessage(9, 2); // Metric.histogram
        for (HistogramPointData point : metric.getHistogramData().getPoints()) {
          writeHistogramPoint(point);
        }
        out.writeVarintField(2, temporality(metric.getHistogramData().getAggregationTemporality()));
        out.endMessage(data, 2);
        break;
      }
      default:
        throw new IllegalArgumentException("not a kind of metric this encoder writes: " + metric.getType());
    }
    out.endMessage(message, 2);
  }

  /** A NumberDataPoint: the value as {@code as_int} (6) for a long, {@code as_double} (4) otherwise, always written. */
  private void writeNumberPoint(PointData point) {
    int message = out.beginMessage(1);
    out.writeFixed64(2, point.getStartEpochNanos());
    out.writeFixed64(3, point.getEpochNanos());
    if (point instanceof LongPointData) {
      out.writeFixed64Always(6, ((LongPointData) point).getValue());
    } else {
      out.writeFixed64Always(4, Double.doubleToRawLongBits(((DoublePointData) point).getValue()));
    }
    writeExemplars(5, point.getExemplars());
    fields.writeAttributes(7, point.getAttributes(), Integer.MAX_VALUE);
    out.endMessage(message);
  }

  private void writeHistogramPoint(HistogramPointData point) {
    int message = out.beginMessage(1, 2);
    out.writeFixed64(2, point.getStartEpochNanos());
    out.writeFixed64(3, point.getEpochNanos());
    out.writeFixed64(4, point.getCount());
    out.writeFixed64Always(5, Double.doubleToRawLongBits(point.getSum()));
    if (point.hasMin()) {
      out.writeFixed64Always(11, Double.doubleToRawLongBits(point.getMin()));
    }
    if (point.hasMax()) {
      out.writeFixed64Always(12, Double.doubleToRawLongBits(point.getMax()));
    }
    List<Long> counts = point.getCounts();
    long[] countBits = new long[counts.size()];
    for (int i = 0; i < countBits.length; i++) {
      countBits[i] = counts.get(i);
    }
    out.writePackedFixed64(6, countBits);
    List<Double> boundaries = point.getBoundaries();
    long[] boundaryBits = new long[boundaries.size()];
    for (int i = 0; i < boundaryBits.length; i++) {
      boundaryBits[i] = Double.doubleToRawLongBits(boundaries.get(i));
    }
    out.writePackedFixed64(7, boundaryBits);
    writeExemplars(8, point.getExemplars());
    fields.writeAttributes(9, point.getAttributes(), Integer.MAX_VALUE);
    out.endMessage(message, 2);
  }

  private void writeExemplars(int field, List<? extends ExemplarData> exemplars) {
    for (ExemplarData exemplar : exemplars) {
      int message = out.beginMessage(field);
      out.writeFixed64(2, exemplar.getEpochNanos());
      if (exemplar instanceof LongExemplarData) {
        out.writeFixed64Always(6, ((LongExemplarData) exemplar).getValue());
      } else {
        out.writeFixed64Always(3, Double.doubleToRawLongBits(((DoubleExemplarData) exemplar).getValue()));
      }
      SpanContext context = exemplar.getSpanContext();
      if (context.isValid()) {
        if (context instanceof LeanSpan) { // Weft's histograms keep the span itself: its ids are longs already
          LeanSpan span = (LeanSpan) context;
          out.writeId(4, span.spanIdLong());
          out.writeIds(5, span.traceIdHigh(), span.traceIdLow());
        } else {
          String traceId = context.getTraceId();
          out.writeId(4, OtelEncodingUtils.longFromBase16String(context.getSpanId(), 0));
          out.writeIds(5, OtelEncodingUtils.longFromBase16String(traceId, 0), OtelEncodingUtils.longFromBase16String(traceId, 16));
        }
      }
      fields.writeAttributes(7, exemplar.getFilteredAttributes(), Integer.MAX_VALUE);
      out.endMessage(message);
    }
  }

  private static int temporality(AggregationTemporality temporality) {
    return temporality == AggregationTemporality.DELTA ? 1 : 2; // AGGREGATION_TEMPORALITY_DELTA = 1, _CUMULATIVE = 2
  }
}
