package io.weft.instrumentation.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The servlet calls, as constants of a hidden class and through the handles array, against stand-in
 * requests and responses of both servlet APIs: each call reaches the method it names with its
 * arguments, and an exception the container throws comes out unchanged.
 */
class ServletCallsTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"javax.servlet", "jakarta.servlet"})
  void everyCallReachesItsMethodWithItsArguments(String pkg) throws Throwable {
    Class<?> requestType = Class.forName(pkg + ".http.HttpServletRequest");
    Class<?> responseType = Class.forName(pkg + ".http.HttpServletResponse");
    List<String> calledOnRequest = new ArrayList<>();
    Object dispatch = Enum.valueOf(enumType(pkg + ".DispatcherType"), "ASYNC");
    Map<String, Object> answers = Map.ofEntries(
        Map.entry("getMethod", "PATCH"), Map.entry("getScheme", "https"), Map.entry("getRequestURI", "/a/b"),
        Map.entry("getQueryString", "q=1"), Map.entry("getServerName", "example.test"), Map.entry("getServerPort", 8443),
        Map.entry("getRemoteAddr", "10.0.0.7"), Map.entry("getProtocol", "HTTP/1.1"), Map.entry("getContextPath", "/a"),
        Map.entry("getDispatcherType", dispatch), Map.entry("isAsyncStarted", true));
    Object request = Proxy.newProxyInstance(requestType.getClassLoader(), new Class<?>[] {requestType}, (proxy, m, args) -> {
      calledOnRequest.add(m.getName() + (args == null ? "" : List.of(args).toString()));
      switch (m.getName()) {
        case "getHeader":
          return "h:" + args[0];
        case "getHeaders":
          return Collections.enumeration(List.of("v1:" + args[0], "v2"));
        case "getHeaderNames":
          return Collections.enumeration(List.of("traceparent"));
        case "getAttribute":
          return "attr:" + args[0];
        case "getHttpServletMapping":
          return null; // the mapping pattern then fails inside the container: below
        default:
          return answers.get(m.getName());
      }
    });
    Object response = Proxy.newProxyInstance(responseType.getClassLoader(), new Class<?>[] {responseType}, (proxy, m, args) -> {
      switch (m.getName()) {
        case "getStatus":
          return 418;
        case "isCommitted":
          return true;
        case "getHeaders":
          return List.of("r:" + args[0]);
        default:
          throw new IllegalStateException("container says no to " + m.getName());
      }
    });

    MethodHandle[] handles = ServletAccessor.handles(requestType);
    for (ServletCalls calls : List.of(ServletCalls.of(handles), ServletCalls.viaHandles(handles))) {
      calledOnRequest.clear();
      assertEquals("PATCH", calls.method(request));
      assertEquals("https", calls.scheme(request));
      assertEquals("/a/b", calls.requestUri(request));
      assertEquals("q=1", calls.queryString(request));
      assertEquals("example.test", calls.serverName(request));
      assertEquals(8443, calls.serverPort(request));
      assertEquals("10.0.0.7", calls.remoteAddr(request));
      assertEquals("HTTP/1.1", calls.protocol(request));
      assertEquals("/a", calls.contextPath(request));
      assertEquals("h:user-agent", calls.header(request, "user-agent"));
      assertEquals(List.of("v1:x", "v2"), Collections.list(calls.headers(request, "x")));
      assertEquals(List.of("traceparent"), Collections.list(calls.headerNames(request)));
      assertSame(dispatch, calls.dispatcherType(request));
      assertEquals("attr:k", calls.attribute(request, "k"));
      calls.setAttribute(request, "k2", 42);
      assertTrue(calls.isAsyncStarted(request));
      assertNull(calls.asyncContext(request));
      assertThrows(NullPointerException.class, () -> calls.mappingPattern(request), "getPattern on the null mapping");
      assertEquals(418, calls.status(response));
      assertTrue(calls.isCommitted(response));
      assertEquals(List.of("r:content-type"), new ArrayList<>(calls.responseHeaders(response, "content-type")));
      assertThrows(ClassCastException.class, () -> calls.setAttribute(response, "x", 1), "a response is not a request");
      assertTrue(calledOnRequest.contains("setAttribute[k2, 42]"), calledOnRequest.toString());
      IllegalStateException refused = new IllegalStateException("the container's own failure");
      Object failing = Proxy.newProxyInstance(requestType.getClassLoader(), new Class<?>[] {requestType}, (proxy, m, args) -> {
        throw refused;
      });
      assertSame(refused, assertThrows(IllegalStateException.class, () -> calls.method(failing)), "passed through unchanged");
    }
    assertEquals(Runtime.version().feature() >= 16, ServletCalls.of(handles).constant(),
        "a hidden class with the handles as constants wherever the JVM has class data (16+)");
  }

  @Test
  void handlesOfTheWrongShapeAreRefused() throws Throwable {
    MethodHandle[] handles = ServletAccessor.handles(Class.forName("jakarta.servlet.http.HttpServletRequest"));
    MethodHandle[] swapped = handles.clone();
    swapped[0] = handles[5]; // getServerPort's (Object)int where getMethod's (Object)String belongs
    assertThrows(IllegalArgumentException.class, () -> ServletCalls.of(swapped));
    assertThrows(IllegalArgumentException.class, () -> ServletCalls.of(new MethodHandle[3]));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Class<Enum> enumType(String name) throws ClassNotFoundException {
    return (Class<Enum>) Class.forName(name);
  }
}
