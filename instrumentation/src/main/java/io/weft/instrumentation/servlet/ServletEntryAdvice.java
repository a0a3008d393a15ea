package io.weft.instrumentation.servlet;

import io.weft.bridge.ServletBridge;
import net.bytebuddy.asm.Advice;

/**
 * Opens and closes the server span around {@code Servlet.service(req, res)} and {@code
 * Filter.doFilter(req, res, chain)}, javax and jakarta alike. Inlined into container and webapp
 * classes. The request and response are declared {@code Object}: the agent resolves this advice
 * without seeing any servlet API, and the agent side reads them through cached method handles.
 */
public final class ServletEntryAdvice {

  private ServletEntryAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(@Advice.Argument(0) Object request, @Advice.Argument(1) Object response) {
    return ServletBridge.enter(request, response);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Enter Object call, @Advice.Thrown Throwable thrown) {
    if (call != null) { // null: not recording, or nested inside the request's outermost entry
      ServletBridge.exit(call, thrown);
    }
  }
}
