package io.weft.instrumentation.servlet;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.weft.instrumentation.InternalErrors;
import io.weft.instrumentation.trace.CodeShape;
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
 * per controller class and method name. View spans ({@code ...view-telemetry.enabled}, off by default too): the
 * rendering of the request's view, {@code Render greeting}, named after the view's name (or, for a view object, its
 * class). Agent class loader.
 */
final class ControllerSpans {

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
      CodeShape shape = shape(handler);
      if (shape == null) {
        return null;
      }
      return startCurrent(shape.spanName, shape.attributes, parent);
    } catch (Throwable failure) {
      InternalErrors.report("controller span start", failure);
      return null;
    }
  }

  /** Shapes by function name ({@code com.example.OrderResource.order}), for methods that pass their own name. */
  private static final ConcurrentHashMap<String, CodeShape> NAMED = new ConcurrentHashMap<>();

  static final int MAX_NAMED = 4096;

  /**
   * Starts the span of the method {@code function} names ({@code com.example.OrderResource.order}, a constant woven
   * into it) inside the current span; null when there is none.
   */
  Object startNamed(String function) {
    try {
      Context parent = WeftContextStorage.currentContext();
      if (function == null || !Span.fromContext(parent).getSpanContext().isValid()) {
        return null;
      }
      CodeShape shape = NAMED.get(function);
      if (shape == null) {
        int dot = function.lastIndexOf('.');
        shape = new CodeShape(function.substring(0, Math.max(dot, 0)), function.substring(dot + 1));
        if (NAMED.size() < MAX_NAMED) {
          NAMED.putIfAbsent(function, shape);
        }
      }
      return startCurrent(shape.spanName, shape.attributes, parent);
    } catch (Throwable failure) {
      InternalErrors.report("controller span start", failure);
      return null;
    }
  }

  /** Starts the span of rendering {@code modelAndView}'s view inside the current span; null when there is none. */
  Object startView(Object modelAndView) {
    try {
      Context parent = WeftContextStorage.currentContext();
      if (modelAndView == null || !Span.fromContext(parent).getSpanContext().isValid()) {
        return null;
      }
      String name = viewName(modelAndView);
      if (name == null) {
        return null;
      }
      String spanName = VIEW_NAMES.get(name);
      if (spanName == null) {
        spanName = "Render " + name;
        if (VIEW_NAMES.size() < MAX_VIEW_NAMES) {
          VIEW_NAMES.putIfAbsent(name, spanName);
        }
      }
      return startCurrent(spanName, Attributes.empty(), parent);
    } catch (Throwable failure) {
      InternalErrors.report("view span start", failure);
      return null;
    }
  }

  /** The view's name, else its view object's simple class name; null when neither (Spring's ModelAndView, by reflection). */
  private static String viewName(Object modelAndView) throws ReflectiveOperationException {
    Method[] accessors = VIEW_ACCESSORS.get(modelAndView.getClass());
    if (accessors == null) {
      return null;
    }
    Object name = accessors[0].invoke(modelAndView);
    if (name instanceof String) {
      return (String) name;
    }
    Object view = accessors[1].invoke(modelAndView);
    if (view == null) {
      return null;
    }
    String type = view.getClass().getName();
    return type.substring(type.lastIndexOf('.') + 1);
  }

  /** An INTERNAL span under {@code parent}, current until {@link #end}; null when it is not sampled. */
  private Object startCurrent(String spanName, Attributes attributes, Context parent) {
    LeanSpan span = tracer.start(spanName, SpanKind.INTERNAL, attributes, parent, System.nanoTime());
    return span == null ? null : new Call(span, WeftContextStorage.makeCurrent(parent.with(span)));
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

  private static CodeShape shape(Object handler) throws ReflectiveOperationException {
    Method[] accessors = ACCESSORS.get(handler.getClass());
    if (accessors == null) {
      return null;
    }
    Class<?> beanType = (Class<?>) accessors[0].invoke(handler);
    Method method = (Method) accessors[1].invoke(handler);
    if (beanType == null || method == null) {
      return null;
    }
    ConcurrentHashMap<String, CodeShape> byName = SHAPES.get(beanType);
    CodeShape shape = byName.get(method.getName());
    if (shape == null) {
      shape = new CodeShape(beanType, method.getName());
      if (byName.size() < MAX_METHODS_PER_CLASS) {
        CodeShape raced = byName.putIfAbsent(method.getName(), shape);
        return raced != null ? raced : shape;
      }
    }
    return shape;
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

  /** View names told apart at most; beyond, further names are spelled out per request (their span names are not kept). */
  static final int MAX_VIEW_NAMES = 1024;
  private static final ConcurrentHashMap<String, String> VIEW_NAMES = new ConcurrentHashMap<>();

  /** A model-and-view class's public {@code getViewName()} and {@code getView()} (Spring's {@code ModelAndView}); null without. */
  private static final ClassValue<Method[]> VIEW_ACCESSORS = new ClassValue<Method[]>() {
    @Override
    protected Method[] computeValue(Class<?> type) {
      try {
        return new Method[] {type.getMethod("getViewName"), type.getMethod("getView")};
      } catch (NoSuchMethodException | RuntimeException | LinkageError e) {
        return null;
      }
    }
  };

  /** Per controller class, its methods' shapes by name (overloads share one); a class value, so no class is kept alive. */
  private static final ClassValue<ConcurrentHashMap<String, CodeShape>> SHAPES = new ClassValue<ConcurrentHashMap<String, CodeShape>>() {
    @Override
    protected ConcurrentHashMap<String, CodeShape> computeValue(Class<?> type) {
      return new ConcurrentHashMap<>();
    }
  };
}
