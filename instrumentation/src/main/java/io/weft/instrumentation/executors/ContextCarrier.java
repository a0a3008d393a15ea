package io.weft.instrumentation.executors;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.weft.bridge.ContextBridge;
import io.weft.instrumentation.WeakIdentityMap;
import io.weft.instrumentation.trace.WeftContextStorage;

/**
 * The handler behind {@link ContextBridge}: captures the submitting thread's context from Weft's context
 * storage (one thread-local look-up, nothing made when only the root is current) and makes it current around
 * the task. Agent class loader.
 */
public final class ContextCarrier implements ContextBridge.Handler {

  /**
   * Tasks queued with {@code ThreadPoolExecutor.execute} where a context was current, at most this many at once
   * (beyond, a task runs without it): a backlog of 65,536 queued tasks holds some 6 MB here besides their contexts.
   */
  static final int MAX_REMEMBERED = 65_536;

  /** Task to context, for {@code ThreadPoolExecutor}: the task is the application's, so it is not wrapped. */
  private final WeakIdentityMap<Context> remembered = new WeakIdentityMap<>(MAX_REMEMBERED);

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

  @Override
  public void remember(Object task) {
    Context context = WeftContextStorage.currentUnlessRoot();
    if (context != null) {
      remembered.put(task, context);
    } else {
      remembered.take(task); // a task handed over again, now outside any span, must not run under the old one
    }
  }

  @Override
  public Object recall(Object task) {
    return remembered.take(task);
  }
}
