package io.weft.agent.otel;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.util.Collection;

/** Prints one line per metric on stderr ({@code OTEL_METRICS_EXPORTER=console}). Agent class loader. */
final class ConsoleMetricExporter implements MetricExporter {

  @Override
  public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
    return AggregationTemporality.CUMULATIVE;
  }

  @Override
  public CompletableResultCode export(Collection<MetricData> metrics) {
    StringBuilder out = new StringBuilder();
    for (MetricData metric : metrics) {
      out.append("[weft] metric: ").append(metric.getName()).append(" (").append(metric.getUnit()).append(") ")
          .append(metric.getType()).append(' ').append(metric.getData().getPoints().size()).append(" points\n");
    }
    System.err.print(out);
    return CompletableResultCode.ofSuccess();
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
