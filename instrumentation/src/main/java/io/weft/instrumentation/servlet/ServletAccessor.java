package io.weft.instrumentation.servlet;

import io.opentelemetry.context.propagation.TextMapGetter;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;

/**
 * Reads requests, responses and async events of one copy of the servlet API (javax or jakarta, in
 * whichever loader the container has it) through method handles found once per copy, so per request
 * nothing is looked up and nothing is boxed; the handles are called as constants the JIT inlines
 * where the JVM allows it ({@link ServletCalls}). The agent's parent is the platform loader and never sees
 * servlet classes: the API is found from the request object's class. Values are kept in {@link
 * ClassValue}s, which live with the classes they describe, so no container or webapp loader is held.
 * Agent class loader.
 */
final class ServletAccessor implements TextMapGetter<Object> {

  /** One accessor per loaded {@code HttpServletRequest} interface. */
  private static final ClassValue<ServletAccessor> BY_API =
      new ClassValue<ServletAccessor>() {
        @Override
        protected ServletAccessor computeValue(Class<?> httpServletRequest) {
          try {
            return new ServletAccessor(httpServletRequest);
          } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            throw new IllegalStateException("servlet API in " + httpServletRequest.getClassLoader() + " unusable: " + e, e);
          }
        }
      };

  /** The accessor for a request class; {@link #NONE} when it is not an HTTP servlet request. */
  private static final ClassValue<ServletAccessor> BY_REQUEST_CLASS =
      new ClassValue<ServletAccessor>() {
        @Override
        protected ServletAccessor computeValue(Class<?> requestClass) {
          Class<?> api = findInterface(requestClass);
          return api == null ? NONE : BY_API.get(api);
        }
      };

  private static final ServletAccessor NONE = new ServletAccessor();

  private final ServletCalls calls;
  private final boolean hasMappingPattern; // Servlet 4+
  /** Servlet 3.x: each context's mappings, read once, to tell which pattern a request matched. */
  private final ServletMappings.PerContext mappings;
  private final Class<?> asyncListener;
  final Object requestDispatch;

  private ServletAccessor() {
    calls = null;
    hasMappingPattern = false;
    mappings = null;
    asyncListener = null;
    requestDispatch = null;
  }

  private ServletAccessor(Class<?> request) throws ReflectiveOperationException {
    String pkg = request.getName().substring(0, request.getName().length() - ".http.HttpServletRequest".length());
    ClassLoader loader = request.getClassLoader();
    Class<?> dispatcherType = Class.forName(pkg + ".DispatcherType", false, loader);
    asyncListener = Class.forName(pkg + ".AsyncListener", false, loader);
    MethodHandle[] handles = handles(request);
    hasMappingPattern = handles[ServletCalls.NAMES.indexOf("mappingPattern")] != null;
    mappings = hasMappingPattern ? null : new ServletMappings.PerContext(pkg, loader);
    calls = ServletCalls.of(handles);
    requestDispatch = enumConstant(dispatcherType, "REQUEST");
  }

  /** The handles of one servlet API, found from its {@code HttpServletRequest}, in {@link ServletCalls#NAMES} order. */
  static MethodHandle[] handles(Class<?> request) throws ReflectiveOperationException {
    String pkg = request.getName().substring(0, request.getName().length() - ".http.HttpServletRequest".length());
    ClassLoader loader = request.getClassLoader();
    Class<?> servletRequest = Class.forName(pkg + ".ServletRequest", false, loader);
    Class<?> response = Class.forName(pkg + ".http.HttpServletResponse", false, loader);
    Class<?> asyncContext = Class.forName(pkg + ".AsyncContext", false, loader);
    Class<?> asyncEvent = Class.forName(pkg + ".AsyncEvent", false, loader);
    Class<?> dispatcherType = Class.forName(pkg + ".DispatcherType", false, loader);
    Class<?> asyncListener = Class.forName(pkg + ".AsyncListener", false, loader);
    return new MethodHandle[] {
        string(request, "getMethod"),
        string(servletRequest, "getScheme"),
        string(request, "getRequestURI"),
        string(request, "getQueryString"),
        string(servletRequest, "getServerName"),
        handle(servletRequest, "getServerPort", int.class),
        string(servletRequest, "getRemoteAddr"),
        string(servletRequest, "getProtocol"),
        string(request, "getContextPath"),
        handle(request, "getHeader", String.class, String.class),
        handle(request, "getHeaders", Enumeration.class, String.class),
        handle(request, "getHeaderNames", Enumeration.class),
        handle(servletRequest, "getDispatcherType", dispatcherType),
        handle(servletRequest, "getAttribute", Object.class, String.class),
        handle(servletRequest, "setAttribute", void.class, String.class, Object.class),
        handle(servletRequest, "isAsyncStarted", boolean.class),
        handle(servletRequest, "getAsyncContext", asyncContext),
        mappingPattern(pkg, loader, request),
        handle(response, "getStatus", int.class),
        handle(response, "isCommitted", boolean.class),
        handle(response, "getHeaders", Collection.class, String.class),
        handle(asyncContext, "addListener", void.class, asyncListener),
        handle(asyncEvent, "getThrowable", Throwable.class),
        handle(asyncEvent, "getAsyncContext", asyncContext),
        handle(servletRequest, "getParameterValues", String[].class, String.class),
        handle(asyncContext, "getTimeout", long.class),
        string(request, "getServletPath"),
        string(request, "getPathInfo"),
        handle(servletRequest, "getServletContext", Class.forName(pkg + ".ServletContext", false, loader))};
  }

  /** The accessor for this request, or {@code null} when it is not an HTTP servlet request. */
  static ServletAccessor forRequest(Object request) {
    if (request == null) {
      return null;
    }
    ServletAccessor accessor = BY_REQUEST_CLASS.get(request.getClass());
    return accessor == NONE ? null : accessor;
  }

  private static Class<?> findInterface(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      Class<?> found = findInInterfaces(c.getInterfaces());
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private static Class<?> findInInterfaces(Class<?>[] interfaces) {
    for (Class<?> i : interfaces) {
      String name = i.getName();
      if (name.equals("javax.servlet.http.HttpServletRequest")
          || name.equals("jakarta.servlet.http.HttpServletRequest")) {
        return i;
      }
      Class<?> found = findInInterfaces(i.getInterfaces());
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  // Servlet 4+: HttpServletRequest.getHttpServletMapping().getPattern(), folded into one handle
  private static MethodHandle mappingPattern(String pkg, ClassLoader loader, Class<?> request) {
    try {
      Class<?> mapping = Class.forName(pkg + ".http.HttpServletMapping", false, loader);
      MethodHandle getMapping =
          MethodHandles.publicLookup().findVirtual(request, "getHttpServletMapping", MethodType.methodType(mapping));
      MethodHandle getPattern =
          MethodHandles.publicLookup().findVirtual(mapping, "getPattern", MethodType.methodType(String.class));
      return MethodHandles.filterReturnValue(getMapping, getPattern)
          .asType(MethodType.methodType(String.class, Object.class));
    } catch (ReflectiveOperationException | LinkageError servlet3) {
      return null;
    }
  }

  private static MethodHandle string(Class<?> owner, String name) throws ReflectiveOperationException {
    return handle(owner, name, String.class);
  }

  /** A virtual handle with its receiver (and any servlet-typed parameter) widened to {@code Object}. */
  private static MethodHandle handle(Class<?> owner, String name, Class<?> returns, Class<?>... parameters)
      throws ReflectiveOperationException {
    MethodHandle h = MethodHandles.publicLookup().findVirtual(owner, name, MethodType.methodType(returns, parameters));
    Class<?>[] erased = new Class<?>[parameters.length + 1];
    erased[0] = Object.class;
    for (int i = 0; i < parameters.length; i++) {
      erased[i + 1] = parameters[i].isPrimitive() || parameters[i] == String.class ? parameters[i] : Object.class;
    }
    Class<?> erasedReturn = returns.isPrimitive() || returns == String.class || returns == Throwable.class
        || returns == Enumeration.class || returns == Collection.class ? returns : Object.class;
    return h.asType(MethodType.methodType(erasedReturn, erased));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object enumConstant(Class<?> enumType, String name) {
    return Enum.valueOf((Class) enumType, name);
  }

  /** Whether the servlet API's calls are inlinable constants (see {@link ServletCalls}). */
  boolean constantCalls() {
    return calls.constant();
  }

  String method(Object request) throws Throwable {
    return calls.method(request);
  }

  String scheme(Object request) throws Throwable {
    return calls.scheme(request);
  }

  String requestUri(Object request) throws Throwable {
    return calls.requestUri(request);
  }

  String queryString(Object request) throws Throwable {
    return calls.queryString(request);
  }

  String serverName(Object request) throws Throwable {
    return calls.serverName(request);
  }

  int serverPort(Object request) throws Throwable {
    return calls.serverPort(request);
  }

  String remoteAddr(Object request) throws Throwable {
    return calls.remoteAddr(request);
  }

  String protocol(Object request) throws Throwable {
    return calls.protocol(request);
  }

  String contextPath(Object request) throws Throwable {
    return calls.contextPath(request);
  }

  String header(Object request, String name) throws Throwable {
    return calls.header(request, name);
  }

  /** The request parameter's values (query string, and a form body the container parses), or null. */
  String[] parameterValues(Object request, String name) throws Throwable {
    return (String[]) calls.parameterValues(request, name);
  }

  @SuppressWarnings("unchecked")
  Enumeration<String> headers(Object request, String name) throws Throwable {
    return (Enumeration<String>) calls.headers(request, name);
  }

  Object dispatcherType(Object request) throws Throwable {
    return calls.dispatcherType(request);
  }

  Object attribute(Object request, String name) throws Throwable {
    return calls.attribute(request, name);
  }

  void setAttribute(Object request, String name, Object value) throws Throwable {
    calls.setAttribute(request, name, value);
  }

  boolean isAsyncStarted(Object request) throws Throwable {
    return calls.isAsyncStarted(request);
  }

  Object asyncContext(Object request) throws Throwable {
    return calls.asyncContext(request);
  }

  /**
   * The matched servlet mapping's pattern, or {@code null}: Servlet 4+ tells it; on Servlet 3.x it is worked out
   * from the request's servlet path and path info and the context's mappings ({@link ServletMappings}).
   */
  String mappingPattern(Object request) throws Throwable {
    if (hasMappingPattern) {
      return calls.mappingPattern(request);
    }
    String servletPath = calls.servletPath(request);
    if (servletPath == null) {
      return null;
    }
    String pathInfo = calls.pathInfo(request);
    return ServletMappings.pattern(servletPath, pathInfo, pathInfo != null ? null : mappings.of(calls.servletContext(request)));
  }

  int status(Object response) throws Throwable {
    return calls.status(response);
  }

  boolean isCommitted(Object response) throws Throwable {
    return calls.isCommitted(response);
  }

  @SuppressWarnings("unchecked")
  Collection<String> responseHeaders(Object response, String name) throws Throwable {
    return (Collection<String>) calls.responseHeaders(response, name);
  }

  void addListener(Object asyncContext, Object listener) throws Throwable {
    calls.addListener(asyncContext, listener);
  }

  Throwable eventThrowable(Object event) throws Throwable {
    return calls.eventThrowable(event);
  }

  Object eventAsyncContext(Object event) throws Throwable {
    return calls.eventAsyncContext(event);
  }

  long asyncTimeout(Object asyncContext) throws Throwable {
    return calls.asyncTimeout(asyncContext);
  }

  /**
   * An {@code AsyncListener} made as a {@link Proxy} in the servlet API's own loader, so nothing is
   * injected into the container or the webapp.
   */
  Object newAsyncListener(InvocationHandler handler) {
    return Proxy.newProxyInstance(asyncListener.getClassLoader(), new Class<?>[] {asyncListener}, handler);
  }

  // TextMapGetter: the propagators read the incoming trace headers through here

  @Override
  public Iterable<String> keys(Object request) {
    try {
      @SuppressWarnings("unchecked")
      Enumeration<String> names = (Enumeration<String>) calls.headerNames(request);
      return names == null ? Collections.<String>emptyList() : Collections.list(names);
    } catch (Throwable e) {
      return Collections.emptyList();
    }
  }

  @Override
  public String get(Object request, String key) {
    try {
      return request == null ? null : calls.header(request, key);
    } catch (Throwable e) {
      return null;
    }
  }
}
