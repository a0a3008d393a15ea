package io.weft.instrumentation.methods;

import io.weft.bridge.MethodBridge;
import net.bytebuddy.asm.Advice;

/** Times one configured method and records what it throws. Inlined into the application's class. */
public final class MethodAdvice {

  private MethodAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@MethodId int methodId, @Advice.Local("weftStart") long start) {
    start = MethodBridge.clock();
    return MethodBridge.enter(methodId, start);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object call, @Advice.Local("weftStart") long start, @Advice.Thrown Throwable thrown) {
    if (call != null) {
      MethodBridge.exit(call, start, thrown);
    }
  }
}
