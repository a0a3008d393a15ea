package lambdafixtures;

import java.util.function.IntSupplier;

/** A capturing Pricing lambda; loaded only after the agent is installed. */
public final class Priced implements IntSupplier {
  @Override
  public int getAsInt() {
    int surcharge = 3;
    Pricing pricing = amount -> amount + surcharge;
    return pricing.apply(4);
  }
}
