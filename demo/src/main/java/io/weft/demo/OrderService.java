package io.weft.demo;

import java.math.BigDecimal;
import java.util.concurrent.CompletableFuture;

/** Places one order: price it, reserve the stock, charge the card, tell the customer. */
final class OrderService {
  private final Inventory inventory;
  private final PaymentGateway payments;
  private final Notifier notifier;

  OrderService(Inventory inventory, PaymentGateway payments, Notifier notifier) {
    this.inventory = inventory;
    this.payments = payments;
    this.notifier = notifier;
  }

  /** Throws {@link PaymentGateway.PaymentDeclinedException} when the card is declined. */
  Receipt place(Order order) {
    BigDecimal total = Pricing.total(order);
    inventory.reserve(order.sku, order.quantity);
    String payment = payments.charge(order.card, total);
    return new Receipt(total, payment, notifier.sendAsync(order.customer, "Order " + order.id + " is on its way"));
  }

  /** What a placed order gives back; the notification completes later, on the notifier's thread. */
  static final class Receipt {
    final BigDecimal total;
    final String paymentId;
    final CompletableFuture<Void> notification;

    Receipt(BigDecimal total, String paymentId, CompletableFuture<Void> notification) {
      this.total = total;
      this.paymentId = paymentId;
      this.notification = notification;
    }
  }
}
