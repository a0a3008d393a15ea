package io.weft.agent.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void growsExponentiallyWithJitterUpToTheMaximumAndResets() {
    Backoff backoff = new Backoff(1000, 8000);
    long[][] bounds = {{500, 1000}, {1000, 2000}, {2000, 4000}, {4000, 8000}, {4000, 8000}, {4000, 8000}};
    for (long[] bound : bounds) {
      long delay = backoff.next(-1);
      assertTrue(delay >= bound[0] && delay <= bound[1], delay + " not in " + bound[0] + ".." + bound[1]);
    }
    backoff.reset();
    long first = backoff.next(-1);
    assertTrue(first >= 500 && first <= 1000, "after a success the backoff starts again: " + first);
  }

  @Test
  void jitterSpreadsTheDelays() {
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (int i = 0; i < 50; i++) {
      seen.add(new Backoff(1000, 1000).next(-1));
    }
    assertTrue(seen.size() > 10, "50 first delays should not all be alike: " + seen);
  }

  @Test
  void retryAfterWinsOverTheComputedDelayButStillAdvancesIt() {
    Backoff backoff = new Backoff(1000, 60_000);
    assertEquals(7000, backoff.next(7000));
    long next = backoff.next(-1);
    assertTrue(next >= 1000 && next <= 2000, "the computed step advanced: " + next);
    assertEquals(Backoff.MAX_RETRY_AFTER_MILLIS, backoff.next(Long.MAX_VALUE));
  }

  @Test
  void parsesRetryAfterSecondsAndDates() {
    long now = 1_700_000_000_000L;
    assertEquals(3000, Backoff.parseRetryAfter("3", now));
    assertEquals(0, Backoff.parseRetryAfter(" 0 ", now));
    assertEquals(Backoff.MAX_RETRY_AFTER_MILLIS, Backoff.parseRetryAfter("86400", now));
    assertEquals(Backoff.MAX_RETRY_AFTER_MILLIS, Backoff.parseRetryAfter("99999999999999999999999", now));
    String in5s = DateTimeFormatter.RFC_1123_DATE_TIME.format(
        ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(now + 5000), ZoneOffset.UTC));
    assertEquals(5000, Backoff.parseRetryAfter(in5s, now));
    String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(
        ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(now - 5000), ZoneOffset.UTC));
    assertEquals(0, Backoff.parseRetryAfter(past, now));
    assertEquals(-1, Backoff.parseRetryAfter(null, now));
    assertEquals(-1, Backoff.parseRetryAfter("soon", now));
    assertEquals(-1, Backoff.parseRetryAfter("-3", now));
    assertEquals(-1, Backoff.parseRetryAfter("", now));
  }
}
