package io.weft.agent.weave;

import io.weft.agent.config.WeftConfig;
import io.weft.bridge.LogBridge;
import io.weft.instrumentation.DebugLines;
import io.weft.instrumentation.DirectAdvice;
import io.weft.instrumentation.InternalErrors;
import io.weft.instrumentation.logging.LogRecords;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.Collections;
import java.util.Optional;
import java.util.function.Consumer;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Weaves {@code java.util.logging.Logger.log(LogRecord)} ({@link LogRecords#julAdvice}), through which every JUL call
 * goes, so JUL records become log records like Logback's and Log4j's. As {@link TaskContextWeaving} does for the
 * task classes: module {@code java.logging} is made to read the bootstrap loader's unnamed module (where {@link
 * LogBridge} lives), and a transformer of its own weaves the class as it loads ({@link #retransformLoaded} weaves it
 * when it was loaded before, after an attach). The first weave asks for the SDK, as an application class would.
 * Agent class loader.
 */
public final class JulWeaving implements ClassFileTransformer, DirectAdvice.Selector {

  /**
   * JUL's logger class, built at run time: the shaded build renames every constant naming it, strings included,
   * to the agent's {@code SdkLogger} (pom.xml), which would leave JUL unwoven.
   */
  private static final String LOGGER = new StringBuilder("java/util/logging/").append("Logger").toString();
  private static final String LOG_DESCRIPTOR = "(Ljava/util/logging/LogRecord;)V";
  private static final DirectAdvice ADVICE = LogRecords.julAdvice();

  private final Instrumentation inst;
  private final Consumer<String> debug;
  private final Runnable onWoven;

  private JulWeaving(Instrumentation inst, WeftConfig config, Runnable onWoven) {
    this.inst = inst;
    this.debug = new DebugLines(config);
    this.onWoven = onWoven;
  }

  /**
   * Installs the weaving; null when the runtime has no {@code java.logging} module (a trimmed image: nothing to do)
   * or, after one line on stderr, when the JVM does not allow it: JUL records are then not exported.
   * {@code onWoven} runs on the thread that loads the class, before it is defined.
   */
  public static JulWeaving install(Instrumentation inst, WeftConfig config, Runnable onWoven) {
    try {
      Optional<Module> logging = ModuleLayer.boot().findModule("java.logging");
      if (!logging.isPresent()) {
        return null;
      }
      inst.redefineModule(logging.get(), Collections.singleton(LogBridge.class.getModule()), Collections.emptyMap(),
          Collections.emptyMap(), Collections.emptySet(), Collections.emptyMap());
      JulWeaving weaving = new JulWeaving(inst, config, onWoven);
      inst.addTransformer(weaving, true);
      return weaving;
    } catch (Throwable e) {
      System.err.println("[weft] java.util.logging records will not be exported as log records; the application runs on: " + e);
      return null;
    }
  }

  /** Weaves JUL's logger when it was loaded before {@link #install} (after an attach). Never throws. */
  public void retransformLoaded() {
    try {
      String name = LOGGER.replace('/', '.');
      for (Class<?> type : inst.getAllLoadedClasses()) {
        if (type.getClassLoader() == null && type.getName().equals(name) && inst.isModifiableClass(type)) {
          debug.accept("retransforming " + name + ", loaded before the agent");
          inst.retransformClasses(type);
          return;
        }
      }
    } catch (Throwable e) {
      System.err.println("[weft] java.util.logging records will not be exported as log records; the application runs on: " + e);
    }
  }

  @Override
  public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain,
      byte[] classFile) {
    if (loader != null || classFile == null || !LOGGER.equals(className)) {
      return null;
    }
    try {
      byte[] woven = DirectAdvice.weave(className, classFile, this, debug);
      if (woven != null) {
        onWoven.run();
      }
      return woven;
    } catch (Throwable e) {
      InternalErrors.report("weaving " + className, e);
      return null;
    }
  }

  @Override
  public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain, byte[] classFile) {
    return transform(null, loader, className, redefined, domain, classFile);
  }

  @Override
  public DirectAdvice select(int access, String name, String descriptor) {
    return (access & Opcodes.ACC_STATIC) == 0 && DirectAdvice.isCode(access, name) && name.equals("log")
        && descriptor.equals(LOG_DESCRIPTOR) ? ADVICE : null;
  }
}
