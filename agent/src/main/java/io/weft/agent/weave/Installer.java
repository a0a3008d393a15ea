package io.weft.agent.weave;

import static net.bytebuddy.matcher.ElementMatchers.isDefaultFinalizer;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.not;

import io.weft.agent.config.WeftConfig;
import io.weft.instrumentation.TransformedClassFile;
import io.weft.instrumentation.TypeInstrumentation;
import java.lang.instrument.IllegalClassFormatException;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
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
 * Installs one Byte Buddy {@code AgentBuilder} for all type instrumentations: ignore list first, class
 * loader then type matchers, advice inlined without class format changes, and retransformation of
 * classes loaded before us. Type descriptions come from class files (nothing is loaded early) and
 * class loaders are held weakly. Agent class loader.
 */
public final class Installer {

  private final WeftConfig config;
  private final ClassLoader agentLoader;

  public Installer(WeftConfig config, ClassLoader agentLoader) {
    this.config = config;
    this.agentLoader = agentLoader;
  }

  /**
   * Installs the transformer. Lambda classes are not handed to transformers by the JDK; Byte Buddy's
   * rewrite of the lambda factory that would change that breaks lambdas of unrelated libraries on
   * Java 17 and fails verification on 25, so Weft does not use it and weaves lambda bodies in their
   * declaring classes instead.
   */
  public void install(Instrumentation inst, List<TypeInstrumentation> instrumentations) {
    if (instrumentations.isEmpty()) {
      return;
    }
    builder(instrumentations).installOn(inst);
  }

  private AgentBuilder builder(List<TypeInstrumentation> instrumentations) {
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
            .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
            .with(AgentBuilder.PoolStrategy.Default.FAST)
            .with(AgentBuilder.LocationStrategy.ForClassLoader.WEAK)
            .with(AgentBuilder.DescriptionStrategy.Default.POOL_FIRST)
            .with(new Listener(config))
            .ignore(ignored());
    ClassFileLocator adviceLocator = ClassFileLocator.ForClassLoader.of(agentLoader);
    boolean readsClassFiles = false;
    for (TypeInstrumentation instrumentation : instrumentations) {
      readsClassFiles |= instrumentation.readsClassFiles();
      AdviceCollector advice =
          new AdviceCollector(
              new AgentBuilder.Transformer.ForAdvice(instrumentation.customMapping(Advice.withCustomMapping()))
                  .include(adviceLocator)
                  .withExceptionHandler(Advice.ExceptionHandler.Default.SUPPRESSING));
      instrumentation.transform(advice);
      builder = builder.type(instrumentation.typeMatcher(), instrumentation.classLoaderMatcher()).transform(advice.transformer);
    }
    return readsClassFiles ? builder.with(PublishingClassFiles::new) : builder;
  }

  private IgnoredTypes ignored() {
    List<String> prefixes = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (String entry : config.getList("otel.javaagent.exclude-classes")) {
      if (entry.endsWith("*")) {
        prefixes.add(entry.substring(0, entry.length() - 1));
      } else {
        names.add(entry);
      }
    }
    return new IgnoredTypes(prefixes, names);
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
  private static final class PublishingClassFiles extends ResettableClassFileTransformer.WithDelegation {

    PublishingClassFiles(ResettableClassFileTransformer transformer) {
      super(transformer);
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
