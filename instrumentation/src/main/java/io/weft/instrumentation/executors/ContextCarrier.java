package io.weft.instrumentation.executors;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.weft.bridge.ContextBridge;
import io.weft.instrumentation.trace.WeftContextStorage;

/**
 * The handler behind {@link ContextBridge}: captures the submitting thread's context from Weft's context
 * storage (one thread-local look-up, nothing made when only the root is current) and makes it current around
 * the task. Agent class loader.
 */
public final class ContextCarrier implements ContextBridge.Handler {

  @Override
  public Object capture() {
    return WeftContextStorage.currentUnlessRoot();
  }

  @Override
  public Object attach(Object context) {
    return WeftContextStorage.makeCurrent((Context) context);
  }

  @Override
  public void restore(Object scope) {
    ((Scope) scope).close();
  }
}
