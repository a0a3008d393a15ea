package io.weft.instrumentation;

import java.util.List;

/**
 * The classes an instrumentation could weave first, told from the class file alone: an exact class name, a
 * method the class declares by name (any flags, any descriptor), or a constant-pool string. It stands in for the
 * instrumentation's type instrumentations until the JVM defines a class that passes it: only then are they made,
 * and the classes they need loaded ({@link WeftInstrumentation#sieve}). So a JVM that never loads a servlet, a JDBC
 * driver or a logging library pays nothing for those instrumentations at premain. It must say yes to every class
 * that one of the type instrumentations, as made at that moment (having seen no class yet), could weave; it may say
 * yes to many more, since a pass only makes them. Agent class loader; thread-safe (nothing in it changes).
 */
public final class Sieve {

  private static final String[] NONE = new String[0];

  private final String[] classNames;
  private final byte[][] methodNames;
  private final ClassOutline.ConstantSet constants; // null: none

  private Sieve(String[] classNames, String[] methodNames, List<String> constants) {
    this.classNames = classNames.clone();
    this.methodNames = new byte[methodNames.length][];
    for (int i = 0; i < methodNames.length; i++) {
      this.methodNames[i] = ClassOutline.encode(methodNames[i]);
    }
    this.constants = constants.isEmpty() ? null : new ClassOutline.ConstantSet(constants);
  }

  /** Passes a class whose internal name ({@code a/b/C}) is one of {@code internalNames}. */
  public static Sieve classes(String... internalNames) {
    return new Sieve(internalNames, NONE, List.of());
  }

  /**
   * Passes a class named one of {@code internalNames}, declaring a method named one of {@code methodNames}, or
   * holding one of {@code constants} (e.g. an annotation's descriptor) in its constant pool.
   */
  public static Sieve of(String[] internalNames, String[] methodNames, List<String> constants) {
    return new Sieve(internalNames, methodNames, constants);
  }

  /** Whether a type instrumentation behind this sieve could weave {@code classFile}; malformed class files pass. */
  public boolean passes(ClassOutline classFile) {
    String internalName = classFile.internalName();
    for (String name : classNames) {
      if (name.equals(internalName)) {
        return true;
      }
    }
    return (methodNames.length > 0 && classFile.declaresMethodNamed(methodNames))
        || (constants != null && classFile.hasAnyConstant(constants));
  }
}
