package io.weft.agent.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.HexFormat;

/** Byte-for-byte comparison of an encoder's output with the SDK's, failing at the first difference with the bytes around it. */
final class SameBytes {

  private SameBytes() {}

  static void assertSameBytes(byte[] expected, byte[] weft) {
    for (int i = 0; i < Math.min(expected.length, weft.length); i++) {
      if (expected[i] != weft[i]) {
        int from = Math.max(0, i - 24);
        throw new AssertionError("first difference at byte " + i + " of " + expected.length + ": SDK "
            + HexFormat.of().formatHex(expected, from, Math.min(expected.length, i + 24)) + " Weft "
            + HexFormat.of().formatHex(weft, from, Math.min(weft.length, i + 24)));
      }
    }
    assertArrayEquals(expected, weft, "the same bytes, then " + expected.length + " against " + weft.length);
  }
}
