package io.weft.instrumentation.methods;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.not;

import io.weft.instrumentation.ClassOutline;
import io.weft.instrumentation.LoaderSeesClasses;
import io.weft.instrumentation.TransformedClassFile;
import io.weft.instrumentation.TypeInstrumentation;
import java.util.Map;
import java.util.function.Consumer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Lambdas implementing an exactly named functional interface, woven where their code lives: the JDK
 * never hands the hidden classes it spins for lambdas to a transformer, but each one only forwards to
 * a synthetic method ({@code lambda$main$0}) of the class that declares the lambda, and that class
 * is ordinary. Its span is named after the interface method ({@code Pricing.apply}).
 *
 * <p>Cheap by construction: only in loaders that can see a named type; there, only classes whose
 * constant pool names both {@code LambdaMetafactory} and a named type are parsed, once per
 * transformation. A class file that does not parse is left alone. Method references to ordinary
 * methods ({@code Prices::triple}) are not woven: that would trace every direct call of the target
 * too. Lambdas of classes loaded before an attach are not woven either: Byte Buddy matches those
 * without their class file at hand. Agent class loader.
 */
final class LambdaBodies implements TypeInstrumentation {

  private final MethodSelection selection;
  private final LoaderSeesClasses loaders;
  private volatile LambdaCallSites callSites; // made with Byte Buddy: it reads class files with Byte Buddy's ASM
  private final MethodRegistry registry;
  private final Consumer<String> debug;
  private final byte[] metafactory = ClassOutline.encode(LambdaCallSites.METAFACTORY);
  private final byte[][] namedTypes;

  LambdaBodies(MethodSelection selection, LoaderSeesClasses loaders, MethodRegistry registry, Consumer<String> debug) {
    this.selection = selection;
    this.loaders = loaders;
    this.registry = registry;
    this.debug = debug;
    this.namedTypes = new byte[selection.exactInternalNames().size()][];
    int i = 0;
    for (String name : selection.exactInternalNames()) {
      namedTypes[i++] = ClassOutline.encode(name);
    }
  }

  /** Only a class whose constant pool names the lambda factory and a named type can declare such a lambda. */
  @Override
  public boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
    if (!classFile.hasConstant(metafactory)) {
      return false;
    }
    for (byte[] name : namedTypes) {
      if (classFile.hasConstantContaining(name)) {
        return loaders.matches(loader);
      }
    }
    return false;
  }

  @Override
  public boolean readsClassFiles() {
    return true;
  }

  @Override
  public ElementMatcher<ClassLoader> classLoaderMatcher() {
    return loaders.asMatcher();
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return type -> !selection.isExcludedClass(type.getName()) && !bodiesOf(type.getName()).isEmpty();
  }

  @Override
  public void transform(Advisor advisor) {
    MethodsInstrumentation.adviseSyncAndAsync(
        advisor,
        isMethod()
            .and(isSynthetic())
            .and(not(isBridge()))
            .and(not(isAbstract()))
            .and(m -> implemented(m.getDeclaringType().asErasure().getName(), m) != null));
  }

  @Override
  public Advice.WithCustomMapping customMapping(Advice.WithCustomMapping mapping) {
    return mapping.bind(new MethodIdMapping(registry, debug, (type, method) -> implemented(type.getName(), method)));
  }

  private LambdaCallSites.Implemented implemented(String className, MethodDescription method) {
    return bodiesOf(className).get(method.getInternalName() + method.getDescriptor());
  }

  /** Read from the class file being transformed; outside a transformation there is none to read. */
  private Map<String, LambdaCallSites.Implemented> bodiesOf(String className) {
    TransformedClassFile file = TransformedClassFile.of(className);
    if (file == null) {
      return Map.of();
    }
    return file.memo(this, bytes -> scan(className, bytes));
  }

  private Map<String, LambdaCallSites.Implemented> scan(String className, byte[] bytes) {
    try {
      LambdaCallSites sites = callSites;
      if (sites == null) {
        callSites = sites = new LambdaCallSites(selection.exactClassNames(), selection::selectsNamed);
      }
      return sites.scan(bytes);
    } catch (Throwable unreadable) { // never break a class over its lambdas
      debug.accept("not looking for lambdas in " + className + ": " + unreadable);
      return Map.of();
    }
  }
}
