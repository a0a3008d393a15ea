package io.weft.smoke.app;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A test application class whose methods are configured by name (all of them, less secret*). */
public class Shop {

  private final String name;

  public Shop(String name) {
    this.name = name;
  }

  public String placeOrder(String item) {
    return name + ":" + item + ":" + price(item.length());
  }

  private double price(int units) {
    return tax(units * 10.0);
  }

  static double tax(double amount) {
    return amount * 1.2;
  }

  public String find(int id) {
    return "by-id-" + id;
  }

  public String find(String key) {
    return "by-key-" + key;
  }

  public void fail(String why) {
    throw new IllegalArgumentException(why);
  }

  public int recurse(int depth) {
    return depth <= 1 ? 1 : 1 + recurse(depth - 1);
  }

  /** A capturing lambda in an instance method: its body is an instance method of Shop. */
  public int discounted(int amount) {
    Pricing lessDiscount = a -> a - name.length();
    return lessDiscount.apply(amount);
  }

  public String secretStuff() {
    return "not traced";
  }

  /** Completes on another thread after a pause: the span must cover the pause. */
  public CompletableFuture<String> later(boolean fail) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        TimeUnit.MILLISECONDS.sleep(150);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (fail) {
        throw new IllegalStateException("async failure");
      }
      return "later";
    });
  }
}
