package io.weft.smoke.app;

/** A functional interface named in the configuration and implemented by a lambda. */
@FunctionalInterface
public interface Pricing {
  int apply(int amount);
}
