package io.weft.bridge;

import java.util.Map;

/**
 * The door from woven logging-library code into the agent: a log event's MDC map gets the current span's
 * ids. Loaded by the bootstrap class loader so that any application's logging library can call it; uses
 * {@code java.base} types only. Until the agent installs its handler it hands every map back unchanged and
 * never waits: an application logs from its first line, and before the SDK is built there is no span to name.
 */
public final class LogBridge {

  private static volatile Handler handler;

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

  public static void install(Handler ready) {
    handler = ready;
  }

  /** Implemented in the agent class loader. */
  public interface Handler {
    /** {@code mdc} (possibly null) when there is no current span or it names one already, else a new map with the ids. */
    Map<String, String> withSpan(Map<String, String> mdc);

    /** As {@link LogBridge#withSpan(Object, Object)}. */
    Object withSpan(Object contextData, Object provider);
  }
}
