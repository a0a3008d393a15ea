package io.weft.instrumentation;

import java.util.List;

/**
 * The agent's configuration as instrumentations see it. Keys are given in their system-property form
 * ({@code otel.instrumentation.methods.include}); the agent also reads the environment-variable twin
 * ({@code OTEL_INSTRUMENTATION_METHODS_INCLUDE}), and a property wins over the variable. Runs in the
 * agent class loader.
 */
public interface InstrumentationConfig {

  /** The raw value, trimmed, or {@code null} when unset or blank. */
  String getString(String key);

  /**
   * {@code true}/{@code false} (any case); an unset key gives {@code defaultValue}, anything else is
   * reported on stderr (naming the key, the value and what is accepted) and also gives the default.
   */
  boolean getBoolean(String key, boolean defaultValue);

  /** Comma-separated values, trimmed, blanks dropped; empty when unset. */
  List<String> getList(String key);

  /** Whether {@code OTEL_JAVAAGENT_DEBUG} is on: log every woven method, print spans as they end. */
  boolean debug();

  /** Reports one problem as a single {@code [weft]} line on stderr; never throws. */
  void warn(String message);

  /** Prints a {@code [weft]} line on stderr only in debug mode. */
  void debug(String message);

  /**
   * A configured value as a warning may quote it: at most 100 characters (then {@code ...}) and control
   * characters replaced by {@code ?}, so a hostile value can neither forge {@code [weft]} lines nor flood
   * stderr.
   */
  static String printable(String value) {
    StringBuilder out = new StringBuilder(Math.min(value.length(), 100));
    for (int i = 0; i < value.length() && out.length() < 100; i++) {
      char c = value.charAt(i);
      out.append(Character.isISOControl(c) ? '?' : c);
    }
    if (value.length() > 100) {
      out.append("...");
    }
    return out.toString();
  }
}
