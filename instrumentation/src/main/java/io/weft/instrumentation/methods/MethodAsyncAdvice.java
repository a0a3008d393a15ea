package io.weft.instrumentation.methods;

import io.weft.bridge.MethodBridge;
import net.bytebuddy.asm.Advice;

/**
 * Times a configured method that returns a {@code CompletionStage}: the span ends when the stage
 * completes. A separate advice so that other methods never box their return value.
 */
public final class MethodAsyncAdvice {

  private MethodAsyncAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@MethodId int methodId, @Advice.Local("weftStart") long start) {
    start = MethodBridge.clock();
    return MethodBridge.enter(methodId, start);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object call,
      @Advice.Local("weftStart") long start,
      @Advice.Thrown Throwable thrown,
      @Advice.Return Object returned) {
    if (call != null) {
      MethodBridge.exitAsync(call, start, thrown, returned);
    }
  }
}
