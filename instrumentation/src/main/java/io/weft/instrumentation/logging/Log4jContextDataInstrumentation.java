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
 * The current span's ids in Log4j 2's context data ({@code otel.instrumentation.log4j-context-data.enabled}, the
 * OpenTelemetry agent's switch, and the same keys as {@link LogbackMdcInstrumentation}), so {@code %X{trace_id}}
 * works in a Log4j pattern too. One class is woven, Log4j's own context data provider
 * ({@code org.apache.logging.log4j.core.impl.ThreadContextDataProvider}, 2.13.2 and later): the thread context it
 * hands the event, as a {@code Map} ({@code supplyContextData}, for the default thread context map of 2.24 on) or a
 * {@code StringMap} ({@code supplyStringMap}, for the copy-on-write map, the default before 2.24), goes through
 * {@link LogBridge} before it returns. Log4j asks it on the logging thread while it builds the event, asynchronous
 * loggers included. Only the garbage-free thread context map ({@code log4j2.garbagefreeThreadContextMap=true}) is
 * read without it, and its events get no ids.
 */
public final class Log4jContextDataInstrumentation implements WeftInstrumentation {

  public static final String NAME = "log4j-context-data";

  static final String PROVIDER = "org/apache/logging/log4j/core/impl/ThreadContextDataProvider";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations(InstrumentationConfig config) {
    return Collections.singletonList(new ContextMapWeaving(PROVIDER, new String[] {
        "supplyContextData", "()Ljava/util/Map;", "supplyStringMap", "()Lorg/apache/logging/log4j/util/StringMap;"},
        null, "context data names the current span", config));
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
