package io.weft.agent.export;

/** What one export attempt came to. */
final class SendResult {

  enum Outcome { DELIVERED, RETRY, REJECTED }

  final Outcome outcome;
  /** For the {@code error.type} attribute: a status code, a gRPC status name or an exception class; null when delivered. */
  final String errorType;
  /** For the health line. */
  final String reason;
  /** The collector's {@code Retry-After}, -1 when none. */
  final long retryAfterMillis;
  /** Items the collector said it rejected in a partial success. */
  final long rejectedItems;
  /** HTTP status or gRPC status code, -1 when no answer came. */
  final int status;

  private SendResult(Outcome outcome, String errorType, String reason, long retryAfterMillis, long rejectedItems, int status) {
    this.outcome = outcome;
    this.errorType = errorType;
    this.reason = reason;
    this.retryAfterMillis = retryAfterMillis;
    this.rejectedItems = rejectedItems;
    this.status = status;
  }

  static SendResult delivered(int status, long rejectedItems) {
    return new SendResult(Outcome.DELIVERED, null, null, -1, rejectedItems, status);
  }

  static SendResult retry(String errorType, String reason, long retryAfterMillis, int status) {
    return new SendResult(Outcome.RETRY, errorType, reason, retryAfterMillis, 0, status);
  }

  static SendResult rejected(String errorType, String reason, int status) {
    return new SendResult(Outcome.REJECTED, errorType, reason, -1, 0, status);
  }
}
