package lambdafixtures;

import java.util.function.IntSupplier;

/** Loaded before the agent is installed, as a class of a JVM the agent attaches to later. */
public final class Early implements IntSupplier {
  @Override
  public int getAsInt() {
    Pricing pricing = amount -> amount * 10;
    return pricing.apply(1);
  }
}
