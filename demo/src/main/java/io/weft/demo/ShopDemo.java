package io.weft.demo;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The quick start's application: one batch of a small shop's orders, in plain Java with no
 * OpenTelemetry code but one {@code @WithSpan}. Run it with {@code -javaagent:weft-agent.jar} and the
 * methods named in {@code OTEL_INSTRUMENTATION_METHODS_INCLUDE} (see demo.sh) become spans.
 */
public final class ShopDemo {

  private ShopDemo() {}

  public static void main(String[] args) {
    List<Order> orders = Arrays.asList(
        new Order("A-1001", "alice@example.com", "SKU-TEA", 2, new BigDecimal("4.50"), "4111-0001"),
        new Order("A-1002", "bob@example.com", "SKU-MUG", 1, new BigDecimal("12.00"), "4111-0002"),
        new Order("A-1003", "carol@example.com", "SKU-TEA", 5, new BigDecimal("4.50"), "4000-0002"),
        new Order("A-1004", "dave@example.com", "SKU-POT", 1, new BigDecimal("29.90"), "4111-0004"),
        new Order("A-1005", "erin@example.com", "SKU-MUG", 3, new BigDecimal("12.00"), "4111-0005"));

    Notifier notifier = new Notifier();
    OrderService service = new OrderService(new Inventory(), new PaymentGateway(), notifier);
    List<CompletableFuture<Void>> notifications = new ArrayList<>();
    int placed = 0;
    try {
      for (Order order : orders) {
        try {
          OrderService.Receipt receipt = service.place(order);
          notifications.add(receipt.notification);
          placed++;
          log("order " + order.id + " placed: " + order.quantity + " x " + order.sku + ", charged " + receipt.total);
        } catch (PaymentGateway.PaymentDeclinedException e) {
          log("order " + order.id + " failed: " + e.getMessage());
        }
      }
      CompletableFuture.allOf(notifications.toArray(new CompletableFuture<?>[0])).join();
    } finally {
      notifier.close();
    }
    log(placed + " of " + orders.size() + " orders placed, " + notifications.size() + " customers notified");
  }

  static void log(String line) {
    System.out.println("[shop] " + line);
  }

  /** Stands in for the few milliseconds a real call to a database or a remote service takes. */
  static void work(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
