package io.weft.agent.otel;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.weft.agent.metrics.LeanMeterProvider;

/**
 * What the instrumentations get: the SDK's tracer provider (its span processors are Weft's), Weft's
 * meter provider and the configured propagators. Not {@code OpenTelemetrySdk}, which would also build
 * the SDK's meter and logger providers at start for nothing. Agent class loader.
 */
public final class WeftTelemetry implements OpenTelemetry {

  private final SdkTracerProvider tracerProvider;
  private final LeanMeterProvider meterProvider; // null: metrics off
  private final ContextPropagators propagators;

  WeftTelemetry(SdkTracerProvider tracerProvider, LeanMeterProvider meterProvider, ContextPropagators propagators) {
    this.tracerProvider = tracerProvider;
    this.meterProvider = meterProvider;
    this.propagators = propagators;
  }

  @Override
  public TracerProvider getTracerProvider() {
    return tracerProvider;
  }

  @Override
  public MeterProvider getMeterProvider() {
    return meterProvider != null ? meterProvider : MeterProvider.noop();
  }

  @Override
  public ContextPropagators getPropagators() {
    return propagators;
  }

  /** The last metric collection and export, and the exporters' shutdown; done at once when metrics are off. */
  public CompletableResultCode shutdownMetrics() {
    return meterProvider != null ? meterProvider.shutdown() : CompletableResultCode.ofSuccess();
  }

  /** Shuts the tracer provider (its span processors, so the queued spans' export) down. */
  public CompletableResultCode shutdownTracing() {
    return tracerProvider.shutdown();
  }
}
