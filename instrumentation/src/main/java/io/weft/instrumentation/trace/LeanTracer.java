package io.weft.instrumentation.trace;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.internal.OtelEncodingUtils;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Starts Weft's own spans on the hot path. Sampling is decided first, from the parent's flags and the
 * trace id, so a span that is not sampled costs no allocation at all: the caller gets {@code null} and
 * leaves the current context as it is, which makes every descendant take the same decision. A sampled
 * span is one object ({@link LeanSpan}) that is also its own span context and its own exported data.
 */
public final class LeanTracer {

  final SpanPipeline pipeline;
  final InstrumentationScopeInfo scope;

  LeanTracer(SpanPipeline pipeline, String scopeName, String scopeVersion) {
    this.pipeline = pipeline;
    this.scope = scopeVersion == null
        ? InstrumentationScopeInfo.create(scopeName)
        : InstrumentationScopeInfo.builder(scopeName).setVersion(scopeVersion).build();
  }

  /**
   * Starts a span under the span of {@code parent} (a root when it has none) at {@code startNanoTime}
   * ({@link System#nanoTime()}; {@code 0}: now, the clock read only once a span is made, so a call that is
   * neither timed nor sampled reads none). Returns {@code null} when the span is not sampled and nothing
   * needs to be made current; otherwise the span, which the caller makes current and ends. Attributes are
   * taken as they are: the caller passes an immutable set it may share between spans.
   */
  public LeanSpan start(String name, SpanKind kind, Attributes attributes, Context parent, long startNanoTime) {
    Span parentSpan = Span.fromContext(parent);
    SpanContext parentContext = parentSpan.getSpanContext();
    boolean parentValid = parentContext.isValid();
    if (!parentValid && pipeline.sampling.dropsEveryRoot()) {
      return null; // always_off and parentbased_always_off: decided before drawing any id
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long traceHigh;
    long traceLow;
    String traceIdHex = null;
    TraceState traceState;
    EpochClock.Anchor anchor = null; // a new one unless the parent is a lean span
    if (!parentValid) {
      do {
        traceHigh = random.nextLong();
        traceLow = random.nextLong();
      } while (traceHigh == 0 && traceLow == 0);
      traceState = TraceState.getDefault();
    } else if (parentSpan instanceof LeanSpan) {
      LeanSpan lean = (LeanSpan) parentSpan;
      traceHigh = lean.traceHigh;
      traceLow = lean.traceLow;
      traceIdHex = lean.traceIdHex;
      traceState = lean.traceState;
      anchor = lean.anchor;
    } else {
      traceIdHex = parentContext.getTraceId();
      traceHigh = OtelEncodingUtils.longFromBase16String(traceIdHex, 0);
      traceLow = OtelEncodingUtils.longFromBase16String(traceIdHex, 16);
      traceState = parentContext.getTraceState();
    }
    boolean sampled = pipeline.sampling.sample(parentContext, parentValid, traceLow);
    if (!sampled && !pipeline.sampling.dropNeedsContext(parentValid)) {
      return null;
    }
    if (startNanoTime == 0) {
      startNanoTime = System.nanoTime();
    }
    if (anchor == null) {
      anchor = EpochClock.anchor(startNanoTime);
    }
    long spanId;
    do {
      spanId = random.nextLong();
    } while (spanId == 0);
    return new LeanSpan(this, name, kind, attributes, parentContext, traceHigh, traceLow, traceIdHex, spanId,
        traceState, sampled, anchor, startNanoTime);
  }
}
