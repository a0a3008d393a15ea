package io.weft.bench.jmh;

/** The method the per-call figure traces, through OTEL_INSTRUMENTATION_METHODS_INCLUDE. */
public final class Traced {
  private Traced() {}

  public static int work(int value) {
    return value * 31 + 7;
  }
}
