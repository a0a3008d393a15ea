package io.weft.instrumentation.logging;

import io.opentelemetry.api.OpenTelemetry;
import io.weft.bridge.LogBridge;
import io.weft.instrumentation.InstrumentationConfig;
import io.weft.instrumentation.TypeInstrumentation;
import io.weft.instrumentation.WeftInstrumentation;
import io.weft.instrumentation.trace.SpanPipeline;
import java.util.Collections;
import java.util.List;

/**
 * The current span's ids in Logback's MDC ({@code otel.instrumentation.logback-mdc.enabled}, the OpenTelemetry
 * agent's switch and keys), so a pattern's {@code %X{trace_id}} ties a log line to its trace. One class is woven,
 * {@code ch.qos.logback.classic.spi.LoggingEvent}: before {@code getMDCPropertyMap()} returns, its map goes
 * through {@link LogBridge#withSpan}, and the result is kept in the event's own {@code mdcPropertyMap} field.
 * The first call happens on the logging thread, under the span that logged (a synchronous appender formats there;
 * an {@code AsyncAppender} calls it there in {@code prepareForDeferredProcessing}), so the ids kept then are what
 * an appender on another thread reads later. A map that already has the trace key (set by the application) is
 * left as it is; the MDC's own map, shared by the thread's later events, is never changed: the ids go into a copy.
 */
public final class LogbackMdcInstrumentation implements WeftInstrumentation {

  public static final String NAME = "logback-mdc";

  static final String LOGGING_EVENT = "ch/qos/logback/classic/spi/LoggingEvent";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations(InstrumentationConfig config) {
    // no lambda here: each costs premain a millisecond
    return Collections.singletonList(new ContextMapWeaving(LOGGING_EVENT, new String[] {"getMDCPropertyMap", "()Ljava/util/Map;"}, "mdcPropertyMap",
        "the MDC names the current span", config));
  }

  @Override
  public void start(OpenTelemetry openTelemetry, SpanPipeline spans, InstrumentationConfig config) {
    LogBridge.install(MdcWithSpan.from(config));
  }

  @Override
  public void checkSettings(InstrumentationConfig config) {
    MdcWithSpan.from(config);
  }
}
