package io.weft.instrumentation;

import static net.bytebuddy.matcher.ElementMatchers.any;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Which types to weave and which advice goes on which of their methods. Matchers run for every class
 * the JVM loads, so they are ordered cheap to dear: the class-loader check first (cached per loader),
 * then names, then hierarchy look-ups. Lives in the agent class loader.
 */
public interface TypeInstrumentation {

  /**
   * Narrows the class loaders worth looking at, e.g. to those that can see the library's API. The
   * agent caches the answer per loader. Default: every loader.
   */
  default ElementMatcher<ClassLoader> classLoaderMatcher() {
    return any();
  }

  ElementMatcher<? super TypeDescription> typeMatcher();

  /**
   * The cheap first test, run on the class file the JVM is about to define before Byte Buddy is
   * consulted or even loaded: {@code false} only when {@link #classLoaderMatcher} or {@link
   * #typeMatcher} cannot match this class, or {@link #transform} would weave none of the methods it
   * declares. It runs for every class outside the ignore list, so it reads names, flags and
   * constant-pool strings: no class loading, no Byte Buddy, no hierarchy walk beyond the direct super
   * types; a class-loader look-up ({@link LoaderSeesClasses}) comes last, as the first one per loader
   * walks the JDK's modules. Default: {@code true}, Byte Buddy decides.
   */
  default boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
    return true;
  }

  /**
   * Whether this instrumentation weaves the classes {@link #mayWeave} lets through itself, on the
   * class file ({@link #weaveDirectly}), so Byte Buddy is neither loaded nor consulted for them. Its
   * {@link #typeMatcher} then only picks the already loaded classes to retransform. Default: no.
   */
  default boolean weavesDirectly() {
    return false;
  }

  /**
   * For an instrumentation that {@link #weavesDirectly}: {@code bytes} with its advice woven in, or
   * {@code null} to leave the class as it is. {@code classFile} is the outline the first filter already
   * read (names, flags, super types, which weaving does not change); {@code bytes} may already carry
   * another direct weaver's code. Never throws. Default: {@code null}.
   */
  default byte[] weaveDirectly(ClassLoader loader, ClassOutline classFile, byte[] bytes) {
    return null;
  }

  /**
   * {@link #weaveDirectly(ClassLoader, ClassOutline, byte[])} told the class's module ({@code null} when
   * unknown) and whether the class is being defined ({@code redefined} null) or retransformed, for a
   * weaver whose output may change the class's shape (fields, interfaces): only while it is defined, and
   * only with types its module can read. Default: the three-argument form.
   */
  default byte[] weaveDirectly(ClassLoader loader, ClassOutline classFile, byte[] bytes, Module module, Class<?> redefined) {
    return weaveDirectly(loader, classFile, bytes);
  }

  /**
   * Hands over the agent's {@link Reweaver}, before any class is woven, to an instrumentation that
   * learns from one class that others, loaded before it, need weaving. Default: not kept.
   */
  default void reweaveWith(Reweaver reweaver) {
  }

  /** Binds advice to methods of a matched type (none for one that {@link #weavesDirectly}). */
  void transform(Advisor advisor);

  /**
   * Adds weave-time bindings (constants computed per woven method) to the advice of this type
   * instrumentation. Default: none.
   */
  default Advice.WithCustomMapping customMapping(Advice.WithCustomMapping mapping) {
    return mapping;
  }

  /**
   * Whether its matchers read the raw class file through {@link TransformedClassFile}. The agent only
   * publishes class files when some type instrumentation says yes. Default: no.
   */
  default boolean readsClassFiles() {
    return false;
  }

  /** Collects the advice bindings of one type instrumentation. */
  interface Advisor {
    /**
     * Weaves the named advice class into the matching methods. The class is given by name: the agent
     * reads its bytes through the agent class loader and never loads it.
     */
    void advise(ElementMatcher<? super MethodDescription> methods, String adviceClassName);
  }
}
