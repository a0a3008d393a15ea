package io.weft.agent.export;

import java.util.ArrayList;
import java.util.List;

/** The span ids in an encoded {@code ExportTraceServiceRequest}, in order, as hex: a minimal protobuf walk for tests. */
final class OtlpSpanIds {

  private final byte[] bytes;
  private int pos;

  private OtlpSpanIds(byte[] bytes) {
    this.bytes = bytes;
  }

  static List<String> of(byte[] request) {
    List<String> ids = new ArrayList<>();
    OtlpSpanIds reader = new OtlpSpanIds(request);
    reader.fields(0, request.length, 1, resourceSpans -> reader.fields(resourceSpans[0], resourceSpans[1], 2,
        scopeSpans -> reader.fields(scopeSpans[0], scopeSpans[1], 2,
            span -> reader.fields(span[0], span[1], 2, id -> ids.add(hex(request, id[0], id[1]))))));
    return ids;
  }

  /** Calls {@code each} with {start, end} of every length-delimited field {@code number} in [start, end). */
  private void fields(int start, int end, int number, java.util.function.Consumer<int[]> each) {
    pos = start;
    while (pos < end) {
      long tag = varint();
      int wireType = (int) (tag & 7);
      switch (wireType) {
        case 0:
          varint();
          break;
        case 1:
          pos += 8;
          break;
        case 5:
          pos += 4;
          break;
        case 2:
          int length = (int) varint();
          int contentStart = pos;
          pos += length;
          if ((tag >>> 3) == number) {
            int resume = pos;
            each.accept(new int[] {contentStart, contentStart + length});
            pos = resume;
          }
          break;
        default:
          throw new IllegalArgumentException("wire type " + wireType + " at " + pos);
      }
    }
    if (pos != end) {
      throw new IllegalArgumentException("field overruns its message at " + pos);
    }
  }

  private long varint() {
    long value = 0;
    for (int shift = 0; ; shift += 7) {
      byte b = bytes[pos++];
      value |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        return value;
      }
    }
  }

  private static String hex(byte[] bytes, int start, int end) {
    StringBuilder hex = new StringBuilder();
    for (int i = start; i < end; i++) {
      hex.append(String.format("%02x", bytes[i]));
    }
    return hex.toString();
  }
}
