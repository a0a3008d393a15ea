package io.weft.instrumentation.logging;

import static net.bytebuddy.matcher.ElementMatchers.named;

import io.weft.instrumentation.ClassOutline;
import io.weft.instrumentation.DirectAdvice;
import io.weft.instrumentation.TypeInstrumentation;
import java.util.function.Consumer;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * JBoss LogManager's {@code Logger}, by its exact name: {@code LogBridge.recordWithSpan(record)} first in {@code
 * logRaw(ExtLogRecord)}. Only code is added, so the class is retransformed the same way after an attach. Agent
 * class loader.
 */
final class RecordMdcWeaving implements TypeInstrumentation, DirectAdvice.Selector {
  static final String LOGGER = "org/jboss/logmanager/Logger";
  private static final DirectAdvice ON_ENTRY =
      DirectAdvice.onEntry("io/weft/bridge/LogBridge", "recordWithSpan", "(Ljava/lang/Object;)V", 0);

  private final Consumer<String> debug;

  RecordMdcWeaving(Consumer<String> debug) {
    this.debug = debug;
  }

  @Override
  public boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
    return classFile.internalName().equals(LOGGER);
  }

  @Override
  public boolean weavesDirectly() {
    return true;
  }

  @Override
  public byte[] weaveDirectly(ClassLoader loader, ClassOutline classFile, byte[] bytes) {
    return DirectAdvice.weave(LOGGER, bytes, this, debug);
  }

  @Override
  public DirectAdvice select(int access, String name, String descriptor) {
    return (access & Opcodes.ACC_STATIC) == 0 && name.equals("logRaw")
        && descriptor.equals("(Lorg/jboss/logmanager/ExtLogRecord;)V") ? ON_ENTRY : null;
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named(LOGGER.replace('/', '.'));
  }

  @Override
  public void transform(Advisor advisor) {
    // woven directly, also when retransformed at an attach
  }
}
