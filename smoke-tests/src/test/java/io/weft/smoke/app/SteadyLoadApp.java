package io.weft.smoke.app;

import java.util.Arrays;

/**
 * A service under steady load: {@code calls} requests at about {@code perSecond}, each a traced
 * {@code Service.handle} with a traced child {@code Service.work} doing a little real computation.
 * Prints the latency of its own calls at the end (p50, p99 in microseconds), which the fault tests
 * compare with a healthy run: the collector's trouble must not show up here.
 */
public final class SteadyLoadApp {

  public static void main(String[] args) throws Exception {
    int calls = Integer.parseInt(args[0]);
    int perSecond = Integer.parseInt(args[1]);
    Service service = new Service();
    long[] micros = new long[calls];
    long checksum = 0;
    long interval = 1_000_000_000L / perSecond;
    long next = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      long start = System.nanoTime();
      checksum += service.handle(i);
      micros[i] = (System.nanoTime() - start) / 1000;
      if (i == calls / 2) {
        System.out.println("halfway " + i);
      }
      next += interval;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
    }
    Arrays.sort(micros);
    System.out.println("load done calls=" + calls + " checksum=" + checksum
        + " p50us=" + micros[calls / 2] + " p99us=" + micros[(int) (calls * 0.99)]);
  }

  /** The traced service. */
  public static final class Service {
    public long handle(int i) {
      return work(i) + 1;
    }

    public long work(int i) {
      long h = i;
      for (int k = 0; k < 2000; k++) {
        h = h * 31 + k;
      }
      return h & 0xff;
    }
  }
}
