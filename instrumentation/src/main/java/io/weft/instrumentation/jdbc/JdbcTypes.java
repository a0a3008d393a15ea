package io.weft.instrumentation.jdbc;

import net.bytebuddy.description.type.TypeDefinition;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Matches classes implementing one of the given {@code java.sql} interfaces. Every class loader sees
 * {@code java.sql}, so no loader check can narrow the search; instead the walk up the hierarchy stops
 * at any {@code java.*} type (a JDK type is never a driver's) without reading its class file, which
 * spares the look-up of {@code Object}, {@code Serializable} and the like for every class loaded.
 * Agent class loader.
 */
final class JdbcTypes extends ElementMatcher.Junction.AbstractBase<TypeDescription> {

  private static final int MAX_DEPTH = 32;

  private final String[] interfaceNames;

  JdbcTypes(String... interfaceNames) {
    this.interfaceNames = interfaceNames;
  }

  @Override
  public boolean matches(TypeDescription type) {
    if (type.isInterface() || type.isPrimitive() || type.isArray()) {
      return false;
    }
    try {
      return implementsOne(type, 0);
    } catch (RuntimeException unresolvable) {
      return false; // a supertype's class file is missing: the class cannot be loaded either way
    }
  }

  private boolean implementsOne(TypeDefinition type, int depth) {
    if (type == null || depth > MAX_DEPTH) {
      return false;
    }
    String name = type.asErasure().getName(); // known without resolving the type
    for (String wanted : interfaceNames) {
      if (wanted.equals(name)) {
        return true;
      }
    }
    if (name.startsWith("java.")) {
      return false;
    }
    for (TypeDefinition implemented : type.getInterfaces().asErasures()) {
      if (implementsOne(implemented, depth + 1)) {
        return true;
      }
    }
    return implementsOne(type.getSuperClass() == null ? null : type.getSuperClass().asErasure(), depth + 1);
  }
}
