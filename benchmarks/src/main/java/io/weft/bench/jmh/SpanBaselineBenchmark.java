package io.weft.bench.jmh;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * "The span": what starting, making current and ending one sampled SDK span with {@code code.function.name}
 * allocates, with a span processor that keeps nothing. A traced call should allocate no more than this; run
 * without an agent.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(org.openjdk.jmh.annotations.Scope.Thread)
public class SpanBaselineBenchmark {
  private static final AttributeKey<String> CODE_FUNCTION_NAME = AttributeKey.stringKey("code.function.name");

  private SdkTracerProvider provider;
  private Tracer tracer;
  private int value;

  @Setup
  public void setUp() {
    provider = SdkTracerProvider.builder()
        .setSampler(Sampler.alwaysOn())
        .addSpanProcessor(new DiscardingProcessor())
        .build();
    tracer = provider.get("weft-bench");
  }

  @TearDown
  public void tearDown() {
    provider.close();
  }

  @Benchmark
  public int sdkSpan() {
    Span span = tracer.spanBuilder("Traced.work")
        .setAttribute(CODE_FUNCTION_NAME, "io.weft.bench.jmh.Traced.work")
        .startSpan();
    Scope scope = span.makeCurrent();
    try {
      return Traced.work(value++);
    } finally {
      scope.close();
      span.end();
    }
  }

  /** Sees every span end and keeps none of them. */
  static final class DiscardingProcessor implements SpanProcessor {
    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {}

    @Override
    public boolean isStartRequired() {
      return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {}

    @Override
    public boolean isEndRequired() {
      return true;
    }
  }
}
