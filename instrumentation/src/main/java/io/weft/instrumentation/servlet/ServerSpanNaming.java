package io.weft.instrumentation.servlet;

import java.util.Collection;

/**
 * Derives {@code http.route} from the servlet mapping that served a request, and the server span name
 * from it. Pure functions of strings, run per request by the servlet tracer in the agent class loader.
 *
 * <p>The route follows the OpenTelemetry Java agent: the mapping pattern, prefixed by the context path;
 * an extension pattern {@code *.do} becomes {@code /*.do}, the default servlet ({@code /}) becomes
 * {@code /*} and the context-root pattern ({@code ""}) becomes {@code /}. Unlike that agent, a request
 * for {@code /} served by the default servlet also gets {@code /*}: the route then depends on the
 * pattern alone, so a caller caches it per servlet and pattern and pays for the concatenation once.
 */
public final class ServerSpanNaming {

  private static final String ROOT = "/";
  private static final String WILDCARD = "/*";

  private ServerSpanNaming() {}

  /**
   * The route for a request whose matched pattern is known: Servlet 4+ gives it as
   * {@code HttpServletMapping.getPattern()} (the pattern alone tells CONTEXT_ROOT, DEFAULT, EXACT,
   * EXTENSION and PATH apart). {@code null} when the pattern is {@code null} or not a servlet URL
   * pattern. Allocates only when a context path or an extension's {@code /} is prepended.
   */
  public static String route(String contextPath, String pattern) {
    String mapping = routeInContext(pattern);
    if (mapping == null) {
      return null;
    }
    if (contextPath == null || contextPath.isEmpty() || contextPath.equals(ROOT)) {
      return mapping;
    }
    // a context path never ends with '/' by spec; tolerate one rather than emit "//"
    int end = contextPath.endsWith(ROOT) ? contextPath.length() - 1 : contextPath.length();
    return new StringBuilder(end + mapping.length())
        .append(contextPath, 0, end)
        .append(mapping)
        .toString();
  }

  /**
   * The route for Servlet 3.x, where only the servlet's registered patterns
   * ({@code ServletRegistration.getMappings()}) and the request's servlet path and path info are known.
   * Equivalent to {@code route(contextPath, matchPattern(servletPath, pathInfo, patterns))}.
   */
  public static String routeFromPatterns(
      String contextPath, String servletPath, String pathInfo, Collection<String> patterns) {
    return route(contextPath, matchPattern(servletPath, pathInfo, patterns));
  }

  /**
   * Which of a servlet's patterns the container matched for the path {@code servletPath + pathInfo}
   * (read in place, not concatenated), by the Servlet specification's order (section 12.1): exact, then
   * the longest path prefix ({@code /a/*}, matching {@code /a} and {@code /a/...}), then extension, then
   * the default servlet. Returns the element of {@code patterns} itself, or {@code null} when none
   * matches or the arguments are {@code null}. An empty collection means the default servlet (WildFly
   * registers it without patterns).
   */
  public static String matchPattern(String servletPath, String pathInfo, Collection<String> patterns) {
    if (patterns == null) {
      return null;
    }
    if (patterns.isEmpty()) {
      return ROOT;
    }
    String head = servletPath == null ? "" : servletPath;
    String tail = pathInfo == null ? "" : pathInfo;
    int length = head.length() + tail.length();
    String prefixMatch = null;
    int prefixLength = -1;
    String extensionMatch = null;
    String defaultMatch = null;
    for (String pattern : patterns) {
      if (pattern == null) {
        continue;
      }
      int patternLength = pattern.length();
      if (pattern.isEmpty()) {
        if (length == 0 || (length == 1 && regionEquals(head, tail, 0, ROOT, 0, 1))) {
          return pattern;
        }
      } else if (pattern.equals(ROOT)) {
        defaultMatch = pattern;
      } else if (pattern.endsWith(WILDCARD) && pattern.charAt(0) == '/') {
        int prefix = patternLength - 2;
        if (prefix > prefixLength
            && length >= prefix
            && regionEquals(head, tail, 0, pattern, 0, prefix)
            && (length == prefix || regionEquals(head, tail, prefix, ROOT, 0, 1))) {
          prefixMatch = pattern;
          prefixLength = prefix;
        }
      } else if (isExtension(pattern)) {
        int suffix = patternLength - 1; // ".do" of "*.do"
        if (extensionMatch == null
            && length >= suffix
            && regionEquals(head, tail, length - suffix, pattern, 1, suffix)) {
          extensionMatch = pattern;
        }
      } else if (pattern.charAt(0) == '/'
          && patternLength == length
          && regionEquals(head, tail, 0, pattern, 0, length)) {
        return pattern;
      }
    }
    if (prefixMatch != null) {
      return prefixMatch;
    }
    return extensionMatch != null ? extensionMatch : defaultMatch;
  }

  /**
   * What the pattern of a framework dispatching under a servlet mapping (Spring MVC's {@code DispatcherServlet})
   * is relative to: the context path, and for a {@code /prefix/*} mapping the prefix too, without a trailing
   * {@code /}. {@code null} for the context root and exact mappings, whose route is already the path, and for an
   * unknown pattern.
   */
  public static String frameworkBase(String contextPath, String pattern) {
    if (pattern == null || pattern.isEmpty()) {
      return null;
    }
    String context = contextPath == null || contextPath.equals(ROOT) ? ""
        : contextPath.endsWith(ROOT) ? contextPath.substring(0, contextPath.length() - 1) : contextPath;
    if (pattern.equals(ROOT) || pattern.equals(WILDCARD) || isExtension(pattern)) {
      return context;
    }
    if (pattern.endsWith(WILDCARD) && pattern.charAt(0) == '/') {
      return context + pattern.substring(0, pattern.length() - 2);
    }
    return null;
  }

  /** Longer framework patterns are not taken as a route (a real one is far shorter). */
  static final int MAX_FRAMEWORK_PATTERN = 512;

  /**
   * {@code http.route} from a framework's matched pattern (Spring's {@code /orders/{id}}) under {@code base}
   * ({@link #frameworkBase}): {@code /app/api/orders/{id}}. {@code null} for an empty pattern or one over
   * {@value #MAX_FRAMEWORK_PATTERN} chars. The pattern itself when the base is empty and it starts with {@code /}.
   */
  public static String frameworkRoute(String base, String pattern) {
    if (base == null || pattern == null || pattern.isEmpty() || pattern.length() > MAX_FRAMEWORK_PATTERN) {
      return null;
    }
    boolean slash = pattern.charAt(0) == '/';
    if (base.isEmpty()) {
      return slash ? pattern : ROOT + pattern;
    }
    return slash ? base + pattern : base + ROOT + pattern;
  }

  /**
   * {@code GET /app/orders/*}; the method alone when the route is {@code null}; {@code HTTP} stands in
   * for {@link HttpMethods#OTHER} (and a {@code null} method), as the semantic conventions say. One
   * concatenation at most; the method instance itself when there is no route.
   */
  public static String spanName(String normalizedMethod, String route) {
    String method =
        normalizedMethod == null || HttpMethods.OTHER.equals(normalizedMethod)
            ? "HTTP"
            : normalizedMethod;
    if (route == null) {
      return method;
    }
    return new StringBuilder(method.length() + 1 + route.length())
        .append(method)
        .append(' ')
        .append(route)
        .toString();
  }

  private static String routeInContext(String pattern) {
    if (pattern == null) {
      return null;
    }
    if (pattern.isEmpty()) {
      return ROOT;
    }
    if (pattern.equals(ROOT) || pattern.equals(WILDCARD)) {
      return WILDCARD;
    }
    if (isExtension(pattern)) {
      return ROOT + pattern;
    }
    return pattern.charAt(0) == '/' ? pattern : null;
  }

  // "*.ext": the extension is what follows the last '.' of the last segment, so no '/' may follow
  private static boolean isExtension(String pattern) {
    return pattern.length() > 2
        && pattern.startsWith("*.")
        && pattern.indexOf('/') < 0
        && pattern.indexOf('*', 1) < 0;
  }

  /**
   * Whether {@code count} chars of the path {@code head + tail}, from {@code from}, equal those of
   * {@code other} from {@code otherFrom}; the caller keeps both ranges in bounds.
   */
  private static boolean regionEquals(
      String head, String tail, int from, String other, int otherFrom, int count) {
    int inHead = Math.max(0, Math.min(count, head.length() - from));
    if (inHead > 0 && !head.regionMatches(from, other, otherFrom, inHead)) {
      return false;
    }
    int inTail = count - inHead;
    int tailFrom = Math.max(0, from - head.length());
    return inTail == 0 || tail.regionMatches(tailFrom, other, otherFrom + inHead, inTail);
  }
}
