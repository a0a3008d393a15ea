package io.weft.receiver;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** One decoded metric together with the Resource and InstrumentationScope it was exported under. Immutable. */
public final class ReceivedMetric {
  private final Metric metric;
  private final Resource resource;
  private final InstrumentationScope scope;

  public ReceivedMetric(Metric metric, Resource resource, InstrumentationScope scope) {
    this.metric = Objects.requireNonNull(metric, "metric");
    this.resource = Objects.requireNonNull(resource, "resource");
    this.scope = Objects.requireNonNull(scope, "scope");
  }

  /** Every metric of an export request, in the order it was sent. */
  public static List<ReceivedMetric> flatten(ExportMetricsServiceRequest request) {
    List<ReceivedMetric> metrics = new ArrayList<>();
    for (ResourceMetrics resourceMetrics : request.getResourceMetricsList()) {
      for (ScopeMetrics scopeMetrics : resourceMetrics.getScopeMetricsList()) {
        for (Metric metric : scopeMetrics.getMetricsList()) {
          metrics.add(new ReceivedMetric(metric, resourceMetrics.getResource(), scopeMetrics.getScope()));
        }
      }
    }
    return metrics;
  }

  public String name() {
    return metric.getName();
  }

  public String unit() {
    return metric.getUnit();
  }

  public String description() {
    return metric.getDescription();
  }

  /** GAUGE, SUM, HISTOGRAM, EXPONENTIAL_HISTOGRAM, SUMMARY or DATA_NOT_SET. */
  public Metric.DataCase type() {
    return metric.getDataCase();
  }

  /** The points of an explicit-bucket histogram; empty for any other type. */
  public List<HistogramPointView> histogramPoints() {
    List<HistogramPointView> points = new ArrayList<>();
    if (metric.hasHistogram()) {
      for (HistogramDataPoint point : metric.getHistogram().getDataPointsList()) {
        points.add(new HistogramPointView(
            AttributeValues.toMap(point.getAttributesList()),
            point.getCount(),
            point.hasSum() ? point.getSum() : Double.NaN,
            List.copyOf(point.getExplicitBoundsList()),
            List.copyOf(point.getBucketCountsList()),
            point.getStartTimeUnixNano(),
            point.getTimeUnixNano(),
            point.getExemplarsList().stream()
                .filter(e -> !e.getSpanId().isEmpty())
                .map(e -> java.util.HexFormat.of().formatHex(e.getSpanId().toByteArray()))
                .toList(),
            point.getExemplarsCount()));
      }
    }
    return points;
  }

  /** The points of a sum; empty for any other type. */
  public List<NumberPointView> sumPoints() {
    return metric.hasSum() ? numberPoints(metric.getSum().getDataPointsList()) : List.of();
  }

  /** The points of a gauge; empty for any other type. */
  public List<NumberPointView> gaugePoints() {
    return metric.hasGauge() ? numberPoints(metric.getGauge().getDataPointsList()) : List.of();
  }

  /** True only for a monotonic sum. */
  public boolean isMonotonic() {
    return metric.hasSum() && metric.getSum().getIsMonotonic();
  }

  /** How many data points this metric carries, whatever its type. */
  public int pointCount() {
    switch (metric.getDataCase()) {
      case GAUGE:
        return metric.getGauge().getDataPointsCount();
      case SUM:
        return metric.getSum().getDataPointsCount();
      case HISTOGRAM:
        return metric.getHistogram().getDataPointsCount();
      case EXPONENTIAL_HISTOGRAM:
        return metric.getExponentialHistogram().getDataPointsCount();
      case SUMMARY:
        return metric.getSummary().getDataPointsCount();
      default:
        return 0;
    }
  }

  /** A resource attribute as a Java value, or null. */
  public Object resourceAttr(String key) {
    return AttributeValues.find(resource.getAttributesList(), key);
  }

  /** The resource's {@code service.name}, or null. */
  public String serviceName() {
    Object name = resourceAttr("service.name");
    return name == null ? null : name.toString();
  }

  public String scopeName() {
    return scope.getName();
  }

  public Metric proto() {
    return metric;
  }

  public Resource resource() {
    return resource;
  }

  public InstrumentationScope scope() {
    return scope;
  }

  @Override
  public String toString() {
    return name() + " " + type() + " (" + pointCount() + " points, scope " + scopeName() + ")";
  }

  private static List<NumberPointView> numberPoints(List<NumberDataPoint> dataPoints) {
    List<NumberPointView> points = new ArrayList<>();
    for (NumberDataPoint point : dataPoints) {
      Number value = point.getValueCase() == NumberDataPoint.ValueCase.AS_DOUBLE
          ? (Number) point.getAsDouble() : (Number) point.getAsInt();
      points.add(new NumberPointView(
          AttributeValues.toMap(point.getAttributesList()), value, point.getTimeUnixNano()));
    }
    return points;
  }
}
