package io.weft.bridge;

import java.util.function.BiFunction;

/** {@link CarriedTask} for a {@code BiFunction} ({@code thenCombineAsync}, {@code handleAsync}). */
final class CarriedBiFunction<T, U, R> implements BiFunction<T, U, R> {

  private final BiFunction<T, U, R> task;
  private final Object context;

  CarriedBiFunction(BiFunction<T, U, R> task, Object context) {
    this.task = task;
    this.context = context;
  }

  @Override
  public R apply(T first, U second) {
    Object scope = ContextBridge.attach(context);
    try {
      return task.apply(first, second);
    } finally {
      ContextBridge.restore(scope);
    }
  }

  @Override
  public String toString() {
    return String.valueOf(task);
  }
}
