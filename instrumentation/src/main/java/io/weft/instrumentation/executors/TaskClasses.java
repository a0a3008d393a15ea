package io.weft.instrumentation.executors;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The JDK classes {@link TaskWeaver} weaves, by name: what the transformer asks of every class the bootstrap loader
 * defines. Kept apart from the weaver, so that its advice and visitors are loaded and set up only when a task class
 * actually loads: asking the weaver itself ran its class initializer and loaded its visitors in the premain of
 * every JVM, a hello world's included, which loads no task class. Agent class loader.
 */
public final class TaskClasses {

  public static final String FUTURE_TASK = "java/util/concurrent/FutureTask";
  public static final String COMPLETABLE_FUTURE = "java/util/concurrent/CompletableFuture";
  public static final String THREAD_POOL_EXECUTOR = "java/util/concurrent/ThreadPoolExecutor";
  public static final String FORK_JOIN_TASK = "java/util/concurrent/ForkJoinTask";
  public static final String FORK_JOIN_POOL = "java/util/concurrent/ForkJoinPool";

  /** Classes whose constructors' {@code Runnable} and {@code Callable} arguments are wrapped on entry. */
  static final Set<String> ADAPTERS = new HashSet<>(Arrays.asList(
      "java/util/concurrent/ForkJoinTask$AdaptedRunnable",
      "java/util/concurrent/ForkJoinTask$AdaptedRunnableAction",
      "java/util/concurrent/ForkJoinTask$AdaptedCallable",
      "java/util/concurrent/ForkJoinTask$RunnableExecuteAction",
      "java/util/concurrent/ForkJoinTask$AdaptedInterruptibleCallable",
      "java/util/concurrent/ForkJoinTask$AdaptedInterruptibleRunnable",
      "java/util/concurrent/ThreadPerTaskExecutor$TaskRunner"));

  private TaskClasses() {}

  /** Whether {@link TaskWeaver#weave} may change the class with this internal name; cheap, asked of every JDK class. */
  public static boolean weaves(String internalName) {
    return internalName.startsWith("java/util/concurrent/")
        && (internalName.equals(FUTURE_TASK) || internalName.equals(COMPLETABLE_FUTURE)
            || internalName.equals(THREAD_POOL_EXECUTOR) || internalName.equals(FORK_JOIN_TASK)
            || internalName.equals(FORK_JOIN_POOL) || ADAPTERS.contains(internalName));
  }

  /** Every class {@link #weaves}, by binary name: those to retransform when they were loaded before the agent. */
  public static Set<String> classNames() {
    Set<String> names = new HashSet<>();
    names.add(FUTURE_TASK.replace('/', '.'));
    names.add(COMPLETABLE_FUTURE.replace('/', '.'));
    names.add(THREAD_POOL_EXECUTOR.replace('/', '.'));
    names.add(FORK_JOIN_TASK.replace('/', '.'));
    names.add(FORK_JOIN_POOL.replace('/', '.'));
    for (String adapter : ADAPTERS) {
      names.add(adapter.replace('/', '.'));
    }
    return names;
  }
}
