package io.weft.demo;

import java.math.BigDecimal;

/** One line of the demo batch: who buys how many of what, and with which card. */
final class Order {
  final String id;
  final String customer;
  final String sku;
  final int quantity;
  final BigDecimal unitPrice;
  final String card;

  Order(String id, String customer, String sku, int quantity, BigDecimal unitPrice, String card) {
    this.id = id;
    this.customer = customer;
    this.sku = sku;
    this.quantity = quantity;
    this.unitPrice = unitPrice;
    this.card = card;
  }
}
