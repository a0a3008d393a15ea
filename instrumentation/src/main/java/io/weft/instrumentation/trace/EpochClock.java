package io.weft.instrumentation.trace;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Epoch timestamps from {@link System#nanoTime()} without allocating: an anchor pairs one wall-clock reading
 * with one monotonic reading, and a span's times are its monotonic readings moved by the anchor. A span
 * keeps its anchor and its children take it over, so the times within one tree of spans are consistent
 * even if the wall clock is stepped; roots take a fresh anchor once a second, so wall-clock corrections
 * reach new traces quickly.
 */
final class EpochClock {

  private static final long REANCHOR_NANOS = TimeUnit.SECONDS.toNanos(1);

  private static volatile Anchor current = new Anchor();

  private EpochClock() {}

  /** The anchor for a new root span started at {@code nanoTime}. */
  static Anchor anchor(long nanoTime) {
    Anchor anchor = current;
    if (nanoTime - anchor.nanoTime > REANCHOR_NANOS) {
      anchor = new Anchor();
      current = anchor;
    }
    return anchor;
  }

  static final class Anchor {
    private final long epochNanos;
    private final long nanoTime;

    Anchor() {
      Instant now = Instant.now();
      this.nanoTime = System.nanoTime();
      this.epochNanos = TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
    }

    long epochNanos(long nanoTime) {
      return epochNanos + (nanoTime - this.nanoTime);
    }
  }
}
