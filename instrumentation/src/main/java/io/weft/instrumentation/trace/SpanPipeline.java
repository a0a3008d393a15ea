package io.weft.instrumentation.trace;

import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.SpanProcessor;

/**
 * Where Weft's lean spans go: the sampler, the span processors (the same ones the SDK's tracer provider
 * feeds), the resource and the span limits. Made by the agent from the configuration, once.
 */
public final class SpanPipeline {

  final SamplingPolicy sampling;
  final SpanProcessor processor;
  final boolean endRequired;
  final TelemetryResource resource;
  final int attributeValueLengthLimit;
  final int attributeCountLimit;
  final int eventCountLimit;

  /**
   * @throws IllegalArgumentException if the processor needs {@code onStart}: lean spans are not
   *     read-write SDK spans, and none of Weft's processors needs them to be
   */
  public SpanPipeline(SamplingPolicy sampling, SpanProcessor processor, TelemetryResource resource, SpanLimits limits) {
    if (processor.isStartRequired()) {
      throw new IllegalArgumentException("span processors that need onStart are not supported: " + processor);
    }
    this.sampling = sampling;
    this.processor = processor;
    this.endRequired = processor.isEndRequired();
    this.resource = resource;
    this.attributeValueLengthLimit = limits.getMaxAttributeValueLength();
    this.attributeCountLimit = limits.getMaxNumberOfAttributes();
    this.eventCountLimit = limits.getMaxNumberOfEvents();
  }

  public LeanTracer tracer(String scopeName, String scopeVersion) {
    return new LeanTracer(this, scopeName, scopeVersion);
  }
}
