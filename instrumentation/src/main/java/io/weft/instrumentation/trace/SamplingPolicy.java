package io.weft.instrumentation.trace;

import io.opentelemetry.api.trace.SpanContext;

/**
 * The sampler, decided before any span object exists: the standard samplers ({@code always_on},
 * {@code always_off}, {@code traceidratio} and their {@code parentbased_} forms) reduced to a flag test
 * on the parent and, for ratios, one comparison on the trace id, the same comparison the SDK's
 * {@code TraceIdRatioBasedSampler} makes, so Weft decides as any OpenTelemetry SDK would on the same trace.
 */
public final class SamplingPolicy {

  private enum Root { ON, OFF, RATIO }

  private final boolean parentBased;
  private final Root root;
  private final double ratio;
  private final long idUpperBound;

  private SamplingPolicy(boolean parentBased, Root root, double ratio) {
    this.parentBased = parentBased;
    this.root = root;
    this.ratio = ratio;
    this.idUpperBound = ratio <= 0.0 ? Long.MIN_VALUE : ratio >= 1.0 ? Long.MAX_VALUE : (long) (ratio * Long.MAX_VALUE);
  }

  /** {@code name} is one of the values of {@code OTEL_TRACES_SAMPLER}; {@code ratio} is used by the ratio samplers. */
  public static SamplingPolicy of(String name, double ratio) {
    switch (name) {
      case "always_on":
        return new SamplingPolicy(false, Root.ON, 1.0);
      case "always_off":
        return new SamplingPolicy(false, Root.OFF, 0.0);
      case "traceidratio":
        return new SamplingPolicy(false, Root.RATIO, ratio);
      case "parentbased_always_off":
        return new SamplingPolicy(true, Root.OFF, 0.0);
      case "parentbased_traceidratio":
        return new SamplingPolicy(true, Root.RATIO, ratio);
      case "parentbased_always_on":
        return new SamplingPolicy(true, Root.ON, 1.0);
      default:
        throw new IllegalArgumentException("unknown sampler " + name);
    }
  }

  /** Whether a span with this parent (invalid for a root) and this trace id's lower half is sampled. */
  boolean sample(SpanContext parent, boolean parentValid, long traceIdLow) {
    if (parentBased && parentValid) {
      return parent.isSampled();
    }
    switch (root) {
      case ON:
        return true;
      case OFF:
        return false;
      default:
        return Math.abs(traceIdLow) < idUpperBound;
    }
  }

  /** Whether a root is dropped whatever its trace id: then no id needs to be drawn for it. */
  boolean dropsEveryRoot() {
    return root == Root.OFF;
  }

  /**
   * Whether a span this policy dropped must still be made current: only a root dropped by a ratio, whose
   * descendants would otherwise each draw a new trace id and be sampled on their own. Every other drop is
   * repeated by the descendants from the context that is already current.
   */
  boolean dropNeedsContext(boolean parentValid) {
    return root == Root.RATIO && !parentValid;
  }
}
