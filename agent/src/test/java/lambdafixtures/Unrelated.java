package lambdafixtures;

import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;

/** Mentions Pricing and the lambda factory, but its lambda implements another interface. */
public final class Unrelated implements IntSupplier {
  @Override
  public int getAsInt() {
    IntUnaryOperator twice = amount -> amount * 2;
    Pricing none = null;
    return twice.applyAsInt(none == null ? 5 : 0);
  }
}
