package servletfixtures;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test fixtures live outside io.weft, which the agent never weaves. A request and response of either servlet API as {@link Proxy}s over plain fields, so the weaving
 * tests need no container. Only what the tracer and {@code HttpServlet.service} read is answered.
 */
public final class FakeExchange {

  public final String pkg;
  public String method = "GET";
  public String uri = "/ctx/hello/x";
  public String query;
  public String contextPath = "/ctx";
  public String pattern = "/hello/*";
  public String dispatcherType = "REQUEST";
  public boolean asyncStarted;
  public int status = 200;
  public boolean committed;
  public final Map<String, List<String>> headers = new LinkedHashMap<>();
  public final Map<String, List<String>> responseHeaders = new LinkedHashMap<>();
  public final Map<String, Object> attributes = new HashMap<>();
  public final List<Object> listeners = new ArrayList<>();
  public Object asyncContext;
  public final Object request;
  public final Object response;

  public FakeExchange(String pkg) {
    this.pkg = pkg;
    this.request = proxy(pkg + ".http.HttpServletRequest", (p, m, a) -> onRequest(m.getName(), a));
    this.response = proxy(pkg + ".http.HttpServletResponse", (p, m, a) -> onResponse(m.getName(), a));
  }

  public FakeExchange header(String name, String value) {
    headers.computeIfAbsent(name.toLowerCase(), k -> new ArrayList<>()).add(value);
    return this;
  }

  /** The AsyncEvent to hand to a listener: only getAsyncContext and getThrowable are read. */
  public Object asyncEvent(Throwable failure) throws Exception {
    Class<?> event = Class.forName(pkg + ".AsyncEvent");
    Class<?> context = Class.forName(pkg + ".AsyncContext");
    Class<?> req = Class.forName(pkg + ".ServletRequest");
    Class<?> res = Class.forName(pkg + ".ServletResponse");
    return event.getConstructor(context, req, res, Throwable.class).newInstance(asyncContext, request, response, failure);
  }

  private Object proxy(String interfaceName, java.lang.reflect.InvocationHandler handler) {
    try {
      Class<?> type = Class.forName(interfaceName);
      return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  private Object onRequest(String name, Object[] args) throws Exception {
    switch (name) {
      case "getMethod": return method;
      case "getScheme": return "http";
      case "getRequestURI": return uri;
      case "getQueryString": return query;
      case "getServerName": return "localhost";
      case "getServerPort": return 8080;
      case "getRemoteAddr": return "10.0.0.1";
      case "getProtocol": return "HTTP/1.1";
      case "getContextPath": return contextPath;
      case "getHeader": {
        List<String> v = headers.get(((String) args[0]).toLowerCase());
        return v == null ? null : v.get(0);
      }
      case "getHeaders": return Collections.enumeration(headers.getOrDefault(((String) args[0]).toLowerCase(), List.of()));
      case "getHeaderNames": return Collections.enumeration(headers.keySet());
      case "getDateHeader": return -1L;
      case "getDispatcherType": {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Object type = Enum.valueOf((Class) Class.forName(pkg + ".DispatcherType"), dispatcherType);
        return type;
      }
      case "getAttribute": return attributes.get((String) args[0]);
      case "setAttribute": attributes.put((String) args[0], args[1]); return null;
      case "isAsyncStarted": return asyncStarted;
      case "getAsyncContext": return asyncContext;
      case "getHttpServletMapping": {
        Class<?> mapping = Class.forName(pkg + ".http.HttpServletMapping");
        return Proxy.newProxyInstance(mapping.getClassLoader(), new Class<?>[] {mapping},
            (p, m, a) -> m.getName().equals("getPattern") ? pattern : null);
      }
      case "hashCode": return System.identityHashCode(this);
      case "equals": return args[0] == request;
      case "toString": return "fake request " + uri;
      default: return null;
    }
  }

  private Object onResponse(String name, Object[] args) {
    switch (name) {
      case "getStatus": return status;
      case "setStatus":
      case "sendError": status = (Integer) args[0]; return null;
      case "isCommitted": return committed;
      case "getHeaders": return responseHeaders.getOrDefault(((String) args[0]).toLowerCase(), List.of());
      case "setHeader": responseHeaders.put(((String) args[0]).toLowerCase(), new ArrayList<>(List.of((String) args[1]))); return null;
      case "hashCode": return System.identityHashCode(this);
      case "equals": return args[0] == response;
      default: return null;
    }
  }
}
