package io.weft.instrumentation;

import static net.bytebuddy.matcher.ElementMatchers.named;

import java.util.function.Consumer;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * One library class, by its exact internal name (one string comparison for every other class), and one instance method
 * of it, by name and descriptor start, woven directly with one advice: JBoss LogManager's {@code Logger.logRaw}, Log4j
 * 1's {@code Category.callAppenders}, Spring MVC's {@code AbstractHandlerMethodAdapter.handle} and {@code
 * DispatcherServlet.render}. Only code is added, so a class loaded before an attach is retransformed the same way.
 * Agent class loader.
 */
public final class ExactMethodWeaving implements TypeInstrumentation, DirectAdvice.Selector {

  private final String owner;
  private final String method;
  private final String[] descriptorPrefixes;
  private final DirectAdvice advice;
  private final Consumer<String> debug;

  /** {@code owner}: an internal name; {@code descriptorPrefixes}: the method is woven when its descriptor starts with one. */
  public ExactMethodWeaving(String owner, String method, String[] descriptorPrefixes, DirectAdvice advice, Consumer<String> debug) {
    this.owner = owner;
    this.method = method;
    this.descriptorPrefixes = descriptorPrefixes.clone();
    this.advice = advice;
    this.debug = debug;
  }

  @Override
  public boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
    return classFile.internalName().equals(owner);
  }

  @Override
  public boolean weavesDirectly() {
    return true;
  }

  @Override
  public byte[] weaveDirectly(ClassLoader loader, ClassOutline classFile, byte[] bytes) {
    return DirectAdvice.weave(owner, bytes, this, debug);
  }

  @Override
  public DirectAdvice select(int access, String name, String descriptor) {
    if ((access & Opcodes.ACC_STATIC) != 0 || !name.equals(method)) {
      return null;
    }
    for (String prefix : descriptorPrefixes) {
      if (descriptor.startsWith(prefix)) {
        return advice;
      }
    }
    return null;
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named(owner.replace('/', '.'));
  }

  @Override
  public void transform(Advisor advisor) {
    // woven directly, also when retransformed at an attach
  }
}
