package io.weft.demo;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Sends e-mails from its own thread, so placing an order does not wait for the mail server. */
final class Notifier implements AutoCloseable {
  private final ExecutorService mailer = Executors.newSingleThreadExecutor(task -> {
    Thread thread = new Thread(task, "shop-mailer");
    thread.setDaemon(true);
    return thread;
  });

  /** Completes once the mail is sent: its span lasts until then, not just until this returns. */
  CompletableFuture<Void> sendAsync(String to, String subject) {
    return CompletableFuture.runAsync(() -> ShopDemo.work(8), mailer);
  }

  @Override
  public void close() {
    mailer.shutdown();
  }
}
