package io.weft.instrumentation.trace;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;

/**
 * Records a call's duration with the call's own span as the exemplar, without reading the current
 * context: a traced call ends with its span at hand, and by then its scope is closed, so the current
 * context would name its parent (or nothing, for a server request). Weft's meter provider takes the
 * span directly ({@link Direct}); any other histogram is given a context holding it.
 */
public final class SpanHistogram {

  /** A histogram that takes the exemplar's span context itself. */
  public interface Direct {
    /**
     * {@code exemplar}: the measured call's span context, or null when the call has no sampled span;
     * {@code exemplarEpochNanos}: when it was measured (its span's end), so no clock is read for it.
     */
    void record(double value, Attributes attributes, SpanContext exemplar, long exemplarEpochNanos);
  }

  private SpanHistogram() {}

  /** {@code span}: the call's span, ended, or null when it was not sampled (no exemplar then). */
  public static void record(DoubleHistogram histogram, double value, Attributes attributes, LeanSpan span) {
    if (histogram instanceof Direct) {
      ((Direct) histogram).record(value, attributes, span, span == null ? 0 : span.getEndEpochNanos());
    } else {
      histogram.record(value, attributes, span == null ? EntriesContext.ROOT : EntriesContext.ROOT.with((Span) span));
    }
  }
}
