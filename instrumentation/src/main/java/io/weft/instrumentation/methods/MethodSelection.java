package io.weft.instrumentation.methods;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The configured include and exclude patterns, answering which classes and methods to time. Class
 * patterns match names; an exactly named interface or abstract class also selects the same-named
 * methods of its implementations, and an exactly named functional interface the bodies of lambdas
 * implementing it. Agent class loader.
 */
final class MethodSelection {

  private final List<MethodPattern> includes;
  private final List<MethodPattern> excludes;
  private final Set<String> exactClassNames = new LinkedHashSet<>();
  private final Set<String> exactInternalNames = new LinkedHashSet<>();

  MethodSelection(List<MethodPattern> includes, List<MethodPattern> excludes) {
    this.includes = includes;
    this.excludes = excludes;
    for (MethodPattern pattern : includes) {
      if (pattern.classGlob().isExact()) {
        exactClassNames.add(pattern.classGlob().pattern());
        exactInternalNames.add(pattern.classGlob().pattern().replace('.', '/'));
      }
    }
  }

  boolean isEmpty() {
    return includes.isEmpty();
  }

  Set<String> exactClassNames() {
    return exactClassNames;
  }

  /** The exactly named types as class files spell them ({@code a/b/Pricing}). */
  Set<String> exactInternalNames() {
    return exactInternalNames;
  }

  /**
   * Whether a method of this name may be configured on an exactly named super type, so that a class
   * declaring it may inherit the configuration (the first filter's question: no hierarchy at hand).
   */
  boolean mayBeInherited(String methodName) {
    for (MethodPattern pattern : includes) {
      if (pattern.classGlob().isExact() && pattern.matchesMethod(methodName)) {
        return true;
      }
    }
    return false;
  }

  /** Whether an include pattern names this class and no exclude pattern removes all of it. */
  boolean isNamedType(String className) {
    return anyMatchesClass(includes, className) && !isExcludedClass(className);
  }

  boolean isExcludedClass(String className) {
    for (MethodPattern pattern : excludes) {
      if (pattern.coversAllMethods() && pattern.matchesClass(className)) {
        return true;
      }
    }
    return false;
  }

  /** For a class matched by name: is this method one of the configured ones? */
  boolean selectsNamed(String className, String methodName) {
    for (MethodPattern pattern : includes) {
      if (pattern.matchesClass(className) && pattern.matchesMethod(methodName)) {
        return !isExcluded(className, methodName);
      }
    }
    return false;
  }

  boolean isExcluded(String className, String methodName) {
    for (MethodPattern pattern : excludes) {
      if (pattern.matchesClass(className) && pattern.matchesMethod(methodName)) {
        return true;
      }
    }
    return false;
  }

  private static boolean anyMatchesClass(List<MethodPattern> patterns, String className) {
    for (MethodPattern pattern : patterns) {
      if (pattern.matchesClass(className)) {
        return true;
      }
    }
    return false;
  }
}
