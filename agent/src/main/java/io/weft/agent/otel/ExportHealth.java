package io.weft.agent.otel;

import io.opentelemetry.sdk.common.CompletableResultCode;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Watches one exporter's results and reports a change of state as one {@code [weft]} line: when
 * export starts failing (with the reason) and when it works again, never once per failed batch.
 * Agent class loader.
 */
final class ExportHealth {

  private final String what;
  private final String endpoint;
  private final AtomicBoolean failing = new AtomicBoolean();

  ExportHealth(String what, String endpoint) {
    this.what = what;
    this.endpoint = endpoint;
  }

  CompletableResultCode watch(CompletableResultCode result) {
    result.whenComplete(() -> {
      if (result.isSuccess()) {
        if (failing.compareAndSet(true, false)) {
          System.err.println("[weft] exporting " + what + " to " + endpoint + " works again");
        }
      } else if (failing.compareAndSet(false, true)) {
        Throwable reason = result.getFailureThrowable();
        System.err.println("[weft] cannot export " + what + " to " + endpoint
            + (reason == null ? "" : ": " + reason.getClass().getSimpleName() + ": " + reason.getMessage())
            + "; the application is unaffected, data is retried and then dropped until the collector answers");
      }
    });
    return result;
  }
}
