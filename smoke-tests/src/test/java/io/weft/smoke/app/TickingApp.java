package io.weft.smoke.app;

/**
 * A service that runs until stopped: calls {@link Ticker#tick} every 20 ms, for the command-line attach test, which
 * loads the agent into it while it runs. Ends by itself after two minutes, so a test that dies leaves no process.
 */
public final class TickingApp {

  public static void main(String[] args) throws InterruptedException {
    Ticker ticker = new Ticker();
    System.out.println("READY");
    long end = System.nanoTime() + 120_000_000_000L;
    for (int i = 0; System.nanoTime() < end; i++) {
      ticker.tick(i);
      Thread.sleep(20);
    }
  }

  /** Loaded and running before the agent comes. */
  public static final class Ticker {
    public int tick(int round) {
      return round + 1;
    }
  }
}
