package io.weft.instrumentation.methods;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.bytebuddy.description.type.TypeDefinition;
import net.bytebuddy.description.type.TypeDescription;

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

  MethodSelection(List<MethodPattern> includes, List<MethodPattern> excludes) {
    this.includes = includes;
    this.excludes = excludes;
    for (MethodPattern pattern : includes) {
      if (pattern.classGlob().isExact()) {
        exactClassNames.add(pattern.classGlob().pattern());
      }
    }
  }

  boolean isEmpty() {
    return includes.isEmpty();
  }

  Set<String> exactClassNames() {
    return exactClassNames;
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

  /**
   * For a class matched through its hierarchy: is this method configured on an exactly named super
   * type? The hierarchy was resolved while matching the type, so the walk reads cached descriptions.
   */
  boolean selectsInherited(TypeDescription type, String methodName) {
    if (isExcluded(type.getName(), methodName)) {
      return false;
    }
    for (String superTypeName : exactSuperTypes(type)) {
      if (selectsNamed(superTypeName, methodName)) {
        return true;
      }
    }
    return false;
  }

  private List<String> exactSuperTypes(TypeDescription type) {
    List<String> found = new ArrayList<>();
    collect(type, found, 0);
    return found;
  }

  private void collect(TypeDefinition type, List<String> found, int depth) {
    if (type == null || depth > 32) {
      return;
    }
    String name = type.asErasure().getName();
    if (depth > 0 && exactClassNames.contains(name)) {
      found.add(name);
    }
    for (TypeDescription.Generic anInterface : type.getInterfaces()) {
      collect(anInterface, found, depth + 1);
    }
    collect(type.getSuperClass(), found, depth + 1);
  }

  private boolean isExcluded(String className, String methodName) {
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
