package io.weft.instrumentation;

/**
 * Weaves again, soon and off the application's threads, classes that were loaded before a type they
 * inherit from. The JVM defines a class before its super types (it loads them while linking it), so
 * a weaver that reads what a class inherits learns it too late for the classes already handed back:
 * a JAX-RS interface's annotations reach its implementation this way. Agent class loader.
 */
public interface Reweaver {

  /**
   * Once the named type of {@code loader} is defined (it is usually being woven when this is asked),
   * retransforms the loaded classes, not interfaces, that extend or implement it: the transformers
   * then see them again, with {@link ClassOutline#redefined} set. Never throws; a request made while
   * many are pending is merged with them.
   */
  void reweaveSubtypes(ClassLoader loader, String internalName);
}
