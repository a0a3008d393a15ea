package io.weft.instrumentation.directfixtures;

/** Methods for DirectAdviceTest to weave: loaded only through the test's own loader, woven. */
public class Target implements Marker {

  public String echo(String text, long wide, Object other) {
    if (text == null) {
      return "none";
    }
    long total = wide;
    for (int i = 0; i < 3; i++) {
      total += i;
    }
    return text + total + other;
  }

  public int fails(String message) {
    throw new IllegalStateException(message);
  }

  public String caughtInside(String text) {
    try {
      Integer.parseInt(text);
      return "number";
    } catch (NumberFormatException e) {
      return "text";
    }
  }

  public Object made(String sql) {
    return new StringBuilder(sql).reverse().toString();
  }

  /** Every primitive, wide ones between narrow ones, for boxed loads. */
  public void set(int index, long wide, boolean flag, double real, char letter, byte small, short mid, float single,
      Object value) {
    if (index < 0) {
      throw new IllegalArgumentException("index");
    }
  }

  public void run(Runnable task) {
    task.run();
  }

  public static int untouched(int value) {
    return value + 1;
  }
}
