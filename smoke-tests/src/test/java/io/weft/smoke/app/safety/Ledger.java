package io.weft.smoke.app.safety;

import java.util.concurrent.CompletableFuture;

/**
 * The host-safety application's business code, every method traced (OTEL_INSTRUMENTATION_METHODS_INCLUDE
 * names the class with [*]): values returned, null returned, exceptions thrown (checked, unchecked, from
 * deep inside the JDK), nested calls and futures that succeed or fail.
 */
public final class Ledger {

  /** The exception {@link #audit} throws, kept so the caller can check it receives this very instance. */
  public static final LedgerException AUDIT_FAILURE = new LedgerException("books do not balance: 3 != 4");

  public long total(int... amounts) {
    long sum = 0;
    for (int amount : amounts) {
      sum += amount;
    }
    return sum;
  }

  public String settle(String account) {
    return account + " settled at " + total(10, 20, 12);
  }

  public String nothing() {
    return null;
  }

  public int parse(String amount) {
    return Integer.parseInt(amount); // NumberFormatException from inside the JDK
  }

  public void audit() throws LedgerException {
    throw AUDIT_FAILURE;
  }

  public CompletableFuture<String> later(boolean fail) {
    return fail
        ? CompletableFuture.failedFuture(new IllegalStateException("payment declined"))
        : CompletableFuture.supplyAsync(() -> "paid");
  }

  /** A checked exception of the application's own. */
  public static final class LedgerException extends Exception {
    public LedgerException(String message) {
      super(message);
    }
  }
}
