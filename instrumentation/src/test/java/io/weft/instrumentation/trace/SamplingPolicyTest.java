package io.weft.instrumentation.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The policy must take exactly the SDK samplers' decisions, or one trace would be half kept. */
class SamplingPolicyTest {

  private static final List<String> NAMES = List.of("always_on", "always_off", "traceidratio",
      "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio");

  @Test
  void decidesAsTheSdkSamplersDoForRootsAndForSampledAndUnsampledParents() {
    SplittableRandom random = new SplittableRandom(42);
    for (String name : NAMES) {
      for (double ratio : new double[] {0.0, 0.001, 0.25, 0.5, 0.999, 1.0}) {
        SamplingPolicy policy = SamplingPolicy.of(name, ratio);
        Sampler sdk = sdkSampler(name, ratio);
        assertEquals(name.startsWith("parentbased_") ? "ParentBased" : name.equals("always_on") ? "AlwaysOnSampler"
            : name.equals("always_off") ? "AlwaysOffSampler" : "TraceIdRatioBased",
            sdk.getDescription().replaceAll("[{(].*", ""), name);
        for (int i = 0; i < 2_000; i++) {
          long high = random.nextLong();
          long low = random.nextLong();
          String traceId = TraceId.fromLongs(high, low);
          int parentKind = i % 3; // root, sampled parent, unsampled parent
          SpanContext parent = parentKind == 0
              ? SpanContext.getInvalid()
              : SpanContext.create(traceId, SpanId.fromLong(random.nextLong() | 1),
                  parentKind == 1 ? TraceFlags.getSampled() : TraceFlags.getDefault(), TraceState.getDefault());
          Context context = Context.root().with(Span.wrap(parent));
          boolean expected = sdk.shouldSample(context, traceId, "span", SpanKind.INTERNAL, Attributes.empty(), List.of())
              .getDecision() == SamplingDecision.RECORD_AND_SAMPLE;
          assertEquals(expected, policy.sample(parent, parent.isValid(), low),
              () -> name + "(" + ratio + ") trace " + traceId + " parent " + parent);
        }
      }
    }
  }

  @Test
  void onlyARootDroppedByARatioNeedsAContextForItsDescendants() {
    assertTrue(SamplingPolicy.of("traceidratio", 0.5).dropNeedsContext(false));
    assertTrue(SamplingPolicy.of("parentbased_traceidratio", 0.5).dropNeedsContext(false));
    assertFalse(SamplingPolicy.of("traceidratio", 0.5).dropNeedsContext(true), "children share the trace id");
    assertFalse(SamplingPolicy.of("parentbased_traceidratio", 0.5).dropNeedsContext(true), "children follow the parent");
    assertFalse(SamplingPolicy.of("always_off", 0).dropNeedsContext(false));
    assertFalse(SamplingPolicy.of("parentbased_always_off", 0).dropNeedsContext(false));
  }

  @Test
  void onlyTheAlwaysOffSamplersDropEveryRootWithoutLookingAtIt() {
    for (String name : NAMES) {
      assertEquals(name.endsWith("always_off"), SamplingPolicy.of(name, 0.0).dropsEveryRoot(), name);
    }
  }

  @Test
  void refusesAnUnknownSampler() {
    assertThrows(IllegalArgumentException.class, () -> SamplingPolicy.of("jaeger_remote", 1.0));
  }

  /** The SDK's sampler of this name, the reference the policy is checked against. */
  private static Sampler sdkSampler(String name, double ratio) {
    String root = name.replace("parentbased_", "");
    Sampler forRoots = root.equals("always_on") ? Sampler.alwaysOn()
        : root.equals("always_off") ? Sampler.alwaysOff() : Sampler.traceIdRatioBased(ratio);
    return name.startsWith("parentbased_") ? Sampler.parentBased(forRoots) : forRoots;
  }
}
