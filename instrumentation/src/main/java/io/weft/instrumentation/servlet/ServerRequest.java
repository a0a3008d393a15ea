package io.weft.instrumentation.servlet;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.weft.instrumentation.InternalErrors;
import io.weft.instrumentation.trace.WeftContextStorage;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One traced request, from its outermost filter or servlet entry until its span ends: when that entry
 * returns, or, once the request went async, when the async cycle completes. For the async case it is
 * also the handler behind the {@code AsyncListener} proxy registered with the container. Agent class
 * loader.
 */
final class ServerRequest implements InvocationHandler {

  private static final AtomicIntegerFieldUpdater<ServerRequest> ENDED =
      AtomicIntegerFieldUpdater.newUpdater(ServerRequest.class, "ended");

  private final ServletTracer tracer;
  final ServletAccessor api;
  final Object request;
  final Object response;
  final Span span;
  final String method;
  final String scheme;
  /** The servlet mapping's route; null when the container does not tell the mapping (Servlet 3.x). */
  final RouteCache.Route servletRoute;
  /** {@code http.route}: the servlet route's, or at the end the one a framework refined it to. */
  String route;
  final String protocolVersion;
  final Attributes activeAttributes; // null unless http.server.active_requests is kept
  final long startNanos;
  Scope scope;
  /** How many attributes the tracer set on the span at the start (see {@link ServletTracer#end}). */
  int ownAttributes;
  private boolean listening; // only touched by the thread running a dispatch of this request
  private volatile Throwable asyncFailure;
  /**
   * The route template of the JAX-RS resource method the request went to, relative to the servlet ({@code
   * /users/{id}}); the first one entered wins. While {@link #locating}, the template so far of a chain of sub-resource
   * locators. Volatile: an async request ends on another thread.
   */
  private volatile String frameworkPattern;
  /** A locator set {@link #frameworkPattern} and no resource method has completed it yet. */
  private volatile boolean locating;
  /** Stands for a locator chain whose template outgrew {@link ServerSpanNaming#MAX_FRAMEWORK_PATTERN}: no route. */
  private static final String TOO_LONG = new String("too long");
  /** The async cycle's timeout in milliseconds once it has timed out; -1 until then. */
  volatile long timedOutAfter = -1;
  private volatile int ended;

  /** A JAX-RS resource method ({@code template} null for one of a sub-resource, {@code ownPath} its own path) runs. */
  void routeTo(String template, String ownPath) {
    if (locating) {
      extend(ownPath);
      locating = false;
    } else if (frameworkPattern == null && template != null) {
      frameworkPattern = template;
    }
  }

  /** A JAX-RS sub-resource locator runs: its template starts a chain, or its own path extends one. */
  void locate(String template, String ownPath) {
    if (locating) {
      extend(ownPath);
    } else if (frameworkPattern == null && template != null) {
      frameworkPattern = template;
      locating = true;
    }
  }

  private void extend(String ownPath) {
    String so = frameworkPattern;
    if (so == TOO_LONG || ownPath == null || ownPath.isEmpty()) {
      return;
    }
    frameworkPattern = so.length() + ownPath.length() > ServerSpanNaming.MAX_FRAMEWORK_PATTERN ? TOO_LONG : so + ownPath;
  }

  /** The JAX-RS template the request was dispatched by, or null (none, or a locator chain no resource method ended). */
  String frameworkTemplate() {
    String template = frameworkPattern;
    return locating || template == TOO_LONG ? null : template;
  }

  ServerRequest(ServletTracer tracer, ServletAccessor api, Object request, Object response, Span span, String method,
      String scheme, RouteCache.Route servletRoute, String protocolVersion, Attributes activeAttributes, long startNanos) {
    this.tracer = tracer;
    this.api = api;
    this.request = request;
    this.response = response;
    this.span = span;
    this.method = method;
    this.scheme = scheme;
    this.servletRoute = servletRoute;
    this.route = servletRoute == null ? null : servletRoute.route;
    this.protocolVersion = protocolVersion;
    this.activeAttributes = activeAttributes;
    this.startNanos = startNanos;
  }

  /** The outermost entry returned or threw. */
  void exit(Throwable thrown) throws Throwable {
    scope.close();
    if (thrown == null && api.isAsyncStarted(request)) {
      listenForCompletion();
      return;
    }
    end(thrown);
  }

  /**
   * Registers the completion listener once per request; the servlet specification delays {@code
   * onComplete} until the dispatch that called {@code startAsync} has returned, so registering here,
   * still inside that dispatch, misses nothing even when another thread already called {@code complete()}.
   */
  private void listenForCompletion() throws Throwable {
    if (listening) {
      return;
    }
    listening = true;
    api.setAttribute(request, ServletTracer.REQUEST_ATTRIBUTE, this);
    api.addListener(api.asyncContext(request), api.newAsyncListener(this));
  }

  /** Makes the span current again for an async or error dispatch of this request. */
  Object resume() {
    if (ended != 0) {
      return null;
    }
    return new Resumed(this, WeftContextStorage.makeCurrent(
        WeftContextStorage.currentContext().with(span).with(ServletTracer.REQUEST_KEY, this)));
  }

  private void end(Throwable thrown) {
    if (!ENDED.compareAndSet(this, 0, 1)) {
      return;
    }
    int status = 0;
    try {
      status = api.status(response);
      if (thrown != null && !api.isCommitted(response) && status < 500) {
        status = 500; // the container turns an escaping exception into a 500 after we have returned
      }
    } catch (Throwable failure) {
      InternalErrors.report("servlet response status", failure);
    }
    tracer.end(this, status, thrown);
  }

  // AsyncListener, through the proxy: onComplete, onError, onTimeout, onStartAsync
  @Override
  public Object invoke(Object proxy, Method m, Object[] args) {
    try {
      switch (m.getName()) {
        case "onComplete":
          end(asyncFailure);
          return null;
        case "onError":
          Throwable failure = api.eventThrowable(args[0]);
          if (failure != null) {
            asyncFailure = failure;
          }
          return null;
        case "onTimeout":
          // the container follows with an error dispatch (500 unless the application answers) and onComplete
          timedOutAfter = Math.max(0, api.asyncTimeout(api.eventAsyncContext(args[0])));
          return null;
        case "onStartAsync":
          // a new async cycle forgets its listeners: register again for it
          api.addListener(api.eventAsyncContext(args[0]), proxy);
          return null;
        case "hashCode":
          return System.identityHashCode(proxy);
        case "equals":
          return proxy == args[0];
        case "toString":
          return "weft AsyncListener for " + span.getSpanContext().getSpanId();
        default:
          return null;
      }
    } catch (Throwable failure) {
      InternalErrors.report("servlet async listener", failure);
      return null;
    }
  }

  /** A later dispatch of an already traced request: only the scope to close. */
  static final class Resumed {
    private final ServerRequest request;
    private final Scope scope;

    Resumed(ServerRequest request, Scope scope) {
      this.request = request;
      this.scope = scope;
    }

    void exit(Throwable thrown) throws Throwable {
      scope.close();
      if (thrown != null) {
        request.asyncFailure = thrown;
      }
      if (thrown == null && request.api.isAsyncStarted(request.request)) {
        request.listenForCompletion();
      }
    }
  }
}
