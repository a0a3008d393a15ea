package io.weft.instrumentation.methods;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.weft.bridge.MethodBridge;
import io.weft.instrumentation.FaultInjection;
import io.weft.instrumentation.InternalErrors;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;

/**
 * The agent-side half of configured-method tracing: starts an INTERNAL span (child of the current
 * context) and makes it current on enter; on exit records the error, ends the span and records the
 * duration histogram. Installed behind {@link MethodBridge}; never throws. Agent class loader.
 */
final class MethodTracer implements MethodBridge.Handler {

  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  private final MethodRegistry registry;
  private final Tracer tracer;
  private final DoubleHistogram duration;

  MethodTracer(MethodRegistry registry, Tracer tracer, DoubleHistogram duration) {
    this.registry = registry;
    this.tracer = tracer;
    this.duration = duration;
  }

  @Override
  public Object enter(int methodId) {
    try {
      MethodInfo info = registry.get(methodId);
      if (info == null) {
        return null;
      }
      FaultInjection.spanStart();
      Context parent = Context.current();
      Span span =
          tracer
              .spanBuilder(info.spanName)
              .setParent(parent)
              .setSpanKind(info.kind)
              .setAllAttributes(info.attributes)
              .startSpan();
      return new Call(info, span, parent.with(span).makeCurrent(), System.nanoTime(), this);
    } catch (Throwable failure) {
      InternalErrors.report("method span start", failure);
      return null;
    }
  }

  @Override
  public void exit(Object call, Throwable thrown) {
    try {
      Call c = (Call) call;
      c.scope.close();
      end(c, thrown);
    } catch (Throwable failure) {
      InternalErrors.report("method span end", failure);
    }
  }

  @Override
  public void exitAsync(Object call, Throwable thrown, Object returned) {
    if (thrown != null || !(returned instanceof CompletionStage)) {
      exit(call, thrown);
      return;
    }
    try {
      Call c = (Call) call;
      c.scope.close(); // the method has returned: its context ends here, the span when the stage does
      ((CompletionStage<?>) returned).whenComplete(c);
    } catch (Throwable failure) {
      InternalErrors.report("method span end", failure);
    }
  }

  void end(Call call, Throwable thrown) {
    FaultInjection.spanEnd();
    long nanos = System.nanoTime() - call.startNanos;
    Attributes metricAttributes = call.info.attributes;
    if (thrown != null) {
      String errorType = thrown.getClass().getName();
      call.span.recordException(thrown);
      call.span.setStatus(StatusCode.ERROR, thrown.getMessage() == null ? "" : thrown.getMessage());
      call.span.setAttribute(ERROR_TYPE, errorType);
      metricAttributes = metricAttributes.toBuilder().put(ERROR_TYPE, errorType).build();
    }
    call.span.end();
    duration.record(nanos / 1e9, metricAttributes);
  }

  /** One traced call between enter and exit; also the completion callback of an async result. */
  static final class Call implements BiConsumer<Object, Throwable> {
    final MethodInfo info;
    final Span span;
    final Scope scope;
    final long startNanos;
    private final MethodTracer tracer;

    Call(MethodInfo info, Span span, Scope scope, long startNanos, MethodTracer tracer) {
      this.info = info;
      this.span = span;
      this.scope = scope;
      this.startNanos = startNanos;
      this.tracer = tracer;
    }

    @Override
    public void accept(Object result, Throwable failure) {
      try {
        tracer.end(this, unwrap(failure));
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
