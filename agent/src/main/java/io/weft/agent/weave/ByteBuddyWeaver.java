package io.weft.agent.weave;

import static net.bytebuddy.matcher.ElementMatchers.isDefaultFinalizer;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.not;

import io.weft.agent.config.WeftConfig;
import io.weft.instrumentation.TransformedClassFile;
import io.weft.instrumentation.TypeInstrumentation;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.TypeResolutionStrategy;
import net.bytebuddy.dynamic.VisibilityBridgeStrategy;
import net.bytebuddy.dynamic.scaffold.InstrumentedType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.LatentMatcher;
import net.bytebuddy.pool.TypePool;

/**
 * Weaves advice into the classes the first filter lets through, with Byte Buddy's type pool, advice
 * and class redefinition: describe the class from the bytes the JVM handed over (nothing is loaded),
 * match it against every type instrumentation (class loader, then type), and inline the advice of
 * each match into the methods it names, without class format changes. Byte Buddy's {@code
 * AgentBuilder} is not used: its transformer generates and injects a class the first time it is made
 * (about 150 ms of CPU at JVM start), and it resolves every advice class again for each woven class;
 * here each advice is resolved once, on first use. Also retransforms matching classes that were
 * loaded before the agent. The only class of the agent that weaves with Byte Buddy. Agent class
 * loader.
 */
final class ByteBuddyWeaver implements ClassFileTransformer {

  private final WeftConfig config;
  private final IgnoredNames ignored;
  private final Target[] targets;
  private final boolean publishClassFiles;
  private final ByteBuddy byteBuddy;
  private final ClassFileLocator adviceLocator;
  private final TypePool advicePool;
  private final ThreadLocal<Boolean> weaving = new ThreadLocal<>();

  ByteBuddyWeaver(WeftConfig config, ClassLoader agentLoader, IgnoredNames ignored, List<TypeInstrumentation> instrumentations) {
    this.config = config;
    this.ignored = ignored;
    // Byte Buddy's Nexus (for live initializers, which advice never needs) probes sun.misc.Unsafe,
    // and Java 24+ prints warnings for that; shading renames this key into our own namespace.
    if (System.getProperty("net.bytebuddy.nexus.disabled") == null) {
      System.setProperty("net.bytebuddy.nexus.disabled", "true");
    }
    // Byte Buddy hides synthetic methods from every method matcher by default; lambda bodies
    // (javac: lambda$main$0) are synthetic, and the methods instrumentation weaves them. No class
    // format changes: no added members, the instrumented type frozen, no visibility bridges.
    this.byteBuddy =
        new ByteBuddy()
            .with(TypeValidation.DISABLED)
            .ignore(isSynthetic().and(not(nameContains("lambda$"))).or(isDefaultFinalizer()))
            .with(Implementation.Context.Disabled.Factory.INSTANCE)
            .with(InstrumentedType.Factory.Default.FROZEN)
            .with(VisibilityBridgeStrategy.Default.NEVER);
    this.adviceLocator = ClassFileLocator.ForClassLoader.of(agentLoader);
    this.advicePool = TypePool.Default.of(adviceLocator);
    List<Target> collected = new ArrayList<>();
    boolean reads = false;
    for (TypeInstrumentation instrumentation : instrumentations) {
      reads |= instrumentation.readsClassFiles();
      Target target = new Target(instrumentation);
      instrumentation.transform(target);
      collected.add(target);
    }
    this.targets = collected.toArray(new Target[0]);
    this.publishClassFiles = reads;
  }

  @Override
  public byte[] transform(ClassLoader loader, String internalName, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
    return transform(null, loader, internalName, redefined, domain, bytes);
  }

  @Override
  public byte[] transform(Module module, ClassLoader loader, String internalName, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
    if (internalName == null || bytes == null || weaving.get() != null) {
      return null; // a class loaded while this thread weaves another one is left alone
    }
    weaving.set(Boolean.TRUE);
    Object previous = publishClassFiles ? TransformedClassFile.enter(internalName, bytes) : null;
    String name = internalName.replace('/', '.');
    try {
      return weave(name, loader, redefined, bytes);
    } catch (Throwable e) {
      config.debug("could not weave " + name + ": " + e);
      return null;
    } finally {
      if (publishClassFiles) {
        TransformedClassFile.exit(previous);
      }
      weaving.remove();
    }
  }

  private byte[] weave(String name, ClassLoader loader, Class<?> redefined, byte[] bytes) {
    ClassFileLocator locator = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(name, bytes), locatorOf(loader));
    TypePool pool = new TypePool.Default.WithLazyResolution(TypePool.CacheProvider.Simple.withObjectType(), locator, TypePool.Default.ReaderMode.FAST);
    TypeDescription type;
    try {
      type = pool.describe(name).resolve();
    } catch (RuntimeException unreadable) {
      if (redefined == null) {
        throw unreadable;
      }
      type = TypeDescription.ForLoadedType.of(redefined);
    }
    DynamicType.Builder<?> builder = null;
    for (Target target : targets) {
      if (target.direct || !target.matches(type, loader)) {
        continue; // a direct target's classes were woven before they got here
      }
      if (builder == null) {
        builder = byteBuddy.redefine(type, locator).ignoreAlso(LatentMatcher.ForSelfDeclaredMethod.NOT_DECLARED);
      }
      builder = builder.visit(target.advice());
    }
    if (builder == null) {
      return null;
    }
    byte[] woven = builder.make(TypeResolutionStrategy.Disabled.INSTANCE, pool).getBytes();
    config.debug("woven " + name + (redefined != null ? " (retransformed)" : "") + " in " + (loader == null ? "bootstrap" : loader.getClass().getName()));
    return woven;
  }

  /**
   * Retransforms the already loaded classes some type instrumentation matches (described from their
   * class files, so nothing more is loaded); the JVM hands their class files to the registered
   * transformers, this one behind the first filter.
   */
  void retransformLoaded(Instrumentation inst) {
    Map<ClassLoader, TypePool> pools = new IdentityHashMap<>();
    List<Class<?>> matched = new ArrayList<>();
    for (Class<?> loaded : inst.getAllLoadedClasses()) {
      if (loaded.isArray() || loaded.isPrimitive() || ignored.ignores(loaded.getName().replace('.', '/'))
          || ignored.ignoresLoader(loaded.getClassLoader()) || !inst.isModifiableClass(loaded)) {
        continue;
      }
      try {
        ClassLoader loader = loaded.getClassLoader();
        TypePool pool = pools.computeIfAbsent(loader, l -> new TypePool.Default.WithLazyResolution(
            TypePool.CacheProvider.Simple.withObjectType(), locatorOf(l), TypePool.Default.ReaderMode.FAST));
        TypePool.Resolution resolution = pool.describe(loaded.getName());
        TypeDescription type = resolution.isResolved() ? resolution.resolve() : TypeDescription.ForLoadedType.of(loaded);
        for (Target target : targets) {
          if (target.matches(type, loader)) {
            matched.add(loaded);
            break;
          }
        }
      } catch (Throwable e) {
        config.debug("could not look at loaded class " + loaded.getName() + ": " + e);
      }
    }
    if (!matched.isEmpty()) {
      Installer.retransform(inst, matched, config);
    }
  }

  private static ClassFileLocator locatorOf(ClassLoader loader) {
    return loader == null ? ClassFileLocator.ForClassLoader.ofBootLoader() : ClassFileLocator.ForClassLoader.WeaklyReferenced.of(loader);
  }

  /** One type instrumentation: its matchers and its advice, each advice class resolved once. */
  private final class Target implements TypeInstrumentation.Advisor {
    /** Weaves directly (TypeInstrumentation.weavesDirectly): only matched to pick loaded classes to retransform. */
    final boolean direct;
    private final ElementMatcher<ClassLoader> loaderMatcher;
    private final ElementMatcher<? super TypeDescription> typeMatcher;
    private final Advice.WithCustomMapping mapping;
    private final List<ElementMatcher<? super MethodDescription>> methods = new ArrayList<>();
    private final List<String> adviceNames = new ArrayList<>();
    private volatile AsmVisitorWrapper resolved;

    Target(TypeInstrumentation instrumentation) {
      this.direct = instrumentation.weavesDirectly();
      this.loaderMatcher = instrumentation.classLoaderMatcher();
      this.typeMatcher = instrumentation.typeMatcher();
      this.mapping = instrumentation.customMapping(Advice.withCustomMapping());
    }

    @Override
    public void advise(ElementMatcher<? super MethodDescription> methods, String adviceClassName) {
      this.methods.add(methods);
      this.adviceNames.add(adviceClassName);
    }

    boolean matches(TypeDescription type, ClassLoader loader) {
      try {
        return loaderMatcher.matches(loader) && typeMatcher.matches(type);
      } catch (RuntimeException unresolvable) { // e.g. a super type whose class file is missing
        config.debug("could not match " + type.getName() + ": " + unresolvable);
        return false;
      }
    }

    /** The advice of this target for the methods the class declares; advice classes read from the agent loader, never loaded. */
    AsmVisitorWrapper advice() {
      AsmVisitorWrapper wrapper = resolved;
      if (wrapper == null) {
        AsmVisitorWrapper.ForDeclaredMethods declared = new AsmVisitorWrapper.ForDeclaredMethods();
        for (int i = 0; i < methods.size(); i++) {
          Advice advice =
              mapping.to(advicePool.describe(adviceNames.get(i)).resolve(), adviceLocator)
                  .withExceptionHandler(Advice.ExceptionHandler.Default.SUPPRESSING);
          declared = declared.invokable(methods.get(i), advice);
        }
        resolved = wrapper = declared;
      }
      return wrapper;
    }
  }
}
