package io.weft.agent.export;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before the next export attempt: exponential from the initial delay, doubling up
 * to the maximum, with jitter (a random point in the upper half of the step), so a fleet of agents
 * does not hammer a recovering collector in step. A collector's {@code Retry-After} wins over the
 * computed delay, bounded by {@link #MAX_RETRY_AFTER_MILLIS}. One per export thread; not thread-safe.
 */
final class Backoff {

  /** A {@code Retry-After} longer than this is treated as this: a typo on the collector must not stop export for a day. */
  static final long MAX_RETRY_AFTER_MILLIS = 10 * 60_000;

  private final long initialMillis;
  private final long maxMillis;
  private long nextMillis;

  Backoff(long initialMillis, long maxMillis) {
    this.initialMillis = Math.max(1, initialMillis);
    this.maxMillis = Math.max(this.initialMillis, maxMillis);
    this.nextMillis = this.initialMillis;
  }

  /** The delay before the next attempt; {@code retryAfterMillis} &lt; 0 when the collector gave none. */
  long next(long retryAfterMillis) {
    long step = nextMillis;
    nextMillis = Math.min(maxMillis, nextMillis * 2);
    if (retryAfterMillis >= 0) {
      return Math.min(retryAfterMillis, MAX_RETRY_AFTER_MILLIS);
    }
    long half = step / 2;
    return half + ThreadLocalRandom.current().nextLong(step - half + 1);
  }

  void reset() {
    nextMillis = initialMillis;
  }

  /**
   * A {@code Retry-After} header value in milliseconds: delay-seconds or an HTTP date; -1 when
   * absent or unreadable (then the computed backoff applies).
   */
  static long parseRetryAfter(String value, long nowMillis) {
    if (value == null) {
      return -1;
    }
    String v = value.trim();
    if (v.isEmpty() || v.length() > 64) {
      return -1;
    }
    if (v.chars().allMatch(Character::isDigit)) {
      try {
        return Math.min(Long.parseLong(v), MAX_RETRY_AFTER_MILLIS / 1000) * 1000;
      } catch (NumberFormatException tooLong) {
        return MAX_RETRY_AFTER_MILLIS;
      }
    }
    try {
      long at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
      return Math.max(0, Math.min(at - nowMillis, MAX_RETRY_AFTER_MILLIS));
    } catch (RuntimeException unreadable) {
      return -1;
    }
  }
}
