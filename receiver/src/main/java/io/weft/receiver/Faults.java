package io.weft.receiver;

import java.time.Duration;
import java.util.Objects;

/**
 * How the receiver misbehaves right now, switched by the tests while requests arrive. Each request
 * reads one {@link Answer} and one delay when it arrives, so a switch never splits a request.
 */
final class Faults {

  /** What an export request is answered with. */
  enum Kind {
    /** Decode, store, answer 200 / OK. */
    NORMAL,
    /** An HTTP status (gRPC: its mapped code), maybe with a retry delay; nothing stored. */
    STATUS,
    /** Decode and store, then answer 200 / OK with a body that is not a protobuf response. */
    GARBAGE,
    /** OTLP/HTTP: bytes that are not HTTP, then close. */
    NON_HTTP,
    /** OTLP/HTTP: read part of the body, then close without answering. */
    CLOSE_MID_REQUEST
  }

  /** One answer mode; {@code status} and {@code retryAfter} only mean something for {@link Kind#STATUS}. */
  record Answer(Kind kind, int status, Duration retryAfter) {
    static final Answer NORMAL = new Answer(Kind.NORMAL, 0, null);

    Answer {
      Objects.requireNonNull(kind, "kind");
    }
  }

  private volatile Answer answer = Answer.NORMAL;
  private volatile Duration delay = Duration.ZERO;

  Answer answer() {
    return answer;
  }

  void answer(Answer answer) {
    this.answer = Objects.requireNonNull(answer, "answer");
  }

  Duration delay() {
    return delay;
  }

  void delay(Duration delay) {
    this.delay = Objects.requireNonNull(delay, "delay");
  }
}
