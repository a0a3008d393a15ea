package io.weft.instrumentation.servlet;

import io.weft.instrumentation.InternalErrors;
import io.weft.instrumentation.WeakIdentityMap;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Servlet 3.x has no {@code HttpServletMapping}: the pattern a request matched is worked out as the container matched
 * it. A prefix mapping leaves a path info ({@code /chain/*}, or {@code /*} with an empty servlet path); without one the
 * servlet path is an exact mapping, the path a prefix mapping names exactly, a path with a mapped extension
 * ({@code *.do}), or else the default servlet's ({@code /}). The exact, prefix and extension patterns of a context are
 * read once from its servlet registrations. Agent class loader.
 */
final class ServletMappings {

  static final int MAX_CONTEXTS = 256;
  /** A context whose registrations could not be read: only a path info then tells the pattern. */
  static final ServletMappings UNKNOWN = new ServletMappings(Set.of(), Set.of(), Set.of());

  private final Set<String> exact;
  private final Set<String> prefixes; // "/chain/*"
  private final Set<String> extensions; // "*.do"

  ServletMappings(Set<String> exact, Set<String> prefixes, Set<String> extensions) {
    this.exact = exact;
    this.prefixes = prefixes;
    this.extensions = extensions;
  }

  static ServletMappings of(Collection<String> patterns) {
    Set<String> exact = new HashSet<>();
    Set<String> prefixes = new HashSet<>();
    Set<String> extensions = new HashSet<>();
    for (String pattern : patterns) {
      if (pattern == null) {
        continue;
      }
      if (pattern.startsWith("*.")) {
        extensions.add(pattern);
      } else if (pattern.endsWith("/*")) {
        prefixes.add(pattern);
      } else if (!pattern.equals("/")) {
        exact.add(pattern);
      }
    }
    return new ServletMappings(Set.copyOf(exact), Set.copyOf(prefixes), Set.copyOf(extensions));
  }

  /** The pattern the request matched; {@code mappings} is needed only without a path info, and may be null then (none). */
  static String pattern(String servletPath, String pathInfo, ServletMappings mappings) {
    if (pathInfo != null) {
      return servletPath.isEmpty() ? "/*" : servletPath + "/*";
    }
    if (mappings == null || mappings == UNKNOWN) {
      return null;
    }
    if (mappings.exact.contains(servletPath)) {
      return servletPath;
    }
    if (!mappings.prefixes.isEmpty()) {
      String prefix = servletPath + "/*";
      if (mappings.prefixes.contains(prefix)) {
        return prefix; // "/chain" itself, which "/chain/*" covers
      }
    }
    if (!mappings.extensions.isEmpty()) {
      int slash = servletPath.lastIndexOf('/');
      int dot = servletPath.lastIndexOf('.');
      if (dot > slash) {
        String extension = "*" + servletPath.substring(dot);
        if (mappings.extensions.contains(extension)) {
          return extension;
        }
      }
    }
    return "/"; // nothing else matched: the default servlet's
  }

  /** Each context's mappings of one servlet API copy, read through reflection once per context. */
  static final class PerContext {
    private final WeakIdentityMap<ServletMappings> byContext = new WeakIdentityMap<>(MAX_CONTEXTS);
    private final Method registrations; // ServletContext.getServletRegistrations(), null when absent
    private final Method mappings; // ServletRegistration.getMappings()

    PerContext(String pkg, ClassLoader loader) {
      Method registrations = null;
      Method mappings = null;
      try {
        registrations = Class.forName(pkg + ".ServletContext", false, loader).getMethod("getServletRegistrations");
        mappings = Class.forName(pkg + ".ServletRegistration", false, loader).getMethod("getMappings");
      } catch (ReflectiveOperationException | LinkageError e) {
        // no registrations to read: prefix mappings only
      }
      this.registrations = registrations;
      this.mappings = mappings;
    }

    ServletMappings of(Object context) {
      if (context == null || registrations == null) {
        return null;
      }
      ServletMappings known = byContext.get(context);
      if (known == null) {
        known = read(context);
        byContext.put(context, known);
      }
      return known;
    }

    private ServletMappings read(Object context) {
      try {
        Set<String> patterns = new HashSet<>();
        for (Object registration : ((Map<?, ?>) registrations.invoke(context)).values()) {
          for (Object pattern : (Collection<?>) mappings.invoke(registration)) {
            patterns.add((String) pattern);
          }
        }
        return ServletMappings.of(patterns);
      } catch (Throwable failure) {
        InternalErrors.report("servlet mappings", failure);
        return UNKNOWN;
      }
    }
  }
}
