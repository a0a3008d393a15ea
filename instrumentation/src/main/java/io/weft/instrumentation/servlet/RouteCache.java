package io.weft.instrumentation.servlet;

import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code http.route} and the span names built on it, computed once per context path and servlet
 * mapping pattern and then shared, so a request pays two map look-ups and no concatenation. Keys and
 * values are strings only: no webapp class or loader is held. Bounded: past the limits (a container
 * with thousands of contexts or patterns) names are computed per request instead. Agent class loader.
 */
final class RouteCache {

  static final int MAX_CONTEXTS = 256;
  static final int MAX_PATTERNS_PER_CONTEXT = 1024;

  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Route>> byContext = new ConcurrentHashMap<>();

  /** The route of a matched mapping pattern, or {@code null} when the pattern is unknown. */
  Route route(String contextPath, String pattern) {
    if (pattern == null) {
      return null;
    }
    String context = contextPath == null ? "" : contextPath;
    ConcurrentHashMap<String, Route> patterns = byContext.get(context);
    if (patterns == null) {
      if (byContext.size() >= MAX_CONTEXTS) {
        return Route.of(context, pattern);
      }
      patterns = byContext.computeIfAbsent(context, c -> new ConcurrentHashMap<>());
    }
    Route route = patterns.get(pattern);
    if (route == null) {
      route = Route.of(context, pattern);
      if (route != null && patterns.size() < MAX_PATTERNS_PER_CONTEXT) {
        Route raced = patterns.putIfAbsent(pattern, route);
        return raced != null ? raced : route;
      }
    }
    return route;
  }

  /** One route and its span names per normalized method. */
  static final class Route {
    final String route;
    private final ConcurrentHashMap<String, String> spanNames = new ConcurrentHashMap<>();

    private Route(String route) {
      this.route = route;
    }

    static Route of(String contextPath, String pattern) {
      String route = ServerSpanNaming.route(contextPath, pattern);
      return route == null ? null : new Route(route);
    }

    /** {@code GET /app/orders/*}; the method is one of the known set or {@code _OTHER}, so few. */
    String spanName(String normalizedMethod) {
      String name = spanNames.get(normalizedMethod);
      if (name == null) {
        name = ServerSpanNaming.spanName(normalizedMethod, route);
        spanNames.putIfAbsent(normalizedMethod, name);
      }
      return name;
    }
  }
}
