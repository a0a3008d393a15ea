package io.weft.bridge;

import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A task that runs with the context current where it was handed over ({@link ContextBridge}). One class for
 * every task shape the woven JDK code takes but {@code BiFunction} (whose {@code andThen} clashes with
 * {@code Function}'s): one class to load, one object per carried task. Only ever seen by the JDK code that
 * made it; what the task throws passes through untouched, and {@link #toString} is the task's, as {@code
 * FutureTask.toString} shows it.
 */
final class CarriedTask<T, U, R>
    implements Runnable, Callable<R>, Supplier<R>, Function<T, R>, Consumer<T>, BiConsumer<T, U> {

  private final Object task;
  private final Object context;
  /** The {@code FutureTask} whose callable this is, or null. */
  private final Object owner;

  CarriedTask(Object task, Object context, Object owner) {
    this.task = task;
    this.context = context;
    this.owner = owner;
  }

  @Override
  public void run() {
    Object scope = ContextBridge.attach(context);
    try {
      ((Runnable) task).run();
    } finally {
      ContextBridge.restore(scope);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public R call() throws Exception {
    if (owner != null && ContextBridge.periodic(owner)) {
      return ((Callable<R>) task).call();
    }
    Object scope = ContextBridge.attach(context);
    try {
      return ((Callable<R>) task).call();
    } finally {
      ContextBridge.restore(scope);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public R get() {
    Object scope = ContextBridge.attach(context);
    try {
      return ((Supplier<R>) task).get();
    } finally {
      ContextBridge.restore(scope);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public R apply(T value) {
    Object scope = ContextBridge.attach(context);
    try {
      return ((Function<T, R>) task).apply(value);
    } finally {
      ContextBridge.restore(scope);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public void accept(T value) {
    Object scope = ContextBridge.attach(context);
    try {
      ((Consumer<T>) task).accept(value);
    } finally {
      ContextBridge.restore(scope);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public void accept(T first, U second) {
    Object scope = ContextBridge.attach(context);
    try {
      ((BiConsumer<T, U>) task).accept(first, second);
    } finally {
      ContextBridge.restore(scope);
    }
  }

  @Override
  public String toString() {
    return String.valueOf(task);
  }
}
