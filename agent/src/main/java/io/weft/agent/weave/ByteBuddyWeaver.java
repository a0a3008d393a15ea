package io.weft.agent.weave;

import static net.bytebuddy.matcher.ElementMatchers.isDefaultFinalizer;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.not;

import io.weft.agent.config.WeftConfig;
import io.weft.instrumentation.TransformedClassFile;
import io.weft.instrumentation.TypeInstrumentation;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.List;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

/**
 * The one Byte Buddy {@code AgentBuilder} for all type instrumentations: ignore list first, class
 * loader then type matchers, advice inlined without class format changes. Type descriptions come from
 * class files (nothing is loaded early) and class loaders are held weakly. The only class of the
 * agent that names Byte Buddy's agent API, so that nothing of it loads before a class needs weaving.
 * Agent class loader.
 */
final class ByteBuddyWeaver {

  private final WeftConfig config;
  private final ClassLoader agentLoader;
  private final IgnoredNames ignored;
  private final List<TypeInstrumentation> instrumentations;

  ByteBuddyWeaver(WeftConfig config, ClassLoader agentLoader, IgnoredNames ignored, List<TypeInstrumentation> instrumentations) {
    this.config = config;
    this.agentLoader = agentLoader;
    this.ignored = ignored;
    this.instrumentations = instrumentations;
  }

  /** Byte Buddy's transformer, not registered: the first filter calls it for the classes it lets through. */
  ClassFileTransformer transformer() {
    ClassFileTransformer raw = builder().makeRaw();
    if (readsClassFiles()) {
      return new PublishingClassFiles(raw);
    }
    return raw;
  }

  /**
   * Registers the first filter with Byte Buddy behind it and retransforms the already loaded classes
   * that Byte Buddy's matchers select (their class files then pass the filter too): for an attach,
   * or when other agents loaded application classes before us.
   */
  void installWithRetransformation(Instrumentation inst) {
    builder().with(new BehindTheFilter()).installOn(inst);
  }

  private boolean readsClassFiles() {
    for (TypeInstrumentation instrumentation : instrumentations) {
      if (instrumentation.readsClassFiles()) {
        return true;
      }
    }
    return false;
  }

  private AgentBuilder builder() {
    // Byte Buddy's Nexus (for live initializers, which advice never needs) probes sun.misc.Unsafe,
    // and Java 24+ prints warnings for that; shading renames this key into our own namespace.
    if (System.getProperty("net.bytebuddy.nexus.disabled") == null) {
      System.setProperty("net.bytebuddy.nexus.disabled", "true");
    }
    // Byte Buddy hides synthetic methods from every method matcher by default; lambda bodies
    // (javac: lambda$main$0) are synthetic, and the methods instrumentation weaves them.
    ByteBuddy byteBuddy =
        new ByteBuddy()
            .with(TypeValidation.DISABLED)
            .ignore(isSynthetic().and(not(nameContains("lambda$"))).or(isDefaultFinalizer()));
    AgentBuilder builder =
        new AgentBuilder.Default(byteBuddy)
            .disableClassFormatChanges()
            // also when the JVM or another agent retransforms a class later: its woven form must stay
            .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
            .with(AgentBuilder.PoolStrategy.Default.FAST)
            .with(AgentBuilder.LocationStrategy.ForClassLoader.WEAK)
            .with(AgentBuilder.DescriptionStrategy.Default.POOL_FIRST)
            .with(new Listener(config))
            .ignore(new Ignored(ignored));
    ClassFileLocator adviceLocator = ClassFileLocator.ForClassLoader.of(agentLoader);
    for (TypeInstrumentation instrumentation : instrumentations) {
      AdviceCollector advice =
          new AdviceCollector(
              new AgentBuilder.Transformer.ForAdvice(instrumentation.customMapping(Advice.withCustomMapping()))
                  .include(adviceLocator)
                  .withExceptionHandler(Advice.ExceptionHandler.Default.SUPPRESSING));
      instrumentation.transform(advice);
      builder = builder.type(instrumentation.typeMatcher(), instrumentation.classLoaderMatcher()).transform(advice.transformer);
    }
    return builder;
  }

  /** The ignore list as Byte Buddy's first matcher, for the loaded classes it looks at before retransforming. */
  private static final class Ignored extends ElementMatcher.Junction.AbstractBase<TypeDescription> {
    private final IgnoredNames names;

    Ignored(IgnoredNames names) {
      this.names = names;
    }

    @Override
    public boolean matches(TypeDescription type) {
      return names.ignores(type.getInternalName());
    }
  }

  /** Puts the first filter, with class-file publishing when asked for, in front of the transformer Byte Buddy registers. */
  private final class BehindTheFilter implements AgentBuilder.TransformerDecorator {
    @Override
    public ResettableClassFileTransformer decorate(ResettableClassFileTransformer transformer) {
      ClassFileTransformer weaver = transformer;
      if (readsClassFiles()) {
        weaver = new PublishingClassFiles(transformer);
      }
      return new Filtered(transformer, new PrefilteringTransformer(ignored, instrumentations, new Ready(weaver)));
    }
  }

  private static final class Ready implements PrefilteringTransformer.WeaverFactory {
    private final ClassFileTransformer weaver;

    Ready(ClassFileTransformer weaver) {
      this.weaver = weaver;
    }

    @Override
    public ClassFileTransformer create(String firstClassName) {
      return weaver;
    }
  }

  /** The first filter as the transformer Byte Buddy registers and, on reset, removes. */
  private static final class Filtered extends ResettableClassFileTransformer.WithDelegation {
    private final PrefilteringTransformer filter;

    Filtered(ResettableClassFileTransformer transformer, PrefilteringTransformer filter) {
      super(transformer);
      this.filter = filter;
    }

    @Override
    public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
      return filter.transform(loader, name, redefined, domain, bytes);
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
      return filter.transform(module, loader, name, redefined, domain, bytes);
    }
  }

  /** Binds each {@code advise} call of a type instrumentation onto one Byte Buddy transformer. */
  private static final class AdviceCollector implements TypeInstrumentation.Advisor {
    AgentBuilder.Transformer.ForAdvice transformer;

    AdviceCollector(AgentBuilder.Transformer.ForAdvice transformer) {
      this.transformer = transformer;
    }

    @Override
    public void advise(ElementMatcher<? super MethodDescription> methods, String adviceClassName) {
      transformer = transformer.advice(methods, adviceClassName);
    }
  }

  /**
   * Publishes each class file to {@link TransformedClassFile} while Byte Buddy transforms it, so that
   * matchers read the bytes the JVM handed over rather than locating the class file again.
   */
  private static final class PublishingClassFiles implements ClassFileTransformer {
    private final ClassFileTransformer classFileTransformer;

    PublishingClassFiles(ClassFileTransformer transformer) {
      this.classFileTransformer = transformer;
    }

    @Override
    public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain, byte[] bytes)
        throws IllegalClassFormatException {
      Object previous = TransformedClassFile.enter(name, bytes);
      try {
        return classFileTransformer.transform(loader, name, redefined, domain, bytes);
      } finally {
        TransformedClassFile.exit(previous);
      }
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain, byte[] bytes)
        throws IllegalClassFormatException {
      Object previous = TransformedClassFile.enter(name, bytes);
      try {
        return classFileTransformer.transform(module, loader, name, redefined, domain, bytes);
      } finally {
        TransformedClassFile.exit(previous);
      }
    }
  }

  /** Reports weaving in debug mode; failures to weave one class are debug detail too. */
  private static final class Listener extends AgentBuilder.Listener.Adapter {
    private final WeftConfig config;

    Listener(WeftConfig config) {
      this.config = config;
    }

    @Override
    public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded, DynamicType dynamicType) {
      config.debug("woven " + type.getName() + (loaded ? " (retransformed)" : "") + " in " + (loader == null ? "bootstrap" : loader.getClass().getName()));
    }

    @Override
    public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable throwable) {
      config.debug("could not weave " + typeName + ": " + throwable);
    }
  }
}
