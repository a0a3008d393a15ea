package io.weft.agent.export;

/**
 * Reads what Weft needs from a collector's answer, with a small protobuf reader that never throws:
 * the number of rejected items in an OTLP response's {@code partial_success} (field 1, whose field 1
 * is the rejected count, for traces and metrics alike), and the delay of a gRPC {@code RetryInfo}.
 * Anything unreadable counts as nothing rejected (a collector that answered 200 took the data) and
 * as no delay (the backoff applies).
 */
final class OtlpResponses {

  private OtlpResponses() {}

  /** The rejected count, 0 when none or when the body is empty or not protobuf. */
  static long rejected(byte[] body) {
    try {
      Reader outer = new Reader(body, 0, body.length);
      while (outer.hasMore()) {
        long tag = outer.varint();
        if (tag == ((1 << 3) | 2)) {
          int length = (int) outer.varint();
          Reader inner = new Reader(body, outer.position, length);
          while (inner.hasMore()) {
            long innerTag = inner.varint();
            if (innerTag == ((1 << 3) | 0)) {
              return Math.max(0, inner.varint());
            }
            inner.skip(innerTag);
          }
          outer.position += length;
        } else {
          outer.skip(tag);
        }
      }
    } catch (RuntimeException garbage) {
      // not an OTLP response; the status said accepted
    }
    return 0;
  }

  /**
   * The retry delay of a {@code google.rpc.RetryInfo} in a gRPC {@code grpc-status-details-bin}
   * trailer (a base64 {@code google.rpc.Status}: details are {@code Any}s), in milliseconds; -1 when
   * there is none or it is unreadable.
   */
  static long grpcRetryDelayMillis(String statusDetailsBase64) {
    if (statusDetailsBase64 == null || statusDetailsBase64.length() > 8192) {
      return -1;
    }
    try {
      byte[] status = java.util.Base64.getDecoder().decode(padded(statusDetailsBase64.trim()));
      Reader reader = new Reader(status, 0, status.length);
      while (reader.hasMore()) {
        long tag = reader.varint();
        if (tag != ((3 << 3) | 2)) {
          reader.skip(tag);
          continue;
        }
        int length = (int) reader.varint();
        Reader any = new Reader(status, reader.position, length);
        reader.position += length;
        String type = null;
        int valueAt = -1;
        int valueLength = 0;
        while (any.hasMore()) {
          long anyTag = any.varint();
          if (anyTag == ((1 << 3) | 2) || anyTag == ((2 << 3) | 2)) {
            int fieldLength = (int) any.varint();
            new Reader(status, any.position, fieldLength);
            if (anyTag == ((1 << 3) | 2)) {
              type = new String(status, any.position, fieldLength, java.nio.charset.StandardCharsets.UTF_8);
            } else {
              valueAt = any.position;
              valueLength = fieldLength;
            }
            any.position += fieldLength;
          } else {
            any.skip(anyTag);
          }
        }
        if (type != null && type.endsWith("/google.rpc.RetryInfo") && valueAt >= 0) {
          return retryDelay(status, valueAt, valueLength);
        }
      }
    } catch (RuntimeException garbage) {
      // no usable hint: the exponential backoff applies
    }
    return -1;
  }

  private static long retryDelay(byte[] bytes, int offset, int length) {
    Reader info = new Reader(bytes, offset, length);
    while (info.hasMore()) {
      long tag = info.varint();
      if (tag == ((1 << 3) | 2)) {
        int durationLength = (int) info.varint();
        Reader duration = new Reader(bytes, info.position, durationLength);
        long seconds = 0;
        long nanos = 0;
        while (duration.hasMore()) {
          long durationTag = duration.varint();
          if (durationTag == ((1 << 3) | 0)) {
            seconds = duration.varint();
          } else if (durationTag == ((2 << 3) | 0)) {
            nanos = duration.varint();
          } else {
            duration.skip(durationTag);
          }
        }
        if (seconds < 0 || nanos < 0 || seconds > Backoff.MAX_RETRY_AFTER_MILLIS / 1000) {
          return seconds < 0 || nanos < 0 ? -1 : Backoff.MAX_RETRY_AFTER_MILLIS;
        }
        return Math.min(Backoff.MAX_RETRY_AFTER_MILLIS, seconds * 1000 + nanos / 1_000_000);
      }
      info.skip(tag);
    }
    return -1;
  }

  private static String padded(String base64) {
    int remainder = base64.length() % 4;
    return remainder == 0 ? base64 : base64 + "===".substring(0, 4 - remainder);
  }

  private static final class Reader {
    private final byte[] bytes;
    private final int end;
    int position;

    Reader(byte[] bytes, int offset, int length) {
      if (offset < 0 || length < 0 || offset + length > bytes.length) {
        throw new IllegalArgumentException("length out of bounds");
      }
      this.bytes = bytes;
      this.position = offset;
      this.end = offset + length;
    }

    boolean hasMore() {
      return position < end;
    }

    long varint() {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (position >= end) {
          throw new IllegalArgumentException("truncated varint");
        }
        byte b = bytes[position++];
        result |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          return result;
        }
      }
      throw new IllegalArgumentException("varint too long");
    }

    void skip(long tag) {
      switch ((int) (tag & 7)) {
        case 0:
          varint();
          break;
        case 1:
          position += 8;
          break;
        case 2:
          long length = varint();
          if (length < 0 || length > end - position) {
            throw new IllegalArgumentException("length out of bounds");
          }
          position += (int) length;
          break;
        case 5:
          position += 4;
          break;
        default:
          throw new IllegalArgumentException("wire type " + (tag & 7));
      }
      if (position > end) {
        throw new IllegalArgumentException("past the end");
      }
    }
  }
}
