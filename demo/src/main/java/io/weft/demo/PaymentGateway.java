package io.weft.demo;

import java.math.BigDecimal;

/** A card processor that declines the test card 4000-0002, as real gateways' sandboxes do. */
final class PaymentGateway {
  private int nextId = 1;

  String charge(String card, BigDecimal amount) {
    ShopDemo.work(5);
    if (card.equals("4000-0002")) {
      throw new PaymentDeclinedException("card " + card + " declined for " + amount);
    }
    return "pay-" + nextId++;
  }

  /** The gateway said no; the order is not placed. */
  static final class PaymentDeclinedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PaymentDeclinedException(String message) {
      super(message);
    }
  }
}
