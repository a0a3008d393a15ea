package io.weft.bridge;

/**
 * The door from woven configured-method advice into the agent. Loaded by the bootstrap class loader so
 * that code in any class loader can call it; uses {@code java.base} types only.
 */
public final class MethodBridge {

  /** Until the agent installs its handler: waits at the {@link StartupGate}, then hands over. */
  private static final Handler STARTING =
      new Handler() {
        @Override
        public Object enter(int methodId, long startNanos) {
          StartupGate.await();
          Handler ready = handler;
          return ready == this ? null : ready.enter(methodId, startNanos);
        }

        @Override
        public void exit(Object call, long startNanos, Throwable thrown) {
          Handler ready = handler;
          if (ready != this) {
            ready.exit(call, startNanos, thrown);
          }
        }

        @Override
        public void exitAsync(Object call, long startNanos, Throwable thrown, Object returned) {
          Handler ready = handler;
          if (ready != this) {
            ready.exitAsync(call, startNanos, thrown, returned);
          }
        }
      };

  private static volatile Handler handler = STARTING;

  /**
   * Whether the woven code reads the clock on every call. True until the agent says otherwise: with the
   * method duration metric off, a call that is not sampled records nothing, so it reads no clock at all.
   * A plain field: a thread that still sees {@code true} only reads the clock once too often.
   */
  private static boolean timeEveryCall = true;

  private MethodBridge() {}

  /**
   * The start time woven code keeps for a call: {@link System#nanoTime()} while every call is timed, else
   * {@code 0}, which tells {@link #enter} to read the clock itself when (and only when) the call is sampled.
   */
  public static long clock() {
    return timeEveryCall ? System.nanoTime() : 0L;
  }

  /**
   * Starts the call of the method registered under {@code methodId}, which began at {@code startNanos}
   * (what {@link #clock} returned); {@code null} when nothing is recorded.
   */
  public static Object enter(int methodId, long startNanos) {
    return handler.enter(methodId, startNanos);
  }

  /** Ends the call {@link #enter} started, recording {@code thrown} when it is not null. */
  public static void exit(Object call, long startNanos, Throwable thrown) {
    handler.exit(call, startNanos, thrown);
  }

  /**
   * Like {@link #exit}, but when the method returned a {@code CompletionStage} the call ends when
   * that stage completes.
   */
  public static void exitAsync(Object call, long startNanos, Throwable thrown, Object returned) {
    handler.exitAsync(call, startNanos, thrown, returned);
  }

  // The entry points of directly woven methods (see DirectMethodWeaver): inlined code cannot suppress
  // what they throw, so they catch everything themselves, and they take a null call.

  /** {@link #enter}, never throwing. */
  public static Object begin(int methodId, long startNanos) {
    try {
      return handler.enter(methodId, startNanos);
    } catch (Throwable e) {
      return null;
    }
  }

  /** Ends a call that returned normally. */
  public static void end(Object call, long startNanos) {
    if (call != null) {
      try {
        handler.exit(call, startNanos, null);
      } catch (Throwable e) {
        // the handler reports its own failures; nothing may reach the application
      }
    }
  }

  /** Ends a call that returned {@code returned}, when that stage completes if it is a {@code CompletionStage}. */
  public static void endReturning(Object returned, Object call, long startNanos) {
    if (call != null) {
      try {
        handler.exitAsync(call, startNanos, null, returned);
      } catch (Throwable e) {
        // as in end
      }
    }
  }

  /** Ends a call that threw {@code thrown}; the woven code rethrows it. */
  public static void endThrowing(Throwable thrown, Object call, long startNanos) {
    if (call != null) {
      try {
        handler.exit(call, startNanos, thrown);
      } catch (Throwable e) {
        // as in end
      }
    }
  }

  /**
   * Hands the woven calls to {@code ready}; {@code timeEveryCall}: whether every call needs its duration
   * (the method metric is on), or only sampled calls, which then read the clock in {@code ready.enter}.
   */
  public static void install(Handler ready, boolean timeEveryCall) {
    MethodBridge.timeEveryCall = timeEveryCall;
    handler = ready; // a volatile write after it: a thread that sees the handler sees the choice
  }

  /** Implemented in the agent class loader. Implementations never throw. */
  public interface Handler {
    Handler NOOP =
        new Handler() {
          @Override
          public Object enter(int methodId, long startNanos) {
            return null;
          }

          @Override
          public void exit(Object call, long startNanos, Throwable thrown) {}

          @Override
          public void exitAsync(Object call, long startNanos, Throwable thrown, Object returned) {}
        };

    /**
     * {@code startNanos}: {@link System#nanoTime()} at the call's start, or {@code 0} when woven code did not
     * read the clock (only sampled calls are timed then).
     */
    Object enter(int methodId, long startNanos);

    void exit(Object call, long startNanos, Throwable thrown);

    void exitAsync(Object call, long startNanos, Throwable thrown, Object returned);
  }
}
