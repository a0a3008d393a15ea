package lambdafixtures;

import java.util.function.IntSupplier;

/** A Pricing lambda that throws; the test checks the same exception instance arrives. */
public final class Failing implements IntSupplier {
  public static final IllegalStateException FAILURE = new IllegalStateException("no price");

  @Override
  public int getAsInt() {
    Pricing pricing = amount -> {
      throw FAILURE;
    };
    return pricing.apply(1);
  }
}
