package io.weft.instrumentation.servlet;

import io.weft.bridge.ServletBridge;
import net.bytebuddy.asm.Advice;

/**
 * Carries the request's context into the task given to {@code AsyncContext.start(Runnable)}, so spans
 * started on the container's worker thread are children of the server span. Inlined into the
 * container's {@code AsyncContext} implementation.
 */
public final class AsyncContextStartAdvice {

  private AsyncContextStartAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.Argument(value = 0, readOnly = false) Runnable task) {
    task = ServletBridge.wrap(task);
  }
}
