package io.weft.agent.metrics;

import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.data.Data;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.resources.Resource;
import io.weft.instrumentation.trace.TelemetryResource;

/**
 * One metric of a collection, as Weft's meter provider makes it: the SDK's {@code MetricData} with Weft's
 * resource behind it. Weft's metric encoder writes {@link #telemetryResource()}; {@link #getResource()} makes
 * the SDK's resource on its first call (a console exporter, a test), so the SDK's {@code Resource} class is
 * not set up for an OTLP export. Agent class loader.
 */
public final class LeanMetricData implements MetricData {

  private final TelemetryResource resource;
  private final InstrumentationScopeInfo scope;
  private final String name;
  private final String description;
  private final String unit;
  private final MetricDataType type;
  private final Data<?> data;

  public LeanMetricData(TelemetryResource resource, InstrumentationScopeInfo scope, String name, String description,
      String unit, MetricDataType type, Data<?> data) {
    this.resource = resource;
    this.scope = scope;
    this.name = name;
    this.description = description;
    this.unit = unit;
    this.type = type;
    this.data = data;
  }

  public TelemetryResource telemetryResource() {
    return resource;
  }

  @Override
  public Resource getResource() {
    return resource.sdk();
  }

  @Override
  public InstrumentationScopeInfo getInstrumentationScopeInfo() {
    return scope;
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public String getDescription() {
    return description;
  }

  @Override
  public String getUnit() {
    return unit;
  }

  @Override
  public MetricDataType getType() {
    return type;
  }

  @Override
  public Data<?> getData() {
    return data;
  }

  @Override
  public String toString() {
    return "LeanMetricData{name=" + name + ", type=" + type + ", scope=" + scope.getName() + ", data=" + data + "}";
  }
}
