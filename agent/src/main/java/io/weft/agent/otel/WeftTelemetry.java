package io.weft.agent.otel;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.logs.LoggerProvider;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.weft.agent.metrics.LeanMeterProvider;
import java.util.List;

/**
 * What the instrumentations get: Weft's meter provider and the configured propagators, and what the
 * flush at exit shuts down. Not {@code OpenTelemetrySdk}: Weft's spans are lean spans started through
 * {@code SpanPipeline} (its span processors are held here), so the SDK's tracer, meter and logger
 * providers would be built at start for nothing. The tracer provider offered is the API's no-op one.
 * Agent class loader.
 */
public final class WeftTelemetry implements OpenTelemetry {

  private final SpanProcessor spanProcessor;
  private final LeanMeterProvider meterProvider; // null: metrics off
  private final List<String> propagatorNames;
  private volatile ContextPropagators propagators; // made on first use
  private final LogsSetup logs; // null: logs off

  WeftTelemetry(SpanProcessor spanProcessor, LeanMeterProvider meterProvider, List<String> propagatorNames, LogsSetup logs) {
    this.spanProcessor = spanProcessor;
    this.meterProvider = meterProvider;
    this.propagatorNames = propagatorNames;
    this.logs = logs;
  }

  /**
   * The SDK's logger provider behind {@code OTEL_LOGS_EXPORTER}, built by the first caller (the first log record,
   * or the start-up thread once the gate is open); the API's no-op one when logs are off or after the exit flush.
   */
  @Override
  public LoggerProvider getLogsBridge() {
    return logs != null ? logs.provider() : LoggerProvider.noop();
  }

  /** Whether log records are exported at all. */
  public boolean logsOn() {
    return logs != null;
  }

  /** At exit: the queued log records go to the exporters, bounded by {@code millis}; later ones are dropped. */
  public void flushLogs(long millis) {
    if (logs != null) {
      logs.flushAndClose(millis);
    }
  }

  @Override
  public TracerProvider getTracerProvider() {
    return TracerProvider.noop();
  }

  @Override
  public MeterProvider getMeterProvider() {
    return meterProvider != null ? meterProvider : MeterProvider.noop();
  }

  /**
   * Made by the first caller (the servlet instrumentation, when it starts): only servlet spans extract
   * and inject context, and the W3C propagators' classes were a tenth of the SDK build a hello world
   * waits for.
   */
  @Override
  public ContextPropagators getPropagators() {
    ContextPropagators made = propagators;
    if (made == null) {
      synchronized (this) {
        made = propagators;
        if (made == null) {
          made = SdkFactory.propagators(propagatorNames);
          propagators = made;
        }
      }
    }
    return made;
  }

  /** The last metric collection and export, and the exporters' shutdown; done at once when metrics are off. */
  public CompletableResultCode shutdownMetrics() {
    return meterProvider != null ? meterProvider.shutdown() : CompletableResultCode.ofSuccess();
  }

  /** Shuts the span processors down (so the queued spans are exported). */
  public CompletableResultCode shutdownTracing() {
    return spanProcessor.shutdown();
  }
}
