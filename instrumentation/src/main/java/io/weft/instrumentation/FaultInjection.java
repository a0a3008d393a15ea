package io.weft.instrumentation;

/**
 * A test-only switch that makes the agent's own code throw on purpose, so the host-safety smoke tests
 * can prove an application never notices a bug of ours (docs/testing.md). Set by the system property
 * {@code -Dweft.test.fault}, a comma-separated list: {@code spans} (starting a span throws), {@code
 * attributes} (recording a span's end throws: its attributes, status, error and metric), {@code export}
 * (for the export pipeline to call), {@code logs} (making a log record throws), {@code all}; and, not part of {@code all}, {@code context} (carrying the
 * context into a task throws: a switch of its own, so that the host-safety test's failing places stay what they
 * are), {@code stall} (it throws nothing: the batch span thread pauses 200 ms before each look at its queue,
 * as if the machine kept it off the CPU) and {@code slowstart} (nor does this: the start-up thread pauses 800 ms
 * once the tracers are live, before it says "started"). Read once into {@code static final} booleans: with
 * the property unset, as always outside tests, the JIT folds every check to nothing. Agent class loader.
 */
public final class FaultInjection {

  public static final String PROPERTY = "weft.test.fault";

  /** {@code spans} or {@code all}: {@link #spanStart()} throws. */
  public static final boolean SPANS;

  /** {@code attributes} or {@code all}: {@link #spanEnd()} throws. */
  public static final boolean ATTRIBUTES;

  /** {@code export} or {@code all}: {@link #export()} throws. */
  public static final boolean EXPORT;

  /** {@code logs} or {@code all}: {@link #logRecord()} throws. */
  public static final boolean LOGS;

  /** {@code stall}: {@link #batchThreadStall()} pauses. */
  public static final boolean STALL;

  /** {@code context}: {@link #contextCarry()} throws. */
  public static final boolean CONTEXT;

  /** {@code slowstart}: {@link #startLineStall()} pauses. */
  public static final boolean SLOW_START;

  static {
    String value = read();
    boolean spans = false;
    boolean attributes = false;
    boolean export = false;
    boolean logs = false;
    boolean stall = false;
    boolean context = false;
    boolean slowStart = false;
    if (value != null && !value.trim().isEmpty()) {
      boolean valid = true;
      for (String part : value.split(",", -1)) {
        switch (part.trim()) {
          case "spans":
            spans = true;
            break;
          case "attributes":
            attributes = true;
            break;
          case "export":
            export = true;
            break;
          case "logs":
            logs = true;
            break;
          case "stall":
            stall = true;
            break;
          case "context":
            context = true;
            break;
          case "slowstart":
            slowStart = true;
            break;
          case "all":
            spans = attributes = export = logs = true;
            break;
          default:
            valid = false;
        }
      }
      if (!valid) {
        spans = attributes = export = logs = stall = context = slowStart = false;
        print("-D" + PROPERTY + "='" + InstrumentationConfig.printable(value) + "' is invalid (expected spans, attributes, export, logs, all, context, stall"
            + " or slowstart, comma-separated); no fault is injected");
      } else {
        print("-D" + PROPERTY + "=" + InstrumentationConfig.printable(value) + ": the agent's own code throws on purpose (a test-only switch)");
      }
    }
    SPANS = spans;
    ATTRIBUTES = attributes;
    EXPORT = export;
    LOGS = logs;
    STALL = stall;
    CONTEXT = context;
    SLOW_START = slowStart;
  }

  private FaultInjection() {}

  /** Called by each tracer just before it starts a span. */
  public static void spanStart() {
    if (SPANS) {
      throw new InjectedFault("span start");
    }
  }

  /** Called by each tracer as it begins recording a span's end (attributes, status, error, metric). */
  public static void spanEnd() {
    if (ATTRIBUTES) {
      throw new InjectedFault("span end");
    }
  }

  /** For the export pipeline, before it hands a batch to the exporter. */
  public static void export() {
    if (EXPORT) {
      throw new InjectedFault("export");
    }
  }

  /** Called by the log instrumentations as they begin making a log record of an event. */
  public static void logRecord() {
    if (LOGS) {
      throw new InjectedFault("log record");
    }
  }

  /** Called by the context carrier each time it captures, attaches, restores, remembers or recalls a context. */
  public static void contextCarry() {
    if (CONTEXT) {
      throw new InjectedFault("context carry");
    }
  }

  /** For the batch span thread, each time it looks at its queue. */
  public static void batchThreadStall() {
    if (STALL) {
      java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
    }
  }

  /** For the start-up thread, once the tracers are live and before it says "started". */
  public static void startLineStall() {
    if (SLOW_START) {
      java.util.concurrent.locks.LockSupport.parkNanos(800_000_000L);
    }
  }

  private static String read() {
    try {
      return System.getProperty(PROPERTY);
    } catch (RuntimeException e) {
      return null; // a security manager said no: no faults
    }
  }

  private static void print(String message) {
    try {
      System.err.println("[weft] " + message);
    } catch (RuntimeException e) {
      // stderr failed: nowhere to say it
    }
  }

  /** What the switch throws: recognisable in the one {@code [weft] internal error} line it causes. */
  static final class InjectedFault extends RuntimeException {
    InjectedFault(String where) {
      super("fault injected at " + where + " by -D" + PROPERTY);
    }
  }
}
