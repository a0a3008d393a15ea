package io.weft.agent.export;

/**
 * Reads the one thing Weft needs from an OTLP export response: the number of rejected items in its
 * {@code partial_success} (field 1, whose field 1 is the rejected count, for traces and metrics
 * alike). Anything unreadable counts as nothing rejected: a collector that answered 200 took the data.
 */
final class PartialSuccess {

  private PartialSuccess() {}

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
