package io.weft.instrumentation.servlet;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Normalizes a request method to the configured known set or {@code _OTHER}, as the HTTP semantic
 * conventions require for {@code http.request.method}. Built once from configuration; used per request
 * in the agent class loader.
 */
public final class HttpMethods {

  /** What {@code http.request.method} holds for a method outside the known set. */
  public static final String OTHER = "_OTHER";

  /**
   * The OpenTelemetry Java agent's default for {@code otel.instrumentation.http.known-methods}: RFC 9110
   * plus PATCH. QUERY is left out so a deployment switching agents sees the same values; add it
   * through the configuration.
   */
  public static final List<String> DEFAULT_KNOWN_METHODS =
      List.of("CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE");

  private static final HttpMethods DEFAULTS = new HttpMethods(DEFAULT_KNOWN_METHODS);

  // maps a method to the instance we hand out, so normalize never returns a request-owned string
  private final Map<String, String> known;

  private HttpMethods(Collection<String> methods) {
    Map<String, String> map = new HashMap<>();
    for (String method : methods) {
      if (method != null && !method.isBlank()) {
        String canonical = method.trim().intern();
        map.put(canonical, canonical);
      }
    }
    this.known = map;
  }

  /** The default known set. */
  public static HttpMethods defaults() {
    return DEFAULTS;
  }

  /**
   * The set from {@code OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS}, which replaces the defaults; case is
   * kept (methods are case-sensitive) and blanks are skipped. {@code null}, empty or all-blank gives the
   * defaults.
   */
  public static HttpMethods of(Collection<String> configured) {
    if (configured == null) {
      return DEFAULTS;
    }
    HttpMethods methods = new HttpMethods(configured);
    return methods.known.isEmpty() ? DEFAULTS : methods;
  }

  /** The known method itself (a shared constant, equal to {@code method}), else {@link #OTHER}. */
  public String normalize(String method) {
    if (method == null) {
      return OTHER;
    }
    String canonical = known.get(method);
    return canonical != null ? canonical : OTHER;
  }

  /** Whether {@code method} is in the known set; exact, case-sensitive match ({@code get} is not). */
  public boolean isKnown(String method) {
    return method != null && known.containsKey(method);
  }
}
