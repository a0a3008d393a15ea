package io.weft.bench.app;

/** Five traced methods, each calling the next: the web workload's {@code /chain} endpoint. */
public final class Chain {
  private Chain() {}

  public static long step1(long seed) {
    return step2(seed * 31 + 1);
  }

  static long step2(long value) {
    return step3(value ^ (value >>> 7));
  }

  static long step3(long value) {
    return step4(value * 0x9E3779B97F4A7C15L);
  }

  static long step4(long value) {
    return step5(value + 17);
  }

  static long step5(long value) {
    return Long.rotateLeft(value, 13);
  }
}
