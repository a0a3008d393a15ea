package io.weft.bridge;

import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.Future;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The door from the woven JDK task classes ({@code FutureTask}, {@code CompletableFuture}'s {@code *Async}
 * methods, the fork-join adapters, {@code ThreadPoolExecutor}) into the agent: a task handed over where a span is
 * current runs with that context current, wrapped where the application never sees the task again, else with the
 * context kept beside it ({@link #execute}, {@link #runWorkerTask}). Loaded by the bootstrap class loader, which
 * {@code java.base} is made to read; uses {@code java.base} types only. Each wrapping method answers the task
 * itself, unwrapped, when no handler is installed yet, when nothing but the root context is current, when the
 * task is null or already carried, or when anything fails: the woven JDK code then runs exactly as it would
 * without the agent.
 */
public final class ContextBridge {

  private static volatile Handler handler;

  private ContextBridge() {}

  public static Runnable runnable(Runnable task) {
    Object context = captureFor(task);
    return context == null ? task : new CarriedTask<>(task, context, null);
  }

  public static <T> Callable<T> callable(Callable<T> task) {
    Object context = captureFor(task);
    return context == null ? task : new CarriedTask<>(task, context, null);
  }

  /**
   * The callable of a {@code FutureTask} being made: {@code owner} is that future, asked when the task runs
   * whether it is periodic (a {@code scheduleAtFixedRate} or {@code scheduleWithFixedDelay} task): those run
   * with no carried context, as in the OpenTelemetry agent, or every run would join the trace that scheduled it.
   */
  public static <T> Callable<T> futureTask(Callable<T> task, Object owner) {
    Object context = captureFor(task);
    return context == null ? task : new CarriedTask<>(task, context, owner);
  }

  /**
   * A {@code Runnable} adapted into a task of the JDK's ({@code ForkJoinTask}'s adapters, the virtual-thread
   * executor's runner): carried unless its class is the JDK's own. The JDK schedules every virtual thread's
   * continuation through these adapters, on whatever thread unparks it; carrying the unparking thread's context
   * there would cost a wrapper per scheduling and change nothing the virtual thread sees.
   */
  public static Runnable adaptedRunnable(Runnable task) {
    Object context = captureFor(task);
    return context == null || task.getClass().getClassLoader() == null ? task : new CarriedTask<>(task, context, null);
  }

  /** {@link #adaptedRunnable} for a {@code Callable}. */
  public static <T> Callable<T> adaptedCallable(Callable<T> task) {
    Object context = captureFor(task);
    return context == null || task.getClass().getClassLoader() == null ? task : new CarriedTask<>(task, context, null);
  }

  public static <T> Supplier<T> supplier(Supplier<T> task) {
    Object context = captureFor(task);
    return context == null ? task : new CarriedTask<>(task, context, null);
  }

  public static <T, R> Function<T, R> function(Function<T, R> task) {
    Object context = captureFor(task);
    return context == null ? task : new CarriedTask<>(task, context, null);
  }

  public static <T> Consumer<T> consumer(Consumer<T> task) {
    Object context = captureFor(task);
    return context == null ? task : new CarriedTask<>(task, context, null);
  }

  public static <T, U> BiConsumer<T, U> biConsumer(BiConsumer<T, U> task) {
    Object context = captureFor(task);
    return context == null ? task : new CarriedTask<>(task, context, null);
  }

  public static <T, U, R> BiFunction<T, U, R> biFunction(BiFunction<T, U, R> task) {
    Object context = captureFor(task);
    return context == null ? task : new CarriedBiFunction<>(task, context);
  }

  /**
   * {@code ThreadPoolExecutor.execute(task)}, on entry: the context current here is remembered beside the task,
   * which stays the application's own object ({@code shutdownNow}, {@code getQueue}, {@code remove} and {@code
   * afterExecute} hand it back), for {@link #runWorkerTask} to find. A future ({@code submit}'s {@code FutureTask})
   * or a fork-join task ({@code CompletableFuture}'s) carries its own already.
   */
  public static void execute(Runnable task) {
    Handler ready = handler;
    if (ready == null || task == null || task instanceof Future || task instanceof ForkJoinTask) {
      return;
    }
    try {
      ready.remember(task);
    } catch (Throwable e) {
      // as in captureFor
    }
  }

  /**
   * Replaces {@code task.run()} in {@code ThreadPoolExecutor.runWorker}: runs the task under the context {@link
   * #execute} remembered for it, if any. What the task throws reaches the worker unchanged.
   */
  public static void runWorkerTask(Runnable task) {
    Handler ready = handler;
    Object context = null;
    if (ready != null) {
      try {
        context = ready.recall(task);
      } catch (Throwable e) {
        context = null;
      }
    }
    if (context == null) {
      task.run();
      return;
    }
    Object scope = attach(context);
    try {
      task.run();
    } finally {
      restore(scope);
    }
  }

  /**
   * {@code ForkJoinTask.fork()}, and {@code ForkJoinPool.invoke}, {@code submit} and {@code execute} of a
   * {@code ForkJoinTask}, on entry: the context current here is remembered beside the task (a parallel stream's
   * pieces, an application's {@code RecursiveTask}), which the JDK hands from queue to queue and the application
   * may join, so it is not wrapped; {@link #forkedEnter} finds it when the task runs.
   */
  public static void fork(Object task) {
    Handler ready = handler;
    if (ready == null || task == null) {
      return;
    }
    try {
      ready.rememberForked(task);
    } catch (Throwable e) {
      // as in captureFor
    }
  }

  /**
   * {@code ForkJoinTask.doExec()}, on entry, on the thread about to run {@code task}: makes the context {@link
   * #fork} remembered for it current; what {@link #forkedExit} restores, or null.
   */
  public static Object forkedEnter(Object task) {
    Handler ready = handler;
    if (ready == null) {
      return null;
    }
    Object context;
    try {
      context = ready.recallForked(task);
    } catch (Throwable e) {
      return null;
    }
    return context == null ? null : attach(context);
  }

  /** {@code ForkJoinTask.doExec()}, on every way out: undoes {@link #forkedEnter}. */
  public static void forkedExit(Object scope, Throwable thrown) {
    restore(scope);
  }

  /** The context to carry with {@code task}; null to leave the task as it is. */
  private static Object captureFor(Object task) {
    Handler ready = handler;
    if (ready == null || task == null || task instanceof CarriedTask || task instanceof CarriedBiFunction) {
      return null;
    }
    try {
      return ready.capture();
    } catch (Throwable e) {
      return null; // called from inside the JDK: nothing may reach the application
    }
  }

  /** Makes {@code context} current on this thread; what {@link #restore} needs, or null. Never throws. */
  static Object attach(Object context) {
    Handler ready = handler;
    if (ready == null) {
      return null;
    }
    try {
      return ready.attach(context);
    } catch (Throwable e) {
      return null;
    }
  }

  /** Undoes {@link #attach}. Never throws. */
  static void restore(Object scope) {
    Handler ready = handler;
    if (scope != null && ready != null) {
      try {
        ready.restore(scope);
      } catch (Throwable e) {
        // as in attach
      }
    }
  }

  /** Whether {@code owner} is a periodic scheduled task, whose runs carry no context. Never throws. */
  static boolean periodic(Object owner) {
    try {
      return owner instanceof RunnableScheduledFuture && ((RunnableScheduledFuture<?>) owner).isPeriodic();
    } catch (Throwable e) {
      return true; // an application's future whose isPeriodic fails: run the task as if no agent were there
    }
  }

  /** Installs the agent's handler; {@code null} switches carrying off (tasks already carried still run). */
  public static void install(Handler ready) {
    handler = ready;
  }

  /** Implemented in the agent class loader, on Weft's context storage. */
  public interface Handler {
    /** The calling thread's current context when there is one worth carrying, else null. */
    Object capture();

    /** Makes {@code context} current; returns what {@link #restore} takes. */
    Object attach(Object context);

    /** Restores the context that was current before {@link #attach} returned {@code scope}. */
    void restore(Object scope);

    /** Keeps the calling thread's current context, if one is worth carrying, beside {@code task} (held weakly). */
    void remember(Object task);

    /** The context {@link #remember} kept for {@code task}, now forgotten; null when none. */
    Object recall(Object task);

    /** As {@link #remember}, for a fork-join task forked or given to a pool (kept apart from the executors'). */
    default void rememberForked(Object task) {}

    /** The context {@link #rememberForked} kept for {@code task}, now forgotten; null when none. */
    default Object recallForked(Object task) {
      return null;
    }
  }
}
