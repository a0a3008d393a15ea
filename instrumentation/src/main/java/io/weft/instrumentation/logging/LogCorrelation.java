package io.weft.instrumentation.logging;

import io.opentelemetry.api.OpenTelemetry;
import io.weft.bridge.LogBridge;
import io.weft.instrumentation.DirectAdvice;
import io.weft.instrumentation.ExactMethodWeaving;
import io.weft.instrumentation.InstrumentationConfig;
import io.weft.instrumentation.Sieve;
import io.weft.instrumentation.TypeInstrumentation;
import io.weft.instrumentation.WeftInstrumentation;
import io.weft.instrumentation.trace.SpanPipeline;
import java.util.Collections;
import java.util.List;

/**
 * The current span's ids in a logging library's per-event context, so a pattern's {@code %X{trace_id}} ties a log
 * line to its trace: one class of the library is woven ({@link ContextMapWeaving}) so the map it hands an event goes
 * through {@link LogBridge}, and {@link MdcWithSpan} adds the ids to a copy. The switches and keys are the
 * OpenTelemetry agent's. Agent class loader.
 */
public final class LogCorrelation implements WeftInstrumentation {

  private final String name;
  private final String internalName;
  private final String[] methods;
  private final String field;
  /** The ids go into each event's own MDC as it enters the library's one method (the advice made with its type instrumentation). */
  private final boolean intoEvent;

  private LogCorrelation(String name, String internalName, String[] methods, String field, boolean intoEvent) {
    this.name = name;
    this.internalName = internalName;
    this.methods = methods;
    this.field = field;
    this.intoEvent = intoEvent;
  }

  /**
   * Logback's MDC ({@code otel.instrumentation.logback-mdc.enabled}): {@code LoggingEvent.getMDCPropertyMap()}, whose
   * result is kept in the event's own {@code mdcPropertyMap} field. Its first call happens on the logging thread,
   * under the span that logged (a synchronous appender formats there; an {@code AsyncAppender} calls it there in
   * {@code prepareForDeferredProcessing}), so the ids kept then are what an appender on another thread reads later.
   */
  public static LogCorrelation logback() {
    return new LogCorrelation("logback-mdc", "ch/qos/logback/classic/spi/LoggingEvent",
        new String[] {"getMDCPropertyMap", "()Ljava/util/Map;"}, "mdcPropertyMap", false);
  }

  /**
   * Log4j 2's context data ({@code otel.instrumentation.log4j-context-data.enabled}): its own context data provider
   * ({@code ThreadContextDataProvider}, 2.13.2 and later), whose thread context goes to the event as a {@code Map}
   * ({@code supplyContextData}, for the default thread context map from 2.24) or a {@code StringMap} ({@code
   * supplyStringMap}, for the copy-on-write map, the default before, and for the garbage-free map, whose injector
   * copies it into the event's reusable map). Log4j asks it on the logging thread while it builds the event,
   * asynchronous loggers included.
   */
  public static LogCorrelation log4j() {
    return new LogCorrelation("log4j-context-data", "org/apache/logging/log4j/core/impl/ThreadContextDataProvider",
        new String[] {"supplyContextData", "()Ljava/util/Map;", "supplyStringMap", "()Lorg/apache/logging/log4j/util/StringMap;"}, null, false);
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * JBoss LogManager's MDC ({@code otel.instrumentation.jboss-logmanager-mdc.enabled}, WildFly and JBoss EAP):
   * {@code Logger.logRaw(ExtLogRecord)}, through which every record its loggers publish passes on the logging thread,
   * puts the ids into the record's own MDC copy on entry ({@link LogBridge#recordWithSpan}), so a handler's {@code
   * %X{trace_id}} finds them there, an asynchronous handler's too. Needs {@code ExtLogRecord.putMdc} (checked on 3.1; a
   * version without it is left as it is).
   */
  public static LogCorrelation jbossLogManager() {
    return new LogCorrelation("jboss-logmanager-mdc", "org/jboss/logmanager/Logger",
        new String[] {"logRaw", "(Lorg/jboss/logmanager/ExtLogRecord;)V"}, null, true);
  }

  /**
   * Log4j 1.2's MDC ({@code otel.instrumentation.log4j-mdc.enabled}; reload4j too): {@code Category.callAppenders(LoggingEvent)},
   * through which every event that passed the level goes to the appenders, on the logging thread, puts the ids into the
   * event's own MDC copy first ({@code LoggingEvent.setProperty}, 1.2.15 and later), which {@code getMDC} reads before
   * the thread's: a layout's {@code %X{trace_id}} finds them, also on an {@code AsyncAppender}'s thread.
   */
  public static LogCorrelation log4j1() {
    return new LogCorrelation("log4j-mdc", "org/apache/log4j/Category",
        new String[] {"callAppenders", "(Lorg/apache/log4j/spi/LoggingEvent;)V"}, null, true);
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations(InstrumentationConfig config) {
    // no lambda here: each costs premain a millisecond
    if (intoEvent) {
      // LogBridge.recordWithSpan(event) first in the method: the event is its only argument
      DirectAdvice intoEvent = DirectAdvice.onEntry("io/weft/bridge/LogBridge", "recordWithSpan", "(Ljava/lang/Object;)V", 0);
      return Collections.singletonList(new ExactMethodWeaving(internalName, methods[0], new String[] {methods[1]}, intoEvent,
          new io.weft.instrumentation.DebugLines(config)));
    }
    return Collections.singletonList(new ContextMapWeaving(internalName, methods, field, config));
  }

  /** The library's one class, by exact name. */
  @Override
  public Sieve sieve(InstrumentationConfig config) {
    return Sieve.classes(internalName);
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
