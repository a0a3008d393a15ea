package io.weft.receiver;

import java.util.Objects;
import java.util.function.Predicate;

/** A predicate that says what it matches, so a timed-out wait can tell what it was waiting for. */
final class DescribedPredicate<T> implements Predicate<T> {
  private final String description;
  private final Predicate<? super T> test;

  DescribedPredicate(String description, Predicate<? super T> test) {
    this.description = description;
    this.test = test;
  }

  @Override
  public boolean test(T t) {
    return test.test(t);
  }

  @Override
  public Predicate<T> and(Predicate<? super T> other) {
    Objects.requireNonNull(other);
    return new DescribedPredicate<>(description + " and " + describe(other),
        t -> test(t) && other.test(t));
  }

  @Override
  public Predicate<T> or(Predicate<? super T> other) {
    Objects.requireNonNull(other);
    return new DescribedPredicate<>("(" + description + " or " + describe(other) + ")",
        t -> test(t) || other.test(t));
  }

  @Override
  public Predicate<T> negate() {
    return new DescribedPredicate<>("not " + description, t -> !test(t));
  }

  @Override
  public String toString() {
    return description;
  }

  /** The description of a DescribedPredicate; a placeholder for lambdas, whose toString says nothing. */
  static String describe(Predicate<?> predicate) {
    return predicate instanceof DescribedPredicate ? predicate.toString() : "<predicate>";
  }
}
