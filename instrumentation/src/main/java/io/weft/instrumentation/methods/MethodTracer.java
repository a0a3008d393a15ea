package io.weft.instrumentation.methods;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.weft.bridge.MethodBridge;
import io.weft.instrumentation.FaultInjection;
import io.weft.instrumentation.InternalErrors;
import io.weft.instrumentation.trace.ExceptionSignal;
import io.weft.instrumentation.trace.LeanSpan;
import io.weft.instrumentation.trace.LeanTracer;
import io.weft.instrumentation.trace.SpanHistogram;
import io.weft.instrumentation.trace.SpanScope;
import io.weft.instrumentation.trace.WeftContextStorage;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;

/**
 * The agent-side half of configured-method tracing. On enter it asks the {@link LeanTracer} for a span
 * under the current context: a sampled call gets a span, made current, and its {@link LeanSpan} is the
 * call; a call that is not sampled allocates nothing and its {@link MethodInfo} is the call. On exit
 * every call records its duration (so the histogram is complete under any sampling) and a sampled one
 * records the error and ends its span. The advice keeps the start time in a local variable. Without
 * the duration metric ({@code duration} null) a call that is not sampled is not recorded at all: the
 * woven code reads no clock ({@link MethodBridge#clock} gives 0), {@link #enter} returns null, and a
 * sampled call's start is read when its span is made ({@link LeanTracer#start}). Installed behind
 * {@link MethodBridge}; never throws. Agent class loader.
 */
final class MethodTracer implements MethodBridge.Handler {

  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  private final MethodRegistry registry;
  private final LeanTracer tracer;
  private final DoubleHistogram duration; // null: no method metric, only sampled calls are timed
  /** A call not sampled is ended too: for the metric, or for the log record of its exception. */
  private final boolean endUnsampled;

  MethodTracer(MethodRegistry registry, LeanTracer tracer, DoubleHistogram duration) {
    this.registry = registry;
    this.tracer = tracer;
    this.duration = duration;
    this.endUnsampled = duration != null || ExceptionSignal.asLogs();
  }

  @Override
  public Object enter(int methodId, long startNanos) {
    try {
      MethodInfo info = registry.get(methodId);
      if (info == null) {
        return null;
      }
      FaultInjection.spanStart();
      WeftContextStorage.Slot slot = WeftContextStorage.slot();
      Context parent = slot != null ? slot.context() : WeftContextStorage.currentContext();
      LeanSpan span = tracer.start(info.spanName, info.kind, info.attributes, parent, startNanos);
      if (span == null) {
        // not sampled: the context stays as it is, only the duration is recorded (if there is a metric) and an
        // exception's log record made (if exceptions are logged)
        return endUnsampled ? info : null;
      }
      span.owner = info;
      span.scope = slot != null ? SpanScope.makeCurrent(slot, parent, span) : WeftContextStorage.makeCurrent(parent.with(span));
      return span;
    } catch (Throwable failure) {
      InternalErrors.report("method span start", failure);
      return null;
    }
  }

  @Override
  public void exit(Object call, long startNanos, Throwable thrown) {
    try {
      if (call instanceof LeanSpan) {
        ((LeanSpan) call).scope.close();
      }
      end(call, startNanos, System.nanoTime(), thrown);
    } catch (Throwable failure) {
      InternalErrors.report("method span end", failure);
    }
  }

  @Override
  public void exitAsync(Object call, long startNanos, Throwable thrown, Object returned) {
    if (thrown != null || !(returned instanceof CompletionStage)) {
      exit(call, startNanos, thrown);
      return;
    }
    try {
      if (call instanceof LeanSpan) {
        // the method has returned: its context ends here, the span when the stage does
        ((LeanSpan) call).scope.close();
      }
      ((CompletionStage<?>) returned).whenComplete(new AsyncEnd(this, call, startNanos));
    } catch (Throwable failure) {
      InternalErrors.report("method span end", failure);
    }
  }

  /** {@code call} is what {@link #enter} returned: a sampled call's span, or the method of one not sampled. */
  void end(Object call, long startNanos, long endNanos, Throwable thrown) {
    LeanSpan span = call instanceof LeanSpan ? (LeanSpan) call : null;
    MethodInfo info = span != null ? (MethodInfo) span.owner : call instanceof MethodInfo ? (MethodInfo) call : null;
    if (info == null) {
      return;
    }
    FaultInjection.spanEnd();
    String errorType = thrown == null ? null : thrown.getClass().getName();
    if (thrown != null) {
      ExceptionSignal.record(span, thrown, MethodsInstrumentation.INSTRUMENTATION_SCOPE, ExceptionSignal.GENERIC,
          ExceptionSignal.methodSeverity(span));
    }
    if (span != null) {
      if (thrown != null) {
        span.setStatus(StatusCode.ERROR, LeanSpan.messageOf(thrown));
        span.setAttribute(ERROR_TYPE, errorType);
      }
      span.endAt(endNanos);
    }
    if (duration != null) {
      Attributes metricAttributes =
          errorType == null ? info.attributes : info.attributes.toBuilder().put(ERROR_TYPE, errorType).build();
      SpanHistogram.record(duration, (endNanos - startNanos) / 1e9, metricAttributes, span);
    }
  }

  /** The completion callback of a method that returned a {@code CompletionStage}. */
  private static final class AsyncEnd implements BiConsumer<Object, Throwable> {
    private final MethodTracer tracer;
    private final Object call;
    private final long startNanos;

    AsyncEnd(MethodTracer tracer, Object call, long startNanos) {
      this.tracer = tracer;
      this.call = call;
      this.startNanos = startNanos;
    }

    @Override
    public void accept(Object result, Throwable failure) {
      try {
        tracer.end(call, startNanos, System.nanoTime(), unwrap(failure));
      } catch (Throwable e) {
        InternalErrors.report("async method span end", e);
      }
    }

    private static Throwable unwrap(Throwable failure) {
      if ((failure instanceof CompletionException || failure instanceof ExecutionException)
          && failure.getCause() != null) {
        return failure.getCause();
      }
      return failure;
    }
  }
}
