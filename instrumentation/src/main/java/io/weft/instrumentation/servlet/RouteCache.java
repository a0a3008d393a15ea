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

  /**
   * One route and its span names per normalized method. A route that covers many paths (the default
   * servlet, {@code /*}, a {@code /prefix/*} or {@code *.ext} mapping) may be refined at the end of a request
   * by the pattern a framework dispatching under it matched ({@link #refine}); an exact mapping is already as
   * precise as a route gets.
   */
  static final class Route {
    /** How many framework patterns one servlet route refines into; beyond, the servlet route is kept. */
    static final int MAX_REFINED = 1024;

    final String route;
    /** What a framework's pattern is relative to (context path and servlet prefix); null: not refined. */
    private final String base;
    private final ConcurrentHashMap<String, String> spanNames = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Route> refined;
    private NameOf first;

    private Route(String route, String base) {
      this.route = route;
      this.base = base;
      this.refined = base == null ? null : new ConcurrentHashMap<>();
    }

    static Route of(String contextPath, String pattern) {
      String route = ServerSpanNaming.route(contextPath, pattern);
      return route == null ? null : new Route(route, ServerSpanNaming.frameworkBase(contextPath, pattern));
    }

    /** Whether a framework's pattern can make this route more precise. */
    boolean refinable() {
      return base != null;
    }

    /**
     * The route a framework's matched {@code pattern} gives under this servlet route, computed once per pattern;
     * {@code null} when this route is not refinable, the pattern is not a path pattern, or this route already holds
     * {@value #MAX_REFINED} others (a framework that reports the request's path as its pattern must not make
     * {@code http.route} a path: the servlet route stands then).
     */
    Route refine(String pattern) {
      if (refined == null || pattern == null) {
        return null;
      }
      Route known = refined.get(pattern);
      if (known != null) {
        return known;
      }
      if (refined.size() >= MAX_REFINED) {
        return null;
      }
      String route = ServerSpanNaming.frameworkRoute(base, pattern);
      if (route == null) {
        return null;
      }
      Route made = new Route(route, null);
      Route raced = refined.putIfAbsent(pattern, made);
      return raced != null ? raced : made;
    }

    /**
     * {@code GET /app/orders/*}; the method is one of the known set or {@code _OTHER}, so few, and the instance
     * {@link HttpMethods#normalize} keeps for it: the first method named here is answered by identity, without
     * the map (a route mostly serves one method), the others from the map.
     */
    String spanName(String normalizedMethod) {
      NameOf first = this.first; // immutable: a racy read sees it whole or not at all
      if (first != null && first.method == normalizedMethod) {
        return first.name;
      }
      String name = spanNames.get(normalizedMethod);
      if (name == null) {
        name = ServerSpanNaming.spanName(normalizedMethod, route);
        spanNames.putIfAbsent(normalizedMethod, name);
      }
      if (first == null) {
        this.first = new NameOf(normalizedMethod, name); // set once (a race sets an equal one): never replaced
      }
      return name;
    }
  }

  /** A method and the span name it gives under a route. */
  private static final class NameOf {
    final String method;
    final String name;

    NameOf(String method, String name) {
      this.method = method;
      this.name = name;
    }
  }
}
