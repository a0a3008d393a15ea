package io.weft.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the woven JDK code gets back from the bridge, and what a carried task does when it runs. */
class ContextBridgeTest {

  /** A stand-in for the agent's handler: the current "context" is a string, and it logs attach and restore. */
  private static final class Recording implements ContextBridge.Handler {
    String current;
    final List<String> log = new ArrayList<>();
    RuntimeException failure;

    @Override
    public Object capture() {
      if (failure != null) {
        throw failure;
      }
      return current;
    }

    @Override
    public Object attach(Object context) {
      log.add("attach " + context);
      String before = current;
      current = (String) context;
      return new String[] {before};
    }

    @Override
    public void restore(Object scope) {
      current = ((String[]) scope)[0];
      log.add("restore " + current);
    }

    final Map<Object, String> remembered = new IdentityHashMap<>();

    @Override
    public void remember(Object task) {
      if (current != null) {
        remembered.put(task, current);
      }
    }

    @Override
    public Object recall(Object task) {
      return remembered.remove(task);
    }
  }

  private final Recording handler = new Recording();

  @AfterEach
  void uninstall() {
    ContextBridge.install(null);
  }

  @Test
  void beforeTheAgentIsReadyEveryTaskIsHandedOnAsItIs() {
    Runnable task = () -> {};
    assertSame(task, ContextBridge.runnable(task));
    Supplier<String> supplier = () -> "x";
    assertSame(supplier, ContextBridge.supplier(supplier));
  }

  @Test
  void withOnlyTheRootContextCurrentNothingIsWrapped() {
    ContextBridge.install(handler);
    Runnable task = () -> {};
    Callable<String> callable = () -> "x";
    assertSame(task, ContextBridge.runnable(task));
    assertSame(callable, ContextBridge.callable(callable));
    assertSame(callable, ContextBridge.futureTask(callable, new Object()));
    assertNull(ContextBridge.runnable(null), "a null task stays null: the JDK throws its own exception");
    assertEquals(List.of(), handler.log);
  }

  @Test
  void everyShapeRunsWithTheContextOfWhereItWasHandedOverAndRestoresTheRunnersOwn() throws Exception {
    ContextBridge.install(handler);
    handler.current = "request";
    List<String> seen = new ArrayList<>();
    Runnable runnable = ContextBridge.runnable(() -> seen.add("runnable in " + handler.current));
    Callable<String> callable = ContextBridge.callable(() -> "callable in " + handler.current);
    Supplier<String> supplier = ContextBridge.supplier(() -> "supplier in " + handler.current);
    Function<String, String> function = ContextBridge.function(v -> v + " function in " + handler.current);
    Consumer<String> consumer = ContextBridge.consumer(v -> seen.add(v + " consumer in " + handler.current));
    BiFunction<String, String, String> biFunction = ContextBridge.biFunction((a, b) -> a + b + " bifunction in " + handler.current);
    BiConsumer<String, String> biConsumer = ContextBridge.biConsumer((a, b) -> seen.add(a + b + " biconsumer in " + handler.current));

    handler.current = "worker"; // the thread that runs them has a context of its own
    runnable.run();
    seen.add(callable.call());
    seen.add(supplier.get());
    seen.add(function.apply("v"));
    consumer.accept("v");
    seen.add(biFunction.apply("a", "b"));
    biConsumer.accept("a", "b");

    assertEquals(List.of("runnable in request", "callable in request", "supplier in request", "v function in request",
        "v consumer in request", "ab bifunction in request", "ab biconsumer in request"), seen);
    assertEquals("worker", handler.current, "each task restored the runner's context");
    assertEquals(14, handler.log.size());
  }

  @Test
  void whatTheTaskThrowsPassesThroughAndTheContextIsStillRestored() {
    ContextBridge.install(handler);
    handler.current = "request";
    IllegalStateException thrown = new IllegalStateException("the application's");
    Callable<String> callable = ContextBridge.callable(() -> {
      throw thrown;
    });
    handler.current = null;
    assertSame(thrown, assertThrows(IllegalStateException.class, callable::call));
    assertNull(handler.current);
    assertEquals(List.of("attach request", "restore null"), handler.log);
  }

  @Test
  void aCarriedTaskIsNotWrappedAgain() {
    ContextBridge.install(handler);
    handler.current = "first";
    Runnable once = ContextBridge.runnable(() -> {});
    handler.current = "second";
    assertSame(once, ContextBridge.runnable(once), "it keeps the context of where it was first handed over");
    BiFunction<String, String, String> biFunction = ContextBridge.biFunction((a, b) -> a);
    assertSame(biFunction, ContextBridge.biFunction(biFunction));
  }

  @Test
  void aThreadPoolTaskIsRememberedNotWrappedAndRunsUnderItsContextOnce() {
    ContextBridge.install(handler);
    handler.current = "request";
    List<String> seen = new ArrayList<>();
    Runnable task = () -> seen.add("ran in " + handler.current);
    ContextBridge.execute(task);
    ContextBridge.execute(new FutureTask<>(() -> "x")); // submit's future carries its own context
    ContextBridge.execute(ForkJoinLike.TASK); // CompletableFuture's tasks carry their callbacks' context already
    assertEquals(1, handler.remembered.size(), "only the plain Runnable is remembered");
    handler.current = "worker";
    ContextBridge.runWorkerTask(task);
    ContextBridge.runWorkerTask(task); // run again without being executed again: nothing remembered any more
    assertEquals(List.of("ran in request", "ran in worker"), seen);
    assertEquals("worker", handler.current);
  }

  @Test
  void aWorkersTaskThrowsThroughTheBridgeUnchanged() {
    ContextBridge.install(handler);
    handler.current = "request";
    IllegalStateException thrown = new IllegalStateException("the application's");
    Runnable task = () -> {
      throw thrown;
    };
    ContextBridge.execute(task);
    handler.current = null;
    assertSame(thrown, assertThrows(IllegalStateException.class, () -> ContextBridge.runWorkerTask(task)));
    assertNull(handler.current, "restored");
    ContextBridge.install(null);
    Runnable plain = () -> {
      throw thrown;
    };
    assertSame(thrown, assertThrows(IllegalStateException.class, () -> ContextBridge.runWorkerTask(plain)),
        "before the agent is ready too");
  }

  /** A fork-join task that is also a Runnable, as CompletableFuture's own tasks are. */
  private static final class ForkJoinLike extends java.util.concurrent.RecursiveAction implements Runnable {
    static final ForkJoinLike TASK = new ForkJoinLike();

    @Override
    protected void compute() {}

    @Override
    public void run() {}
  }

  @Test
  void aHandlerFailingWhileATaskRunsStillRunsTheTaskOnce() throws Exception {
    ContextBridge.Handler failing = new ContextBridge.Handler() {
      @Override
      public Object capture() {
        return "request";
      }

      @Override
      public Object attach(Object context) {
        throw new IllegalStateException("an agent bug in attach");
      }

      @Override
      public void restore(Object scope) {
        throw new IllegalStateException("an agent bug in restore");
      }

      @Override
      public void remember(Object task) {
        throw new IllegalStateException("an agent bug in remember");
      }

      @Override
      public Object recall(Object task) {
        throw new IllegalStateException("an agent bug in recall");
      }
    };
    ContextBridge.install(failing);
    int[] runs = {0};
    Runnable counted = () -> runs[0]++;
    ContextBridge.runnable(counted).run();
    assertEquals("x", ContextBridge.callable(() -> "x").call());
    ContextBridge.execute(counted);
    ContextBridge.runWorkerTask(counted);
    assertEquals(2, runs[0], "each task ran once, without its context");
  }

  @Test
  void aFailingHandlerLeavesTheTaskAsItIs() {
    ContextBridge.install(handler);
    handler.failure = new IllegalStateException("an agent bug");
    Runnable task = () -> {};
    assertSame(task, ContextBridge.runnable(task));
  }

  @Test
  void theRunsOfAPeriodicTaskCarryNothing() throws Exception {
    ContextBridge.install(handler);
    handler.current = "scheduling request";
    Periodic periodic = new Periodic(true);
    Callable<String> task = ContextBridge.futureTask(() -> "ran in " + handler.current, periodic);
    assertNotSame(periodic, task);
    handler.current = null;
    assertEquals("ran in null", task.call());
    assertEquals(List.of(), handler.log);

    handler.current = "scheduling request";
    Callable<String> once = ContextBridge.futureTask(() -> "ran in " + handler.current, new Periodic(false));
    handler.current = null;
    assertEquals("ran in scheduling request", once.call(), "a one-shot scheduled task carries the context");
  }

  @Test
  void anAdaptedTaskOfTheJdksOwnIsNotCarried() {
    ContextBridge.install(handler);
    handler.current = "request";
    Runnable jdkOwn = new FutureTask<>(() -> "x"); // a bootstrap class, as the virtual-thread scheduler's tasks
    assertSame(jdkOwn, ContextBridge.adaptedRunnable(jdkOwn));
    Runnable application = () -> {};
    assertNotSame(application, ContextBridge.adaptedRunnable(application));
    Callable<String> applicationCallable = () -> "x";
    assertNotSame(applicationCallable, ContextBridge.adaptedCallable(applicationCallable));
  }

  @Test
  void aCarriedTaskShowsTheTasksOwnToString() {
    ContextBridge.install(handler);
    handler.current = "request";
    Runnable task = new Runnable() {
      @Override
      public void run() {}

      @Override
      public String toString() {
        return "the application's task";
      }
    };
    assertEquals("the application's task", ContextBridge.runnable(task).toString(), "FutureTask.toString shows it");
  }

  /** A scheduled future as ScheduledThreadPoolExecutor's, periodic or not. */
  private static final class Periodic extends FutureTask<String> implements RunnableScheduledFuture<String> {
    private final boolean periodic;

    Periodic(boolean periodic) {
      super(() -> "unused");
      this.periodic = periodic;
    }

    @Override
    public boolean isPeriodic() {
      return periodic;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return 0;
    }

    @Override
    public int compareTo(Delayed other) {
      return 0;
    }
  }
}
