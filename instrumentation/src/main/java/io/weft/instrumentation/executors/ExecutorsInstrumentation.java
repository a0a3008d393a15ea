package io.weft.instrumentation.executors;

import io.opentelemetry.api.OpenTelemetry;
import io.weft.instrumentation.InstrumentationConfig;
import io.weft.instrumentation.TypeInstrumentation;
import io.weft.instrumentation.WeftInstrumentation;
import io.weft.instrumentation.trace.SpanPipeline;
import java.util.Collections;
import java.util.List;

/**
 * Carries the current context into tasks handed to executors and {@code CompletableFuture}
 * ({@code otel.instrumentation.executors.enabled}). It weaves JDK classes, which the agent's type
 * instrumentations never look at, so it has none: the agent installs {@link TaskWeaver} on its own
 * transformer at premain, and the {@link ContextCarrier} with the context storage. It records nothing.
 */
public final class ExecutorsInstrumentation implements WeftInstrumentation {

  public static final String NAME = "executors";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations(InstrumentationConfig config) {
    return Collections.emptyList();
  }

  @Override
  public void start(OpenTelemetry openTelemetry, SpanPipeline spans, InstrumentationConfig config) {}
}
