package io.weft.instrumentation.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RouteCacheTest {

  private final RouteCache routes = new RouteCache();

  @Test
  void aServletRouteIsComputedOncePerContextAndPattern() {
    RouteCache.Route route = routes.route("/app", "/api/*");
    assertEquals("/app/api/*", route.route);
    assertSame(route, routes.route("/app", "/api/*"));
    assertSame(route.spanName("GET"), route.spanName("GET"));
    assertEquals("GET /app/api/*", route.spanName("GET"));
    assertNull(routes.route("/app", null));
  }

  @Test
  void eachMethodGetsItsOwnNameWhicheverCameFirst() {
    RouteCache.Route route = routes.route("/app", "/orders");
    HttpMethods methods = HttpMethods.defaults();
    String get = route.spanName(methods.normalize("GET"));
    assertEquals("GET /app/orders", get);
    assertEquals("POST /app/orders", route.spanName(methods.normalize("POST")));
    assertSame(get, route.spanName(methods.normalize("GET")));
    assertEquals("POST /app/orders", route.spanName(methods.normalize("POST")));
    // an equal string that is not the normalized instance still gets its own name, from the map
    assertEquals("GET /app/orders", route.spanName(new String("GET".toCharArray())));
    assertEquals("HTTP /app/orders", route.spanName(methods.normalize("BREW")));
  }

  @Test
  void aWildcardRouteIsRefinedByAFrameworksPatternOncePerPattern() {
    RouteCache.Route servlet = routes.route("/app", "/api/*");
    assertTrue(servlet.refinable());
    RouteCache.Route refined = servlet.refine("/orders/{id}");
    assertEquals("/app/api/orders/{id}", refined.route);
    assertEquals("POST /app/api/orders/{id}", refined.spanName("POST"));
    assertSame(refined, servlet.refine(new String("/orders/{id}".toCharArray())), "one route per pattern, shared");
    assertFalse(refined.refinable(), "a framework's route is final");
    assertNull(servlet.refine(""));
    assertNull(servlet.refine(null));
  }

  @Test
  void anExactRouteIsNotRefined() {
    RouteCache.Route exact = routes.route("/app", "/orders");
    assertFalse(exact.refinable());
    assertNull(exact.refine("/orders/{id}"));
    assertFalse(routes.route("/app", "").refinable(), "the context root");
  }

  @Test
  void refinementsAreBoundedPerServletRouteAndTheServletRouteStandsBeyond() {
    RouteCache.Route servlet = routes.route("", "/");
    for (int i = 0; i < RouteCache.Route.MAX_REFINED; i++) {
      assertEquals("/p" + i, servlet.refine("/p" + i).route);
    }
    assertNull(servlet.refine("/one-too-many"), "a framework reporting paths as patterns must not explode http.route");
    assertEquals("/p0", servlet.refine("/p0").route, "the known ones still resolve");
  }
}
