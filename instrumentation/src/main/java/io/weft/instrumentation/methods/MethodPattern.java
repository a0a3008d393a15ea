package io.weft.instrumentation.methods;

import java.util.List;

/** One {@code class[method,method]} entry of the methods configuration, with wildcards compiled. */
final class MethodPattern {

  private final NameGlob classGlob;
  private final List<NameGlob> methodGlobs;

  MethodPattern(NameGlob classGlob, List<NameGlob> methodGlobs) {
    this.classGlob = classGlob;
    this.methodGlobs = methodGlobs;
  }

  NameGlob classGlob() {
    return classGlob;
  }

  boolean matchesClass(String className) {
    return classGlob.matches(className);
  }

  boolean matchesMethod(String methodName) {
    for (NameGlob glob : methodGlobs) {
      if (glob.matches(methodName)) {
        return true;
      }
    }
    return false;
  }

  /** Whether this entry names every method of the class it matches ({@code Class[*]}). */
  boolean coversAllMethods() {
    for (NameGlob glob : methodGlobs) {
      if (glob.isMatchAll()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return classGlob + "" + methodGlobs;
  }
}
