package io.weft.instrumentation.executors;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.weft.bridge.ContextBridge;
import io.weft.instrumentation.FaultInjection;
import io.weft.instrumentation.InternalErrors;
import io.weft.instrumentation.WeakIdentityMap;
import io.weft.instrumentation.trace.WeftContextStorage;

/**
 * The handler behind {@link ContextBridge}: captures the submitting thread's context from Weft's context
 * storage (one thread-local look-up, nothing made when only the root is current) and makes it current around
 * the task. A failure of its own is reported in one line and the task runs as it would without the agent.
 * Agent class loader.
 */
public final class ContextCarrier implements ContextBridge.Handler {

  /**
   * Tasks queued with {@code ThreadPoolExecutor.execute} where a context was current, at most this many at once
   * (beyond, a task runs without it): a backlog of 65,536 queued tasks holds some 6 MB here besides their contexts.
   */
  static final int MAX_REMEMBERED = 65_536;

  /** The place a failure of this carrier is reported under, once: the bridge would only swallow it. */
  private static final String WHERE = "carrying the context";

  /** Task to context, for {@code ThreadPoolExecutor}: the task is the application's, so it is not wrapped. */
  private final WeakIdentityMap<Context> remembered = new WeakIdentityMap<>(MAX_REMEMBERED);
  /**
   * Fork-join task to context: apart from the executors', so that every fork-join task run (a virtual thread's
   * every mount among them) finds an empty map without a look-up while no task was forked under a span.
   */
  private final WeakIdentityMap<Context> forked = new WeakIdentityMap<>(MAX_REMEMBERED);

  @Override
  public Object capture() {
    try {
      FaultInjection.contextCarry();
      return WeftContextStorage.currentUnlessRoot();
    } catch (RuntimeException e) {
      InternalErrors.report(WHERE, e);
      return null; // the task runs as it would without the agent
    }
  }

  @Override
  public Object attach(Object context) {
    try {
      FaultInjection.contextCarry();
      return WeftContextStorage.makeCurrent((Context) context);
    } catch (RuntimeException e) {
      InternalErrors.report(WHERE, e);
      return null; // the task runs without the context, and nothing is restored
    }
  }

  @Override
  public void restore(Object scope) {
    try {
      FaultInjection.contextCarry();
      ((Scope) scope).close();
    } catch (RuntimeException e) {
      InternalErrors.report(WHERE, e);
    }
  }

  @Override
  public void remember(Object task) {
    try {
      FaultInjection.contextCarry();
      Context context = WeftContextStorage.currentUnlessRoot();
      if (context != null) {
        remembered.put(task, context);
      } else {
        remembered.take(task); // a task handed over again, now outside any span, must not run under the old one
      }
    } catch (RuntimeException e) {
      InternalErrors.report(WHERE, e);
    }
  }

  @Override
  public void rememberForked(Object task) {
    try {
      FaultInjection.contextCarry();
      Context context = WeftContextStorage.currentUnlessRoot();
      if (context != null) {
        forked.put(task, context);
      } else {
        forked.take(task); // forked again outside any span: not under the old one
      }
    } catch (RuntimeException e) {
      InternalErrors.report(WHERE, e);
    }
  }

  @Override
  public Object recallForked(Object task) {
    try {
      return forked.take(task);
    } catch (RuntimeException e) {
      InternalErrors.report(WHERE, e);
      return null;
    }
  }

  @Override
  public Object recall(Object task) {
    try {
      FaultInjection.contextCarry();
      return remembered.take(task);
    } catch (RuntimeException e) {
      InternalErrors.report(WHERE, e);
      return null;
    }
  }
}
