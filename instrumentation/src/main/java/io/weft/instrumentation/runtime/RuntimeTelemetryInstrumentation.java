package io.weft.instrumentation.runtime;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.MeterProvider;
import io.weft.instrumentation.InstrumentationConfig;
import io.weft.instrumentation.TypeInstrumentation;
import io.weft.instrumentation.WeftInstrumentation;
import io.weft.instrumentation.trace.SpanPipeline;
import java.util.Collections;
import java.util.List;

/**
 * The JVM's runtime metrics ({@code otel.instrumentation.runtime-telemetry.enabled}, the OpenTelemetry agent's
 * switch): {@link JvmMetrics}. It weaves nothing; the agent starts it on a thread of its own a while after the
 * JVM started ({@code WEFT_RUNTIME_TELEMETRY_DELAY}), building the SDK then if nothing woven has yet, because
 * its first reading of the management beans costs 50-150 ms of CPU that a JVM's start should not pay.
 */
public final class RuntimeTelemetryInstrumentation implements WeftInstrumentation {

  public static final String NAME = "runtime-telemetry";
  public static final String SCOPE = "io.weft.runtime-telemetry";
  /** The OpenTelemetry agent's switch for the JVM metrics still in development in the conventions (off by default). */
  static final String EXPERIMENTAL_KEY = "otel.instrumentation.runtime-telemetry.emit-experimental-telemetry";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations(InstrumentationConfig config) {
    return Collections.emptyList();
  }

  /** Registers the instruments; without a metrics exporter nothing. Says in one line what this runtime lacks. */
  @Override
  public void start(OpenTelemetry openTelemetry, SpanPipeline spans, InstrumentationConfig config) {
    MeterProvider meters = openTelemetry.getMeterProvider();
    if (meters == MeterProvider.noop()) {
      return;
    }
    List<String> missing;
    try {
      missing = JvmMetrics.register(meters.get(SCOPE), config.getBoolean(EXPERIMENTAL_KEY, false));
    } catch (LinkageError e) {
      System.err.println("[weft] this runtime has no java.management module: no JVM metrics (" + e + ")");
      return;
    }
    if (!missing.isEmpty()) {
      System.err.println("[weft] this runtime cannot report " + String.join("; ", missing) + "; the other JVM metrics are reported");
    }
  }

  @Override
  public void checkSettings(InstrumentationConfig config) {
    config.getBoolean(EXPERIMENTAL_KEY, false);
  }
}
