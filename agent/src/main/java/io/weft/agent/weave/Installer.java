package io.weft.agent.weave;

import io.weft.agent.config.WeftConfig;
import io.weft.instrumentation.TypeInstrumentation;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Installs the weaving: the first filter ({@link PrefilteringTransformer}) with Byte Buddy's weaver
 * ({@link ByteBuddyWeaver}) behind it. At JVM start nothing but the JDK has been loaded, so the filter
 * is registered alone and the weaver is made when the first class may need weaving; when application
 * classes are already loaded (an attach, or an agent before us that loaded some), the weaver is made
 * at once to retransform those it matches. Names no Byte Buddy type. Agent class loader.
 */
public final class Installer {

  private final WeftConfig config;
  private final ClassLoader agentLoader;

  public Installer(WeftConfig config, ClassLoader agentLoader) {
    this.config = config;
    this.agentLoader = agentLoader;
  }

  /**
   * Installs the transformer; {@code beforeWeaving} runs once, on the thread about to weave the first
   * class that may need it, before Byte Buddy is set up (at once when loaded classes are retransformed);
   * {@code onWoven} says what runs after a type instrumentation has woven a class ({@link PrefilteringTransformer}).
   * Lambda classes are not handed to transformers by the JDK; Byte Buddy's
   * rewrite of the lambda factory that would change that breaks lambdas of unrelated libraries on
   * Java 17 and fails verification on 25, so Weft does not use it and weaves lambda bodies in their
   * declaring classes instead.
   */
  public void install(Instrumentation inst, List<TypeInstrumentation> instrumentations, Map<TypeInstrumentation, Runnable> onWoven,
      Runnable beforeWeaving) {
    install(inst, instrumentations, onWoven, new ArrayList<DeferredTypes>(), beforeWeaving);
  }

  /**
   * {@link #install(Instrumentation, List, Map, Runnable)} with instrumentations whose type instrumentations are made
   * only when a class first passes their sieve ({@code deferred}); all at once when loaded classes are retransformed.
   */
  public void install(Instrumentation inst, List<TypeInstrumentation> instrumentations, Map<TypeInstrumentation, Runnable> onWoven,
      List<DeferredTypes> deferred, Runnable beforeWeaving) {
    if (instrumentations.isEmpty() && deferred.isEmpty()) {
      return;
    }
    IgnoredNames ignored = new IgnoredNames(config.getList("otel.javaagent.exclude-classes"),
        config.getList("otel.javaagent.exclude-class-loaders"));
    SubtypeReweaver reweaver = new SubtypeReweaver(inst, ignored, config);
    for (TypeInstrumentation instrumentation : instrumentations) {
      instrumentation.reweaveWith(reweaver);
    }
    for (DeferredTypes waiting : deferred) {
      waiting.reweaveWith(reweaver);
    }
    if (loadedClassesMayNeedWeaving(inst, ignored)) {
      // classes already loaded may be any instrumentation's: every type instrumentation is made now, for Byte Buddy to match
      List<TypeInstrumentation> all = new ArrayList<>(instrumentations);
      Map<TypeInstrumentation, Runnable> allOnWoven = new IdentityHashMap<>(onWoven);
      for (DeferredTypes waiting : deferred) {
        for (TypeInstrumentation type : waiting.make()) {
          all.add(type);
          allOnWoven.put(type, waiting.onWoven);
        }
      }
      beforeWeaving.run();
      ByteBuddyWeaver weaver = new ByteBuddyWeaver(config, agentLoader, ignored, all);
      inst.addTransformer(new PrefilteringTransformer(ignored, all, allOnWoven, new Ready(weaver), beforeWeaving), true);
      weaver.retransformLoaded(inst);
    } else {
      installLazily(inst, instrumentations, onWoven, deferred, ignored, beforeWeaving);
    }
  }

  /**
   * Retransforms the classes together, or one by one when the JVM refuses the batch: one refused class must not
   * keep the others from weaving. Here, not in the weaver, so that weaving again loads no Byte Buddy class.
   */
  static void retransform(Instrumentation inst, java.util.Collection<Class<?>> classes, WeftConfig config) {
    try {
      inst.retransformClasses(classes.toArray(new Class<?>[0]));
    } catch (Throwable batch) {
      for (Class<?> one : classes) {
        try {
          inst.retransformClasses(one);
        } catch (Throwable e) {
          config.debug("could not retransform " + one.getName() + ": " + e);
        }
      }
    }
  }

  /** Registers the first filter alone; Byte Buddy comes when a class gets past it. */
  PrefilteringTransformer installLazily(Instrumentation inst, List<TypeInstrumentation> instrumentations,
      Map<TypeInstrumentation, Runnable> onWoven, List<DeferredTypes> deferred, IgnoredNames ignored, Runnable beforeWeaving) {
    PrefilteringTransformer filter = new PrefilteringTransformer(ignored, instrumentations, onWoven, deferred,
        new LazyWeaver(config, agentLoader, ignored, instrumentations, beforeWeaving), beforeWeaving);
    inst.addTransformer(filter, true);
    return filter;
  }

  /**
   * Whether a class already loaded, outside the JDK and the agent, might be one to weave. At JVM start
   * that is none of the ~1,000 loaded classes, so the JDK's own loaders are skipped before any name is
   * asked for (a class's name is made on first request).
   */
  private boolean loadedClassesMayNeedWeaving(Instrumentation inst, IgnoredNames ignored) {
    ClassLoader platform = ClassLoader.getPlatformClassLoader();
    for (Class<?> type : inst.getAllLoadedClasses()) {
      ClassLoader loader = type.getClassLoader();
      if (loader == null || loader == platform || loader == agentLoader || type.isArray()) {
        continue;
      }
      if (!ignored.ignores(type.getName().replace('.', '/')) && inst.isModifiableClass(type)) {
        return true;
      }
    }
    return false;
  }

  /** Makes Byte Buddy's transformer when the first filter first lets a class through. */
  private static final class LazyWeaver implements PrefilteringTransformer.WeaverFactory {
    private final WeftConfig config;
    private final ClassLoader agentLoader;
    private final IgnoredNames ignored;
    private final List<TypeInstrumentation> instrumentations;
    private final Runnable beforeWeaving;

    LazyWeaver(WeftConfig config, ClassLoader agentLoader, IgnoredNames ignored, List<TypeInstrumentation> instrumentations,
        Runnable beforeWeaving) {
      this.config = config;
      this.agentLoader = agentLoader;
      this.ignored = ignored;
      this.instrumentations = instrumentations;
      this.beforeWeaving = beforeWeaving;
    }

    @Override
    public ClassFileTransformer create(String firstClassName) {
      config.debug("setting up Byte Buddy: " + firstClassName.replace('/', '.') + " may need weaving");
      beforeWeaving.run();
      return new ByteBuddyWeaver(config, agentLoader, ignored, instrumentations);
    }
  }

  /** The weaver made at once, for retransforming classes loaded before the agent. */
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
}
