package io.weft.instrumentation.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServerSpanNamingTest {

  @ParameterizedTest(name = "[{0}] + {1} -> {2}")
  @CsvSource(nullValues = "NULL", value = {
    // contextPath, pattern (Servlet 4 HttpServletMapping.getPattern()), route
    "'', /orders, /orders",
    "/app, /orders, /app/orders",
    "/app, /api/*, /app/api/*",
    "/app, *.do, /app/*.do",
    "'', *.do, /*.do",
    "/app, /, /app/*",
    "/app, /*, /app/*",
    "/app, '', /app/",
    "'', '', /",
    "NULL, /orders, /orders",
    "/, /orders, /orders",
    "/app/, /orders, /app/orders",
    "/app, NULL, NULL",
    "/app, orders, NULL",
    "/app, *., NULL",
    "/app, *.d/o, NULL",
    "/ünï, /cödé, /ünï/cödé",
  })
  void routeFromTheServletFourPattern(String contextPath, String pattern, String route) {
    assertEquals(route, ServerSpanNaming.route(contextPath, pattern));
  }

  @Test
  void routeIsThePatternItselfWithoutContextPath() {
    String pattern = new String("/api/*".toCharArray());
    assertSame(pattern, ServerSpanNaming.route("", pattern));
    assertSame(pattern, ServerSpanNaming.route(null, pattern));
  }

  @ParameterizedTest(name = "{1} + {2} in {3} -> {4}")
  @CsvSource(nullValues = "NULL", value = {
    // contextPath, servletPath, pathInfo, patterns ('|'-separated, ROOT for ""), route
    "/app, /orders, NULL, /orders|/api/*|*.do|/, /app/orders",
    "/app, /api, /v1/x, /orders|/api/*|*.do|/, /app/api/*",
    "/app, /api, NULL, /api/*, /app/api/*",
    "/app, /apix, NULL, /api/*|/, /app/*",
    "/app, /api/v1, /x, /api/*|/api/v1/*, /app/api/v1/*",
    "/app, /api, /v1/x, /api/v1/*|/api/*, /app/api/v1/*",
    "/app, /a/b.do, NULL, *.do|/, /app/*.do",
    "/app, /a.do/b, NULL, *.do|/, /app/*",
    "/app, /x.do, NULL, /*|*.do, /app/*",
    "/app, /api, /x.do, /api/*|*.do, /app/api/*",
    "/app, /orders, NULL, /orders|/orders/*, /app/orders",
    "/app, /missing, NULL, /orders|/, /app/*",
    "/app, /missing, NULL, /orders|*.do, NULL",
    "/app, '', /, ROOT|/, /app/",
    "/app, /, NULL, /, /app/*",
    "/app, '', /anything, /*, /app/*",
    "/app, NULL, NULL, /*, /app/*",
    "/app, NULL, NULL, /orders, NULL",
    "'', /orders/, NULL, /orders|/, /*",
  })
  void routeFromTheRegisteredPatterns(
      String contextPath, String servletPath, String pathInfo, String patterns, String route) {
    List<String> list = Arrays.asList(patterns.replace("ROOT", "").split("\\|", -1));
    assertEquals(route, ServerSpanNaming.routeFromPatterns(contextPath, servletPath, pathInfo, list));
  }

  @Test
  void matchedPatternIsTheRegisteredInstance() {
    String pattern = new String("/api/*".toCharArray());
    assertSame(pattern, ServerSpanNaming.matchPattern("/api", "/x", List.of("/other", pattern)));
  }

  @Test
  void noPatternsMeansDefaultServletAndNullMeansUnknown() {
    assertEquals("/app/*", ServerSpanNaming.routeFromPatterns("/app", "/x", null, List.of()));
    assertNull(ServerSpanNaming.routeFromPatterns("/app", "/x", null, null));
    Collection<String> withNull = new ArrayList<>(Arrays.asList(null, "/x"));
    assertEquals("/app/x", ServerSpanNaming.routeFromPatterns("/app", "/x", null, withNull));
  }

  @Test
  void hugePathsAreLinearAndHarmless() {
    String huge = "/a".repeat(1 << 19);
    assertEquals("/*", ServerSpanNaming.routeFromPatterns("", huge, huge, List.of("/a/*x", "*.do", "/")));
    assertEquals("/a/*", ServerSpanNaming.routeFromPatterns("", huge, null, List.of("/a/*")));
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(nullValues = "NULL", value = {
    "GET, /app/orders/*, GET /app/orders/*",
    "GET, NULL, GET",
    "_OTHER, /app/x, HTTP /app/x",
    "_OTHER, NULL, HTTP",
    "NULL, NULL, HTTP",
    "POST, /, POST /",
  })
  void spanName(String method, String route, String name) {
    assertEquals(name, ServerSpanNaming.spanName(method, route));
  }

  @Test
  void spanNameWithoutRouteIsTheMethodInstance() {
    String method = new String("GET".toCharArray());
    assertSame(method, ServerSpanNaming.spanName(method, null));
  }

  @ParameterizedTest(name = "[{0}] + {1}, framework pattern {2} -> {3}")
  @CsvSource(nullValues = "NULL", value = {
    // contextPath, servlet mapping pattern, framework's matched pattern (Spring MVC's), route
    "'', /, /orders/{id}, /orders/{id}",
    "/app, /, /orders/{id}, /app/orders/{id}",
    "/app/, /, /orders/{id}, /app/orders/{id}",
    "'', /*, /orders/{id}, /orders/{id}",
    "/app, /api/*, /orders/{id}, /app/api/orders/{id}",
    "'', /api/*, /orders/{id}, /api/orders/{id}",
    "/app, /api/v1/*, /**, /app/api/v1/**",
    "/app, *.do, /orders/{id}.do, /app/orders/{id}.do",
    "/app, /, orders, /app/orders",
    "'', /, orders, /orders",
    "/app, /, /, /app/",
    // an exact or context-root mapping is its own route; an unknown mapping gives no base
    "/app, /orders, /orders/{id}, NULL",
    "/app, '', /orders/{id}, NULL",
    "/app, NULL, /orders/{id}, NULL",
    // not a pattern to take
    "/app, /, '', NULL",
    "/app, /, NULL, NULL",
  })
  void routeFromAFrameworksPattern(String contextPath, String mapping, String pattern, String route) {
    assertEquals(route, ServerSpanNaming.frameworkRoute(ServerSpanNaming.frameworkBase(contextPath, mapping), pattern));
  }

  @Test
  void aFrameworkPatternPastTheLimitIsNoRoute() {
    String longest = "/" + "a".repeat(ServerSpanNaming.MAX_FRAMEWORK_PATTERN - 1);
    assertEquals(longest, ServerSpanNaming.frameworkRoute("", longest));
    assertNull(ServerSpanNaming.frameworkRoute("", longest + "a"));
  }

  @Test
  void aFrameworkPatternWithoutBaseIsItself() {
    String pattern = new String("/orders/{id}".toCharArray());
    assertSame(pattern, ServerSpanNaming.frameworkRoute("", pattern));
  }
}
