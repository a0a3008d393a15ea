package io.weft.agent.weave;

import io.weft.agent.config.WeftConfig;
import io.weft.bridge.ContextBridge;
import io.weft.instrumentation.DebugLines;
import io.weft.instrumentation.InternalErrors;
import io.weft.instrumentation.executors.TaskClasses;
import io.weft.instrumentation.executors.TaskWeaver;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Installs {@link TaskWeaver} on the JDK's task classes: {@code java.base} is made to read the bootstrap
 * loader's unnamed module (where {@link ContextBridge} lives) and a transformer of its own weaves those classes
 * as they load; {@link #retransformLoaded} weaves those loaded before. Kept apart from the application classes'
 * first filter, which ignores the JDK by name and would start the SDK on its first weave: loading {@code
 * FutureTask} builds nothing. Until {@link ContextBridge#install} runs, the woven code hands every task on
 * unwrapped. Agent class loader.
 */
public final class TaskContextWeaving implements ClassFileTransformer {

  private final Instrumentation inst;
  private final Consumer<String> debug;
  /** Internal names of the task classes handed to {@link #transform}, loaded or retransformed. */
  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  private TaskContextWeaving(Instrumentation inst, WeftConfig config) {
    this.inst = inst;
    this.debug = new DebugLines(config); // a class, not config::debug: no method-handle spin at premain
  }

  /**
   * Installs the weaving of classes loaded from now on (about 0.2 ms); null, after one line on stderr, when the
   * JVM does not allow it: tasks then stay as they are.
   */
  public static TaskContextWeaving install(Instrumentation inst, WeftConfig config) {
    try {
      Module base = Object.class.getModule();
      inst.redefineModule(base, Collections.singleton(ContextBridge.class.getModule()), Collections.emptyMap(),
          Collections.emptyMap(), Collections.emptySet(), Collections.emptyMap());
      TaskContextWeaving weaving = new TaskContextWeaving(inst, config);
      inst.addTransformer(weaving, true);
      return weaving;
    } catch (Throwable e) {
      System.err.println("[weft] tasks handed to executors will not carry the trace context; the application runs on: " + e);
      return null;
    }
  }

  /**
   * Retransforms the task classes loaded before {@link #install}: at a JVM's start usually none, after an attach
   * most. Finding them asks every loaded JDK class its name (2-3 ms at start), so the agent's start-up thread
   * does it, not premain; a task class loaded meanwhile was woven as it loaded. Never throws.
   */
  public void retransformLoaded() {
    try {
      Set<String> names = TaskClasses.classNames();
      List<Class<?>> loaded = new ArrayList<>();
      for (Class<?> type : inst.getAllLoadedClasses()) {
        if (type.getClassLoader() == null && !type.isArray() && !type.isPrimitive() && names.contains(type.getName())
            && !seen.contains(type.getName().replace('.', '/')) && inst.isModifiableClass(type)) {
          loaded.add(type);
        }
      }
      if (!loaded.isEmpty()) {
        debug.accept("retransforming " + loaded.size() + " task class(es) loaded before the agent");
        inst.retransformClasses(loaded.toArray(new Class<?>[0]));
      }
    } catch (Throwable e) {
      System.err.println("[weft] tasks handed to executors of classes loaded before the agent will not carry the trace"
          + " context; the application runs on: " + e);
    }
  }

  @Override
  public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain,
      byte[] classFile) {
    if (loader != null || className == null || classFile == null || !TaskClasses.weaves(className)) {
      return null;
    }
    try {
      seen.add(className);
      return TaskWeaver.weave(className, classFile, debug);
    } catch (Throwable e) {
      InternalErrors.report("weaving " + className, e);
      return null;
    }
  }

  @Override
  public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain, byte[] classFile) {
    return transform(null, loader, className, redefined, domain, classFile);
  }
}
