package io.weft.agent.weave;

import io.weft.agent.config.WeftConfig;
import io.weft.instrumentation.TypeInstrumentation;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
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
   * Java 17 and fails verification on 25, so Weft does not use it.
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
    AgentBuilder builder =
        new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED))
            .disableClassFormatChanges()
            .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
            .with(AgentBuilder.PoolStrategy.Default.FAST)
            .with(AgentBuilder.LocationStrategy.ForClassLoader.WEAK)
            .with(AgentBuilder.DescriptionStrategy.Default.POOL_FIRST)
            .with(new Listener(config))
            .ignore(ignored());
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
