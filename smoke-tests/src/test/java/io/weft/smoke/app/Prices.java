package io.weft.smoke.app;

/** Not named in the configuration: the target of a {@code Pricing} method reference. */
public final class Prices {

  private Prices() {}

  public static int triple(int amount) {
    return amount * 3;
  }
}
