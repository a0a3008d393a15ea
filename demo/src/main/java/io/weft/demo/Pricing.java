package io.weft.demo;

import io.opentelemetry.instrumentation.annotations.WithSpan;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** Prices an order; traced through its annotation rather than the agent's configuration. */
final class Pricing {
  private static final BigDecimal VAT = new BigDecimal("1.20");

  private Pricing() {}

  @WithSpan
  static BigDecimal total(Order order) {
    ShopDemo.work(1);
    return order.unitPrice.multiply(BigDecimal.valueOf(order.quantity)).multiply(VAT).setScale(2, RoundingMode.HALF_UP);
  }
}
