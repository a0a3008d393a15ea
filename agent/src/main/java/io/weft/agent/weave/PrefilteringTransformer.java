package io.weft.agent.weave;

import io.weft.instrumentation.ClassOutline;
import io.weft.instrumentation.InternalErrors;
import io.weft.instrumentation.TypeInstrumentation;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The agent's class file transformer: a hand-written first filter in front of Byte Buddy. For every
 * class the JVM defines it tests the name against the ignore list, then asks each type
 * instrumentation whether it may weave the class ({@link TypeInstrumentation#mayWeave}: class loader,
 * names, flags and constant-pool strings). Instrumentations that weave directly ({@link
 * TypeInstrumentation#weavesDirectly}) do so here; only a class some other instrumentation may weave
 * goes on to Byte Buddy, which is built on that first need. A JVM whose classes never need Byte Buddy
 * loads none of it. Never throws into the JVM. Agent class loader.
 */
final class PrefilteringTransformer implements ClassFileTransformer {

  /** Makes the Byte Buddy transformer behind the filter; called at most once. */
  interface WeaverFactory {
    ClassFileTransformer create(String firstClassName);
  }

  private final IgnoredNames ignored;
  private final TypeInstrumentation[] instrumentations; // those Byte Buddy weaves
  private final Runnable[] onWovenByByteBuddy;
  /** Those that weave directly, with what runs after each has woven; replaced whole when deferred ones are made. */
  private volatile Direct direct;
  /** Instrumentations whose type instrumentations are made when a class first passes their sieve; replaced whole. */
  private volatile DeferredTypes[] deferred;
  private final Runnable beforeDirectWeaving;
  private volatile boolean directBegun;
  private final Object lock = new Object();
  private WeaverFactory factory; // guarded by lock, null once used
  private volatile ClassFileTransformer weaver;
  private volatile boolean failed;

  /**
   * {@code beforeDirectWeaving} runs once, before the first class is woven directly. {@code onWoven} gives,
   * per type instrumentation, what runs each time it has woven a class, before the class is handed back
   * to the JVM (so before any of its code runs); for Byte Buddy's, each one that may have woven it.
   */
  PrefilteringTransformer(IgnoredNames ignored, List<TypeInstrumentation> instrumentations, Map<TypeInstrumentation, Runnable> onWoven,
      WeaverFactory factory, Runnable beforeDirectWeaving) {
    this(ignored, instrumentations, onWoven, new ArrayList<DeferredTypes>(), factory, beforeDirectWeaving);
  }

  /**
   * {@code deferred}: instrumentations whose type instrumentations are made on the first class their sieve passes,
   * which must all weave directly (Byte Buddy's weaver, made once, knows only {@code instrumentations}).
   */
  PrefilteringTransformer(IgnoredNames ignored, List<TypeInstrumentation> instrumentations, Map<TypeInstrumentation, Runnable> onWoven,
      List<DeferredTypes> deferred, WeaverFactory factory, Runnable beforeDirectWeaving) {
    this.ignored = ignored;
    List<TypeInstrumentation> viaByteBuddy = new ArrayList<>();
    List<TypeInstrumentation> directly = new ArrayList<>();
    for (TypeInstrumentation instrumentation : instrumentations) {
      (instrumentation.weavesDirectly() ? directly : viaByteBuddy).add(instrumentation);
    }
    this.instrumentations = viaByteBuddy.toArray(new TypeInstrumentation[0]);
    this.onWovenByByteBuddy = callbacks(this.instrumentations, onWoven);
    TypeInstrumentation[] directTypes = directly.toArray(new TypeInstrumentation[0]);
    this.direct = new Direct(directTypes, callbacks(directTypes, onWoven));
    this.deferred = deferred.toArray(new DeferredTypes[0]);
    this.factory = factory;
    this.beforeDirectWeaving = beforeDirectWeaving;
  }

  @Override
  public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain, byte[] classFile) {
    try {
      // the agent's own classes, shaded libraries included, are all under io/weft/: ignored by name
      if (className == null || classFile == null || ignored.ignores(className) || ignored.ignoresLoader(loader)) {
        return null;
      }
      ClassOutline outline = new ClassOutline(className, classFile, redefined);
      if (deferred.length > 0) {
        makeDeferred(outline);
      }
      Direct directNow = direct;
      byte[] woven = directNow.types.length == 0 ? null : weaveDirectly(directNow, module, loader, outline, classFile, redefined);
      if (!mayWeave(loader, outline)) {
        return woven;
      }
      ClassFileTransformer current = weaver != null ? weaver : weaver(className);
      byte[] input = woven != null ? woven : classFile;
      byte[] output = current == null ? null : current.transform(module, loader, className, redefined, domain, input);
      if (output != null) {
        for (int i = 0; i < instrumentations.length; i++) {
          run(onWovenByByteBuddy[i]);
        }
      }
      return output != null ? output : woven;
    } catch (Throwable e) {
      InternalErrors.report("weaving", e);
      return null;
    }
  }

  @Override
  public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain, byte[] classFile) {
    return transform(null, loader, className, redefined, domain, classFile);
  }

  /**
   * Makes the type instrumentations of each deferred instrumentation whose sieve {@code outline} passes, before it is
   * woven, so this class is the first they may weave. A sieve that fails passes: it costs a making, not a class.
   */
  private void makeDeferred(ClassOutline outline) {
    for (DeferredTypes waiting : deferred) {
      boolean passes;
      try {
        passes = waiting.sieve.passes(outline);
      } catch (RuntimeException e) {
        InternalErrors.report("the first weaving filter", e);
        passes = true;
      }
      if (passes) {
        make(waiting);
      }
    }
  }

  /** Moves {@code waiting}'s type instrumentations, made now, to the direct ones; once, whichever thread comes first. */
  private void make(DeferredTypes waiting) {
    synchronized (lock) {
      DeferredTypes[] now = deferred;
      List<DeferredTypes> rest = new ArrayList<>();
      for (DeferredTypes other : now) {
        if (other != waiting) {
          rest.add(other);
        }
      }
      if (rest.size() == now.length) {
        return; // another thread made them
      }
      List<TypeInstrumentation> made;
      try {
        made = waiting.make();
      } catch (RuntimeException | LinkageError e) {
        InternalErrors.report("making the type instrumentations of " + waiting.instrumentation.name(), e);
        made = new ArrayList<>();
      }
      Direct before = direct;
      List<TypeInstrumentation> types = new ArrayList<>(Arrays.asList(before.types));
      List<Runnable> callbacks = new ArrayList<>(Arrays.asList(before.onWoven));
      for (TypeInstrumentation type : made) {
        if (type.weavesDirectly()) {
          types.add(type);
          callbacks.add(waiting.onWoven);
        } else {
          InternalErrors.report("making the type instrumentations of " + waiting.instrumentation.name(),
              new IllegalStateException(type + " does not weave directly and cannot be made on first need"));
        }
      }
      direct = new Direct(types.toArray(new TypeInstrumentation[0]), callbacks.toArray(new Runnable[0]));
      deferred = rest.toArray(new DeferredTypes[0]);
    }
  }

  /** The class file as the direct weavers leave it; {@code null} when none wove it. */
  private byte[] weaveDirectly(Direct weavers, Module module, ClassLoader loader, ClassOutline outline, byte[] classFile,
      Class<?> redefined) {
    TypeInstrumentation[] direct = weavers.types;
    Runnable[] onWovenDirectly = weavers.onWoven;
    byte[] current = null;
    for (int i = 0; i < direct.length; i++) {
      TypeInstrumentation instrumentation = direct[i];
      boolean may;
      try {
        may = instrumentation.mayWeave(loader, outline);
      } catch (RuntimeException e) {
        InternalErrors.report("the first weaving filter", e);
        may = false; // nothing else would look at the class: a failing filter cannot say yes here
      }
      if (!may) {
        continue;
      }
      if (!directBegun) {
        directBegun = true;
        beforeDirectWeaving.run();
      }
      byte[] woven = instrumentation.weaveDirectly(loader, outline, current != null ? current : classFile, module, redefined);
      if (woven != null) {
        current = woven;
        run(onWovenDirectly[i]);
      }
    }
    return current;
  }

  /** Whether any type instrumentation Byte Buddy weaves may weave this class; a filter that fails says yes. */
  boolean mayWeave(ClassLoader loader, ClassOutline outline) {
    for (TypeInstrumentation instrumentation : instrumentations) {
      try {
        if (instrumentation.mayWeave(loader, outline)) {
          return true;
        }
      } catch (RuntimeException e) {
        InternalErrors.report("the first weaving filter", e);
        return true;
      }
    }
    return false;
  }

  /**
   * Makes Byte Buddy's transformer on the first class that needs it. Other threads' classes wait for
   * it (they may need weaving too); a class the maker's own thread loads meanwhile is left alone.
   */
  private ClassFileTransformer weaver(String className) {
    synchronized (lock) {
      if (weaver != null || failed) {
        return weaver;
      }
      WeaverFactory making = factory;
      if (making == null) {
        return null; // re-entered from inside create() on this thread
      }
      factory = null;
      try {
        weaver = making.create(className);
      } catch (Throwable e) {
        failed = true;
        System.err.println("[weft] weaving is off; the application runs without it: could not set up Byte Buddy for " + className + ": " + e);
      }
      return weaver;
    }
  }

  private static Runnable[] callbacks(TypeInstrumentation[] instrumentations, Map<TypeInstrumentation, Runnable> onWoven) {
    Runnable[] callbacks = new Runnable[instrumentations.length];
    for (int i = 0; i < instrumentations.length; i++) {
      callbacks[i] = onWoven.get(instrumentations[i]);
    }
    return callbacks;
  }

  /** The instrumentations that weave directly, and what runs after each has woven a class (by index). */
  private static final class Direct {
    final TypeInstrumentation[] types;
    final Runnable[] onWoven;

    Direct(TypeInstrumentation[] types, Runnable[] onWoven) {
      this.types = types;
      this.onWoven = onWoven;
    }
  }

  /** A failing callback is reported and the class is still handed back woven: its bridge then stays inert. */
  private static void run(Runnable callback) {
    if (callback != null) {
      try {
        callback.run();
      } catch (RuntimeException | LinkageError e) {
        InternalErrors.report("starting an instrumentation", e);
      }
    }
  }
}
