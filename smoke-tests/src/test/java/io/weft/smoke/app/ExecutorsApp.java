package io.weft.smoke.app;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Hands work to other threads in every way an application does, from inside a traced method ({@link
 * #request}), and a few ways from outside one. Each task calls a traced method of {@link Tasks} named after the
 * way it was handed over, so the test can find each span's parent. Prints what it saw and exits 0.
 *
 * <p>With the argument {@code attach}, it first uses the task classes without the agent, then attaches the
 * agent to itself: those classes are then retransformed, not woven as they load.
 */
public final class ExecutorsApp {

  private static final int TIMEOUT_SECONDS = 20;

  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final ExecutorService single = Executors.newSingleThreadExecutor();
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
  private final ForkJoinPool forkJoin = new ForkJoinPool(2);

  public static void main(String[] args) throws Throwable {
    if (args.length > 1 && args[0].equals("attach")) {
      // the task classes are loaded and used before the agent arrives
      ExecutorService before = Executors.newSingleThreadExecutor();
      System.out.println("before attach " + CompletableFuture.supplyAsync(() -> 1).thenApplyAsync(x -> x + 1).get()
          + " " + before.submit(() -> 3).get() + " " + ForkJoinPool.commonPool().submit(() -> 4).get());
      before.shutdown();
      AttachApp.attach(args[1]);
    }
    ExecutorsApp app = new ExecutorsApp();
    try {
      app.request();
      app.outside();
      app.periodic();
    } finally {
      app.shutdown();
    }
    System.out.println("executors app done");
  }

  /** Traced: everything it hands over must run under its span. */
  public void request() throws Throwable {
    Tasks tasks = new Tasks(pool);
    System.out.println("submit callable " + pool.submit(tasks::viaSubmitCallable).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    pool.submit(() -> tasks.viaSubmitRunnable()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    System.out.println("invokeAll " + pool.invokeAll(List.<Callable<String>>of(tasks::viaInvokeAll)).get(0).get());
    System.out.println("invokeAny " + pool.invokeAny(List.<Callable<String>>of(tasks::viaInvokeAny)));
    System.out.println("schedule " + scheduler.schedule(tasks::viaSchedule, 1, TimeUnit.MILLISECONDS).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));

    System.out.println("supplyAsync " + CompletableFuture.supplyAsync(tasks::viaSupplyAsync).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    CompletableFuture.runAsync(() -> tasks.viaRunAsync(), pool).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    // callbacks registered on a future completed later, on another thread, outside the span
    CompletableFuture<String> source = new CompletableFuture<>();
    CompletableFuture<String> applied = source.thenApplyAsync(tasks::viaThenApplyAsync, pool);
    CompletableFuture<Void> accepted = source.thenAcceptAsync(tasks::viaThenAcceptAsync, pool);
    CompletableFuture<String> combined = source.thenCombineAsync(CompletableFuture.completedFuture("b"), tasks::viaThenCombineAsync);
    CompletableFuture<String> handled = source.whenCompleteAsync((value, failure) -> tasks.viaWhenCompleteAsync(value));
    new Thread(() -> source.complete("a"), "completer").start();
    System.out.println("callbacks " + applied.get(TIMEOUT_SECONDS, TimeUnit.SECONDS) + " " + accepted.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        + " " + combined.get(TIMEOUT_SECONDS, TimeUnit.SECONDS) + " " + handled.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));

    System.out.println("fork-join submit " + forkJoin.submit(tasks::viaForkJoinSubmit).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    CountDownLatch executed = new CountDownLatch(1);
    forkJoin.execute(() -> {
      tasks.viaForkJoinExecute();
      executed.countDown();
    });
    await(executed);
    virtualThreads(tasks);

    // a parallel stream: its pieces are forked to the common pool's workers, so some run on another thread
    Set<String> threads = ConcurrentHashMap.newKeySet();
    int sum = IntStream.range(0, PIECES).parallel().map(i -> tasks.viaParallelStream(i, threads)).sum();
    System.out.println("parallel stream " + sum + " on " + (threads.size() > 1 ? "several threads" : "one thread"));
    // an application's RecursiveTask, given to a pool and forking its halves
    System.out.println("recursive task " + forkJoin.invoke(new Halves(tasks, 0, 8)));

    // the application's exception reaches it unchanged through the carried task
    try {
      pool.submit(tasks::failing).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      System.out.println("task failed " + e.getCause().getClass().getName() + ": " + e.getCause().getMessage());
    }

    // ThreadPoolExecutor.execute: the task is carried, and stays the application's own object
    single.submit(tasks::viaSingleThread).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    CountDownLatch pooled = new CountDownLatch(1);
    single.execute(() -> {
      tasks.viaExecute();
      pooled.countDown();
    });
    await(pooled);
    System.out.println("identity " + identityKept(tasks));
  }

  /**
   * A pool whose one thread is busy, so that tasks wait in its queue: the pool hands the application's own task
   * objects to {@code remove}, {@code getQueue} and {@code beforeExecute}. Answers what each saw.
   */
  private static String identityKept(Tasks tasks) throws InterruptedException {
    List<Runnable> before = new CopyOnWriteArrayList<>();
    ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>()) {
      @Override
      protected void beforeExecute(Thread thread, Runnable task) {
        before.add(task);
      }
    };
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Runnable blocker = () -> {
      running.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    Runnable queued = () -> tasks.viaQueuedExecute();
    Runnable removed = () -> tasks.neverRuns();
    executor.execute(blocker);
    await(running);
    executor.execute(queued);
    executor.execute(removed);
    boolean removedFound = executor.remove(removed);
    boolean queuedFound = executor.getQueue().contains(queued);
    release.countDown();
    executor.shutdown();
    executor.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    return removedFound + " " + queuedFound + " " + (before.size() == 2 && before.get(0) == blocker && before.get(1) == queued);
  }

  /**
   * Not traced: a task handed over where no span is current runs as it would without the agent, also on the thread
   * that just ran carried tasks (their context did not stay behind).
   */
  void outside() throws Exception {
    Tasks tasks = new Tasks(pool);
    pool.submit(tasks::viaOutside).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    CountDownLatch executed = new CountDownLatch(1);
    single.execute(() -> {
      tasks.viaOutsideExecute();
      executed.countDown();
    });
    await(executed);
  }

  /** Traced: runs of a periodic task carry nothing, or every run would join this trace. */
  public void periodic() throws Exception {
    Tasks tasks = new Tasks(pool);
    CountDownLatch runs = new CountDownLatch(2);
    ScheduledFuture<?> repeating = scheduler.scheduleAtFixedRate(() -> {
      tasks.viaPeriodic();
      runs.countDown();
    }, 0, 10, TimeUnit.MILLISECONDS);
    await(runs);
    repeating.cancel(false);
  }

  public static final int PIECES = 16;

  /** Sums {@code from} to {@code to} by forking halves; each leaf is a traced call. */
  static final class Halves extends RecursiveTask<Integer> {
    private final Tasks tasks;
    private final int from;
    private final int to;

    Halves(Tasks tasks, int from, int to) {
      this.tasks = tasks;
      this.from = from;
      this.to = to;
    }

    @Override
    protected Integer compute() {
      if (to - from == 1) {
        return tasks.viaRecursiveTask(from);
      }
      int middle = (from + to) / 2;
      Halves left = new Halves(tasks, from, middle);
      left.fork();
      return new Halves(tasks, middle, to).compute() + left.join();
    }
  }

  /** The virtual-thread executor's submit and execute, on a JDK that has it (21+), through method handles. */
  private static void virtualThreads(Tasks tasks) throws Throwable {
    if (Runtime.version().feature() < 21) {
      return;
    }
    ExecutorService virtual = (ExecutorService) MethodHandles.publicLookup()
        .findStatic(Executors.class, "newVirtualThreadPerTaskExecutor", MethodType.methodType(ExecutorService.class))
        .invoke();
    try {
      System.out.println("virtual submit " + virtual.submit(tasks::viaVirtualSubmit).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
      CountDownLatch executed = new CountDownLatch(1);
      virtual.execute(() -> {
        tasks.viaVirtualExecute();
        executed.countDown();
      });
      await(executed);
    } finally {
      virtual.shutdown();
    }
  }

  private static void await(CountDownLatch latch) throws InterruptedException {
    if (!latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException("a task did not run within " + TIMEOUT_SECONDS + " s");
    }
  }

  private void shutdown() throws InterruptedException {
    for (ExecutorService executor : List.of(pool, single, scheduler, forkJoin)) {
      executor.shutdown();
      executor.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** The tasks; every public method is traced. */
  public static final class Tasks {
    private final ExecutorService pool;

    Tasks(ExecutorService pool) {
      this.pool = pool;
    }

    /** Hands a task over itself, from inside a carried task: it must nest under this span. */
    public String viaSubmitCallable() throws Exception {
      return pool.submit(this::nested).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    public String nested() {
      return "nested";
    }

    /**
     * One piece of a parallel stream: the first pieces wait (at most a second) until another thread has taken one,
     * so that the common pool's worker surely runs some, even with a parallelism of one.
     */
    public int viaParallelStream(int piece, Set<String> threads) {
      threads.add(Thread.currentThread().getName());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      while (threads.size() < 2 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      return piece;
    }

    public int viaRecursiveTask(int leaf) {
      return leaf;
    }

    public void viaSubmitRunnable() {}

    public String viaInvokeAll() {
      return "all";
    }

    public String viaInvokeAny() {
      return "any";
    }

    public String viaSchedule() {
      return "scheduled";
    }

    public String viaSupplyAsync() {
      return "supplied";
    }

    public void viaRunAsync() {}

    public String viaThenApplyAsync(String value) {
      return value + "1";
    }

    public void viaThenAcceptAsync(String value) {}

    public String viaThenCombineAsync(String first, String second) {
      return first + second;
    }

    public void viaWhenCompleteAsync(String value) {}

    public String viaForkJoinSubmit() {
      return "forked";
    }

    public void viaForkJoinExecute() {}

    public String viaVirtualSubmit() {
      return "virtual";
    }

    public void viaVirtualExecute() {}

    public String failing() {
      throw new IllegalStateException("task failed on purpose");
    }

    public String viaSingleThread() {
      return "single";
    }

    public void viaExecute() {}

    public void viaQueuedExecute() {}

    public void neverRuns() {}

    public void viaOutsideExecute() {}

    public String viaOutside() {
      return "outside";
    }

    public void viaPeriodic() {}
  }
}
