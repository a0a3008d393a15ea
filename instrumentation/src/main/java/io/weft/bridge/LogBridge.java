package io.weft.bridge;

import java.util.Map;

/**
 * The door from woven logging-library code into the agent: a log event's MDC map gets the current span's
 * ids, and a log event becomes an OpenTelemetry log record. Loaded by the bootstrap class loader so that any
 * application's logging library can call it; uses {@code java.base} types only. Until the agent installs its
 * handler it hands every map back unchanged and never waits: an application logs from its first line, and before
 * the SDK is built there is no span to name. A log event that arrives while the agent is still building its SDK
 * waits for it at the {@link StartupGate}, as a traced call does, so the application's first lines are exported.
 */
public final class LogBridge {

  private static volatile Handler handler;
  private static volatile RecordHandler records;

  /**
   * How deep the current thread is in woven "log one event" methods: a library that hands its events to
   * another (JUL or Log4j through SLF4J to Logback, Log4j's asynchronous logger calling its synchronous path)
   * makes one record, at the outermost. An anonymous class, not {@code withInitial}: no lambda in the bootstrap.
   */
  private static final ThreadLocal<int[]> DEPTH = new ThreadLocal<int[]>() {
    @Override
    protected int[] initialValue() {
      return new int[1];
    }
  };

  private LogBridge() {}

  /** {@code mdc}, or a copy of it with the current span's ids; never throws. */
  public static Map<String, String> withSpan(Map<String, String> mdc) {
    Handler ready = handler;
    if (ready == null) {
      return mdc;
    }
    try {
      return ready.withSpan(mdc);
    } catch (Throwable e) {
      return mdc; // woven code calls this directly: nothing may reach the application
    }
  }

  /**
   * Log4j's {@code StringMap} {@code contextData} (its type is not visible here), or a frozen copy of it with the
   * current span's ids, made with the classes of {@code provider}'s loader; never throws.
   */
  public static Object withSpan(Object contextData, Object provider) {
    Handler ready = handler;
    if (ready == null) {
      return contextData;
    }
    try {
      return ready.withSpan(contextData, provider);
    } catch (Throwable e) {
      return contextData;
    }
  }

  /**
   * A JBoss LogManager {@code ExtLogRecord} about to be published ({@code Logger.logRaw}, on the logging thread):
   * the current span's ids go into the record's own copy of the MDC, never the thread's, so a formatter's {@code
   * %X{trace_id}} finds them on whatever thread it runs; never throws.
   */
  public static void recordWithSpan(Object record) {
    Handler ready = handler;
    if (ready == null || record == null) {
      return;
    }
    try {
      ready.recordWithSpan(record);
    } catch (Throwable e) {
      // as above
    }
  }

  public static void install(Handler ready) {
    handler = ready;
  }

  public static void install(RecordHandler ready) {
    records = ready;
  }

  /** Which library an event given to {@link RecordHandler#record} comes from. */
  public static final int LOGBACK = 0;
  public static final int LOG4J = 1;
  public static final int JUL = 2;
  public static final int LOG4J1 = 3;

  /**
   * Entry of Logback's {@code Logger.callAppenders(ILoggingEvent)}: the event becomes a log record, unless the
   * thread is already inside a woven logging call. Returns what {@link #exit} gets: non-null when this call was
   * counted; never throws.
   */
  public static Object logback(Object event) {
    return enter(LOGBACK, event, null, null, null, null);
  }

  /**
   * Entry of Log4j's {@code Logger.logMessage} or {@code log} (core, synchronous or asynchronous), which the
   * logger calls once the level is enabled: as {@link #logback}. {@code marker} may be null.
   */
  public static Object log4j(Object logger, Object level, Object marker, Object message, Object thrown) {
    return enter(LOG4J, logger, level, marker, message, thrown);
  }

  /**
   * Entry of {@code java.util.logging.Logger.log(LogRecord)}, which every JUL call goes through (the handler checks
   * the logger's level, as the method does first): as {@link #logback}.
   */
  public static Object jul(Object logger, Object record) {
    return enter(JUL, logger, record, null, null, null);
  }

  /** Entry of Log4j 1's {@code Category.callAppenders(LoggingEvent)} (reload4j's too): as {@link #logback}. */
  public static Object log4j1(Object event) {
    return enter(LOG4J1, event, null, null, null, null);
  }

  private static Object enter(int library, Object a, Object b, Object c, Object d, Object e) {
    try {
      RecordHandler ready = recordHandler();
      if (ready == null) {
        return null;
      }
      int[] depth = DEPTH.get();
      if (depth[0]++ == 0) {
        try {
          ready.record(library, a, b, c, d, e);
        } catch (Throwable failed) {
          // the handler reports its own trouble; the depth must still come down at the exit
        }
      }
      return depth; // the exit gets the thread's own counter back: no second look-up
    } catch (Throwable failed) {
      return null; // woven code calls this directly: nothing may reach the application
    }
  }

  /** Exit of a woven logging call, normal or not; {@code call} is what its entry returned. */
  public static void exit(Object call, Throwable thrown) {
    if (call == null) {
      return;
    }
    int[] depth = (int[]) call; // only enter's return value comes here, on the thread that entered
    if (depth[0] > 0) {
      depth[0]--;
    }
  }

  private static RecordHandler recordHandler() {
    RecordHandler ready = records;
    if (ready == null && StartupGate.isClosed()) {
      StartupGate.await();
      ready = records;
    }
    return ready;
  }

  /** Turns a logging library's event into a log record; implemented in the agent class loader. */
  public interface RecordHandler {
    /**
     * One event of {@code library}: {@link #LOGBACK} an {@code ILoggingEvent}; {@link #LOG4J} the core {@code Logger},
     * its {@code Level}, {@code Marker} (may be null), {@code Message} and the throwable (may be null); {@link #JUL}
     * the logger and the {@code LogRecord}. Unused arguments are null.
     */
    void record(int library, Object a, Object b, Object c, Object d, Object e);
  }

  /** Implemented in the agent class loader. */
  public interface Handler {
    /** {@code mdc} (possibly null) when there is no current span or it names one already, else a new map with the ids. */
    Map<String, String> withSpan(Map<String, String> mdc);

    /** As {@link LogBridge#withSpan(Object, Object)}. */
    Object withSpan(Object contextData, Object provider);

    /** As {@link LogBridge#recordWithSpan}. */
    default void recordWithSpan(Object record) {}
  }
}
