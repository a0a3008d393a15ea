package io.weft.instrumentation.servlet;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.weft.instrumentation.InternalErrors;
import io.weft.instrumentation.trace.ExceptionSignal;
import io.weft.instrumentation.trace.LeanSpan;
import io.weft.instrumentation.trace.LeanTracer;
import io.weft.instrumentation.trace.WeftContextStorage;
import java.lang.reflect.Method;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Controller spans ({@code otel.instrumentation.common.experimental.controller-telemetry.enabled}, the OpenTelemetry
 * agent's, off by default): the Spring MVC handler method a request went to, as an INTERNAL span named {@code
 * OrderController.get} under the server span, current while it runs, so what the handler does nests under it. The
 * handler is a Spring {@code HandlerMethod}, read by reflection once per class; names and attributes are made once
 * per controller class and method name. Agent class loader.
 */
final class ControllerSpans {

  static final AttributeKey<String> CODE_FUNCTION_NAME = AttributeKey.stringKey("code.function.name");
  /** Controller methods named per controller class, at most; beyond, a class's further methods are not traced. */
  static final int MAX_METHODS_PER_CLASS = 1024;

  private final LeanTracer tracer;

  ControllerSpans(LeanTracer tracer) {
    this.tracer = tracer;
  }

  /** Starts the span of {@code handler}'s method inside the current span; null when there is none, or no method. */
  Object start(Object handler) {
    try {
      Context parent = WeftContextStorage.currentContext();
      if (handler == null || !Span.fromContext(parent).getSpanContext().isValid()) {
        return null;
      }
      Shape shape = shape(handler);
      if (shape == null) {
        return null;
      }
      LeanSpan span = tracer.start(shape.spanName, SpanKind.INTERNAL, shape.attributes, parent, System.nanoTime());
      return span == null ? null : new Call(span, WeftContextStorage.makeCurrent(parent.with(span)));
    } catch (Throwable failure) {
      InternalErrors.report("controller span start", failure);
      return null;
    }
  }

  void end(Object call, Throwable thrown) {
    if (!(call instanceof Call)) {
      return;
    }
    Call c = (Call) call;
    try {
      c.scope.close();
      if (thrown != null) {
        Throwable failure = ServletTracer.cause(thrown);
        c.span.setAttribute(ServletTracer.ERROR_TYPE, failure.getClass().getName());
        c.span.setStatus(StatusCode.ERROR, LeanSpan.messageOf(failure));
        ExceptionSignal.record(c.span, failure, ServletTracer.INSTRUMENTATION_SCOPE, ExceptionSignal.GENERIC, Severity.ERROR);
      }
      c.span.end();
    } catch (Throwable failure) {
      InternalErrors.report("controller span end", failure);
    }
  }

  private static Shape shape(Object handler) throws ReflectiveOperationException {
    Method[] accessors = ACCESSORS.get(handler.getClass());
    if (accessors == null) {
      return null;
    }
    Class<?> beanType = (Class<?>) accessors[0].invoke(handler);
    Method method = (Method) accessors[1].invoke(handler);
    if (beanType == null || method == null) {
      return null;
    }
    ConcurrentHashMap<String, Shape> byName = SHAPES.get(beanType);
    Shape shape = byName.get(method.getName());
    if (shape == null) {
      shape = new Shape(beanType, method.getName());
      if (byName.size() < MAX_METHODS_PER_CLASS) {
        Shape raced = byName.putIfAbsent(method.getName(), shape);
        return raced != null ? raced : shape;
      }
    }
    return shape;
  }

  /** A controller method's span name and attributes. */
  static final class Shape {
    final String spanName;
    final Attributes attributes;

    Shape(Class<?> type, String methodName) {
      String name = type.getName();
      this.spanName = name.substring(name.lastIndexOf('.') + 1) + "." + methodName;
      this.attributes = Attributes.of(CODE_FUNCTION_NAME, name + "." + methodName);
    }
  }

  private static final class Call {
    final LeanSpan span;
    final Scope scope;

    Call(LeanSpan span, Scope scope) {
      this.span = span;
      this.scope = scope;
    }
  }

  /** A handler class's public {@code getBeanType()} and {@code getMethod()} (Spring's {@code HandlerMethod}); null without. */
  private static final ClassValue<Method[]> ACCESSORS = new ClassValue<Method[]>() {
    @Override
    protected Method[] computeValue(Class<?> type) {
      try {
        Method beanType = type.getMethod("getBeanType");
        Method method = type.getMethod("getMethod");
        return beanType.getReturnType() == Class.class && method.getReturnType() == Method.class ? new Method[] {beanType, method} : null;
      } catch (NoSuchMethodException | RuntimeException | LinkageError e) {
        return null; // another kind of handler (a Controller, an HttpRequestHandler): no span
      }
    }
  };

  /** Per controller class, its methods' shapes by name (overloads share one); a class value, so no class is kept alive. */
  private static final ClassValue<ConcurrentHashMap<String, Shape>> SHAPES = new ClassValue<ConcurrentHashMap<String, Shape>>() {
    @Override
    protected ConcurrentHashMap<String, Shape> computeValue(Class<?> type) {
      return new ConcurrentHashMap<>();
    }
  };
}
