package io.weft.bench.app;

/** The pipeline figure's span source: one traced call is one root span. */
public final class Producer {
  private Producer() {}

  static int produce(int value) {
    return value * 31 + 7;
  }
}
