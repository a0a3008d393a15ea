package io.weft.receiver;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One export request as it reached the receiver, whatever it was answered: the raw material for
 * asserting retries and backoff (how many attempts, how far apart, whether a Retry-After was waited).
 *
 * @param number 1 for the first request the receiver saw (since start or {@link OtlpReceiver#clear}), counting
 *     every transport
 * @param signal what the request exported
 * @param transport how it came
 * @param arrivedAt wall-clock time of arrival, for messages
 * @param arrivedNanos {@link System#nanoTime()} at arrival, for measuring gaps
 * @param answer what the receiver did, for example {@code HTTP 200}, {@code HTTP 503 Retry-After: 2},
 *     {@code gRPC UNAVAILABLE}, {@code gRPC RESOURCE_EXHAUSTED RetryInfo 2s}, {@code HTTP 200 garbage body},
 *     {@code non-HTTP bytes}, {@code closed mid-request}, {@code HTTP 400 undecodable}
 * @param stored whether the request's spans or metrics were decoded and kept
 */
public record ExportAttempt(int number, Signal signal, Transport transport, Instant arrivedAt, long arrivedNanos,
    String answer, boolean stored) {

  /** Time from {@code earlier}'s arrival to this one's, on the monotonic clock. */
  public Duration since(ExportAttempt earlier) {
    return Duration.ofNanos(arrivedNanos - earlier.arrivedNanos);
  }

  /** The gaps between consecutive attempts, in the order given: {@code attempts.size() - 1} of them. */
  public static List<Duration> gaps(List<ExportAttempt> attempts) {
    List<Duration> gaps = new ArrayList<>();
    for (int i = 1; i < attempts.size(); i++) {
      gaps.add(attempts.get(i).since(attempts.get(i - 1)));
    }
    return gaps;
  }

  @Override
  public String toString() {
    return "#" + number + " " + signal.key() + "/" + transport.key() + " at " + arrivedAt + ": " + answer;
  }
}
