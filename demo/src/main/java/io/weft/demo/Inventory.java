package io.weft.demo;

import java.util.HashMap;
import java.util.Map;

/** The stock of the shop's three products, held in memory. */
final class Inventory {
  private final Map<String, Integer> stock = new HashMap<>();

  Inventory() {
    stock.put("SKU-TEA", 40);
    stock.put("SKU-MUG", 12);
    stock.put("SKU-POT", 3);
  }

  void reserve(String sku, int quantity) {
    ShopDemo.work(3);
    int left = stock.getOrDefault(sku, 0);
    if (left < quantity) {
      throw new IllegalStateException("only " + left + " of " + sku + " left");
    }
    stock.put(sku, left - quantity);
  }
}
