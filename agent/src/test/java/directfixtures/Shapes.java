package directfixtures;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Methods of every shape the direct weaver must keep working: wide locals, loops and branches (stack
 * map frames), the method's own handlers, synchronized blocks, early returns, every return type.
 * Woven as {@code directfixtures.Shapes[*]}; loaded only after the agent is installed.
 */
public class Shapes {

  private int calls;

  public Shapes() {
    calls = 0;
  }

  public static int add(int a, int b) {
    return a + b;
  }

  /** Long and double parameters and locals, a loop, a branch: frames with two-slot types. */
  public long wide(long start, double factor, int rounds) {
    long total = start;
    double scaled = factor;
    for (int i = 0; i < rounds; i++) {
      if ((i & 1) == 0) {
        total += (long) scaled;
      } else {
        scaled *= 2;
      }
    }
    calls++;
    return total;
  }

  /** Its own handler must catch what its body throws before the weaver's catch-all sees it. */
  public static String ownHandler(String text) {
    try {
      if (text.isEmpty()) {
        throw new IllegalArgumentException("empty");
      }
      return "kept " + text;
    } catch (IllegalArgumentException e) {
      return "caught " + e.getMessage();
    } finally {
      text = null;
    }
  }

  public static void fails(String message) {
    throw new IllegalStateException(message);
  }

  public synchronized int locked(Object monitor) {
    synchronized (monitor) {
      calls++;
      return calls;
    }
  }

  public static String early(int value) {
    if (value < 0) {
      return "negative";
    }
    switch (value) {
      case 0:
        return "zero";
      case 1:
        return "one";
      default:
        break;
    }
    return "many";
  }

  public static double half(double value) {
    return value / 2;
  }

  public static float third(float value) {
    return value / 3;
  }

  public static char initial(String text) {
    return text.charAt(0);
  }

  public static boolean positive(short value) {
    return value > 0;
  }

  public static byte low(long value) {
    return (byte) value;
  }

  public static int[] pair(int a, int b) {
    return new int[] {a, b};
  }

  public static void nothing() {}

  /** Ends when the stage completes, not on return. */
  public static CompletionStage<String> later(CompletableFuture<String> future) {
    return future;
  }

  /** Declared as Object: ends on return even though the value is a stage (as the Byte Buddy path does). */
  public static Object plainObject(CompletableFuture<String> future) {
    return future;
  }

  public static int outer(int depth) {
    return inner(depth) + 1;
  }

  public static int inner(int depth) {
    return depth * 2;
  }

  @WithSpan(value = "custom name", kind = SpanKind.CLIENT)
  public static int annotated() {
    return 42;
  }

  /** A lambda body (synthetic): never woven by name. */
  public static int viaLambda(int value) {
    java.util.function.IntUnaryOperator twice = x -> x * 2;
    return twice.applyAsInt(value);
  }

  public int calls() {
    return calls;
  }
}
