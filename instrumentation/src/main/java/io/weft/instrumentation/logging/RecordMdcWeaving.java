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
 * A logging library's class, by its exact name, whose one method every event passes through on the logging thread
 * with the event as its only argument: {@code LogBridge.recordWithSpan(event)} first in it (JBoss LogManager's {@code
 * Logger.logRaw(ExtLogRecord)}, Log4j 1's {@code Category.callAppenders(LoggingEvent)}). Only code is added, so the
 * class is retransformed the same way after an attach. Agent class loader.
 */
final class RecordMdcWeaving implements TypeInstrumentation, DirectAdvice.Selector {
  static final String JBOSS_LOGGER = "org/jboss/logmanager/Logger";
  static final String[] JBOSS_METHOD = {"logRaw", "(Lorg/jboss/logmanager/ExtLogRecord;)V"};
  static final String LOG4J1_CATEGORY = "org/apache/log4j/Category";
  static final String[] LOG4J1_METHOD = {"callAppenders", "(Lorg/apache/log4j/spi/LoggingEvent;)V"};
  private static final DirectAdvice ON_ENTRY =
      DirectAdvice.onEntry("io/weft/bridge/LogBridge", "recordWithSpan", "(Ljava/lang/Object;)V", 0);

  private final String owner;
  private final String method;
  private final String descriptor;
  private final Consumer<String> debug;

  RecordMdcWeaving(String owner, String[] method, Consumer<String> debug) {
    this.owner = owner;
    this.method = method[0];
    this.descriptor = method[1];
    this.debug = debug;
  }

  @Override
  public boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
    return classFile.internalName().equals(owner);
  }

  @Override
  public boolean weavesDirectly() {
    return true;
  }

  @Override
  public byte[] weaveDirectly(ClassLoader loader, ClassOutline classFile, byte[] bytes) {
    return DirectAdvice.weave(owner, bytes, this, debug);
  }

  @Override
  public DirectAdvice select(int access, String name, String descriptor) {
    return (access & Opcodes.ACC_STATIC) == 0 && name.equals(method) && descriptor.equals(this.descriptor) ? ON_ENTRY : null;
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named(owner.replace('/', '.'));
  }

  @Override
  public void transform(Advisor advisor) {
    // woven directly, also when retransformed at an attach
  }
}
