package io.weft.instrumentation;

import io.opentelemetry.api.OpenTelemetry;
import io.weft.instrumentation.trace.SpanPipeline;
import java.util.List;

/**
 * One instrumentation target (configured methods, servlet, JDBC): the types it weaves and the tracer
 * behind its bridge. Instances live in the agent class loader; the agent asks each one for its type
 * instrumentations once at start-up, and calls {@link #start} once the SDK is ready.
 */
public interface WeftInstrumentation {

  /** The name in {@code otel.instrumentation.<name>.enabled}, e.g. {@code methods}. */
  String name();

  /** Whether it is on when neither its own switch nor the common default says otherwise. */
  default boolean enabledByDefault() {
    return true;
  }

  /**
   * Whether it is on: its switch {@code otel.instrumentation.<name>.enabled}, else {@code commonDefault} (the
   * common default's value) where it is on by default. An instrumentation that answers to several of the
   * OpenTelemetry agent's switches overrides this.
   */
  default boolean enabled(InstrumentationConfig config, boolean commonDefault) {
    return config.getBoolean("otel.instrumentation." + name() + ".enabled", commonDefault && enabledByDefault());
  }

  /** What to weave, given the configuration; empty when there is nothing to do. */
  List<TypeInstrumentation> typeInstrumentations(InstrumentationConfig config);

  /**
   * The first classes this instrumentation could weave, so that {@link #typeInstrumentations} is called only when
   * the JVM defines one ({@link Sieve}), on that class's thread, instead of at premain; {@code null}: called at
   * premain. Only for an instrumentation whose type instrumentations all {@linkplain TypeInstrumentation#weavesDirectly
   * weave directly}. Reads nothing but the configuration, and loads nothing a class of its own does not name.
   */
  default Sieve sieve(InstrumentationConfig config) {
    return null;
  }

  /**
   * Installs the tracer behind this target's bridge; its spans come from the SDK of {@code openTelemetry}
   * or, on the hottest paths, Weft's lean tracer fed by {@code spans}. Until this runs the bridge answers "not
   * recording", so woven code is inert. Called once, when the SDK is built and this instrumentation has
   * woven a class: on the agent's start-up thread, or on the thread that wove its first class.
   */
  void start(OpenTelemetry openTelemetry, SpanPipeline spans, InstrumentationConfig config);

  /**
   * Reads the settings {@link #start} reads, so that a malformed one is reported although this
   * instrumentation has woven nothing and is not started (the agent starts one only once it has woven a
   * class); builds nothing.
   */
  default void checkSettings(InstrumentationConfig config) {}
}
