package io.weft.bridge;

/**
 * Holds the first woven calls of a JVM while the agent builds its SDK in the background, so that
 * {@code premain} returns at once and the calls an application makes right after start are still
 * traced. The agent closes the gate in {@code premain} with a deadline ({@code WEFT_STARTUP_WAIT})
 * and opens it once the bridges are live (or the SDK failed); a call arriving meanwhile waits until
 * then, and never past the deadline. Open unless the agent closed it. Bootstrap, so {@code java.base}
 * only.
 */
public final class StartupGate {

  private static final Object lock = new Object();
  private static volatile boolean closed;
  private static long deadlineNanos; // guarded by lock
  private static Thread builder; // guarded by lock
  private static Runnable helper; // guarded by lock; run once, by the first thread that waits

  private StartupGate() {}

  /**
   * Makes woven calls wait until {@link #open}, at most until {@code deadlineNanos} ({@link
   * System#nanoTime}); {@code builder} is the thread that will open it and never waits itself. The first
   * thread that would wait runs {@code helper} first (once, its failures ignored; may be null), so a core
   * that would idle at the gate does work the builder would otherwise leave to the first calls.
   */
  public static void closeUntil(long deadlineNanos, Thread builder, Runnable helper) {
    synchronized (lock) {
      StartupGate.deadlineNanos = deadlineNanos;
      StartupGate.builder = builder;
      StartupGate.helper = helper;
      closed = true;
    }
  }

  public static void open() {
    synchronized (lock) {
      closed = false;
      builder = null;
      helper = null;
      lock.notifyAll();
    }
  }

  /** Whether woven calls would wait now. */
  public static boolean isClosed() {
    return closed;
  }

  /** Waits while the gate is closed, up to its deadline; returns at once when open. Never throws. */
  public static void await() {
    if (!closed) {
      return;
    }
    Runnable help;
    synchronized (lock) {
      if (Thread.currentThread() == builder) {
        return;
      }
      help = helper;
      helper = null;
    }
    if (help != null) {
      try {
        help.run();
      } catch (Throwable ignored) {
        // a head start only
      }
    }
    synchronized (lock) {
      while (closed) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return;
        }
        try {
          lock.wait(left / 1_000_000, (int) (left % 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt(); // the application's interrupt: keep it, stop waiting
          return;
        }
      }
    }
  }
}
