package io.weft.agent.config;

import io.weft.instrumentation.InstrumentationConfig;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The agent's configuration, read once at start from {@code -D} system properties, environment
 * variables with the same names ({@code otel.service.name} / {@code OTEL_SERVICE_NAME}) and the
 * properties file {@code OTEL_JAVAAGENT_CONFIGURATION_FILE} names, in that order of precedence (as the
 * OpenTelemetry agent reads them). Every accessor validates: a bad value gives one {@code [weft]} line
 * naming the setting as the user wrote it, the bad value and what is accepted, and the documented
 * default is used. Agent class loader.
 */
public final class WeftConfig implements InstrumentationConfig {

  /** The values {@code OTEL_METRICS_EXPORTER} accepts: read by the SDK build, and at premain for the JVM metrics' thread. */
  public static final String[] METRIC_EXPORTERS = {"otlp", "prometheus", "console", "logging", "none"};

  /**
   * The OpenTelemetry agent's instrumentations (by the names its switches take) whose work Weft does under another name:
   * its container instrumentations make the server span there, Weft's servlet instrumentation on every container; the
   * versioned names are the same instrumentations as Weft's unversioned ones. Whoever switches one is told which
   * switch is Weft's, instead of finding the spans still there (or gone).
   */
  private static final String[][] COVERED_INSTRUMENTATIONS = {
    {"tomcat", "servlet"}, {"jetty", "servlet"}, {"undertow", "servlet"}, {"liberty", "servlet"},
    {"servlet-2.2", "servlet"}, {"servlet-3.0", "servlet"}, {"servlet-5.0", "servlet"},
    {"spring-webmvc", "servlet"}, {"jaxrs-2.0", "jaxrs"}, {"jaxrs-3.0", "jaxrs"},
    {"logback-appender-1.0", "logback-appender"}, {"logback-mdc-1.0", "logback-mdc"},
    {"log4j-appender-2.17", "log4j-appender"}, {"log4j-context-data-2.17", "log4j-context-data"}, {"log4j-mdc-1.2", "log4j-mdc"},
    {"runtime-telemetry-java8", "runtime-telemetry"}, {"runtime-telemetry-java17", "runtime-telemetry"},
  };

  /** The setting naming the properties file read after the system properties and the environment. */
  public static final String CONFIGURATION_FILE = "otel.javaagent.configuration-file";

  /** The setting naming a declarative (YAML) configuration file, which replaces the variables and properties. */
  public static final String CONFIG_FILE = "otel.config.file";

  /** {@link #CONFIG_FILE}'s name before the OpenTelemetry agent 2.26; both are read. */
  public static final String EXPERIMENTAL_CONFIG_FILE = "otel.experimental.config.file";

  private static final int MAX_LINE = 380; // the longest real warning quotes a 100-character value in about 300

  /** The agent's arguments, by variable name ({@link #envName}): value and the name as given. Read before all else. */
  private final Map<String, String[]> arguments;
  private final Map<String, String> properties;
  /**
   * The properties by variable name, value and the name as given: {@code -Dotel.instrumentation.common.default.enabled}
   * sets {@code otel.instrumentation.common.default-enabled}, as the OpenTelemetry SDK's configuration reads it (case
   * ignored, dots and dashes alike). A property set under the setting's own key wins over another spelling.
   */
  private final Map<String, String[]> propertiesByEnvName;
  private final Map<String, String> environment;
  private final ConfigFile file;
  private final Consumer<String> stderr;
  private final boolean debug;
  private final java.util.Set<String> reported = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public WeftConfig(Map<String, String> properties, Map<String, String> environment, Consumer<String> stderr) {
    this(Collections.emptyMap(), properties, environment, stderr);
  }

  /**
   * With the agent's arguments ({@code -javaagent:weft-agent.jar=otel.service.name=orders,...}, or an attach's), by the
   * name given: they come before the system properties, the environment and the files, being what this agent was given
   * last (at an attach, the operator's settings, where the application's were fixed when it started).
   */
  public WeftConfig(Map<String, String> arguments, Map<String, String> properties, Map<String, String> environment,
      Consumer<String> stderr) {
    Map<String, String[]> byEnvName = new LinkedHashMap<>();
    for (Map.Entry<String, String> argument : arguments.entrySet()) {
      byEnvName.put(envName(argument.getKey()), new String[] {argument.getValue(), argument.getKey()});
    }
    this.arguments = byEnvName;
    this.properties = properties;
    Map<String, String[]> propertiesByEnvName = new LinkedHashMap<>();
    for (Map.Entry<String, String> property : properties.entrySet()) {
      propertiesByEnvName.putIfAbsent(envName(property.getKey()), new String[] {property.getValue(), property.getKey()});
    }
    this.propertiesByEnvName = propertiesByEnvName;
    this.environment = environment;
    this.stderr = stderr;
    this.file = file();
    this.debug = getBoolean("otel.javaagent.debug", false);
  }

  /**
   * The declarative configuration file when one is named and can be read, else the properties file when one is
   * named; both are named by a property or a variable, never by a file. What goes wrong reading either is reported.
   */
  private ConfigFile file() {
    String yamlKey = trimmed(lookup(CONFIG_FILE)) != null ? CONFIG_FILE : EXPERIMENTAL_CONFIG_FILE;
    String yamlName = trimmed(lookup(yamlKey));
    String fileName = trimmed(lookup(CONFIGURATION_FILE));
    if (yamlName != null) {
      ConfigFile declarative = ConfigFile.declarative(yamlName, nameAsSet(yamlKey), environment, new Warn(this));
      if (declarative != null) {
        if (fileName != null) {
          warn(nameAsSet(CONFIGURATION_FILE) + " is ignored: " + nameAsSet(yamlKey) + " names the declarative configuration, which replaces it");
        }
        return declarative;
      }
    }
    return fileName == null ? ConfigFile.EMPTY : ConfigFile.read(fileName, nameAsSet(CONFIGURATION_FILE), new Warn(this));
  }

  /** {@link #warn} as a Consumer; a class, not a method reference, because the first lambda costs premain milliseconds. */
  private static final class Warn implements Consumer<String> {
    private final WeftConfig config;

    Warn(WeftConfig config) {
      this.config = config;
    }

    @Override
    public void accept(String line) {
      config.warn(line);
    }
  }

  /**
   * Whether {@code key} is still read from the properties and the environment when a declarative file configures
   * Weft: the agent's own start-up switches, as the OpenTelemetry agent reads them, and Weft's {@code WEFT_*}
   * settings, which no specification names (the file's {@code instrumentation/development.java.agent} and
   * {@code .weft} sections set them too, below).
   */
  private static boolean readBesideDeclarative(String key) {
    return key.startsWith("otel.javaagent.") || key.startsWith("weft.") || key.equals(CONFIG_FILE) || key.equals(EXPERIMENTAL_CONFIG_FILE);
  }

  /** From the agent's arguments (by the name given) and this JVM's system properties and environment, reporting on stderr. */
  public static WeftConfig fromSystem(Map<String, String> arguments) {
    Map<String, String> props = new LinkedHashMap<>();
    for (String name : new java.util.TreeSet<>(System.getProperties().stringPropertyNames())) { // sorted: one spelling wins always
      if (name.regionMatches(true, 0, "otel.", 0, 5) || name.regionMatches(true, 0, "weft.", 0, 5)) {
        props.put(name, System.getProperty(name));
      }
    }
    return new WeftConfig(arguments, props, System.getenv(), new Stderr());
  }

  /** Prints a report line; a class, not a lambda, because the first lambda costs premain milliseconds. */
  private static final class Stderr implements Consumer<String> {
    @Override
    public void accept(String line) {
      System.err.println("[weft] " + line);
    }
  }

  /** The configuration file whose settings were read (printable), or null when none was named or it could not be read. */
  public String configurationFile() {
    return file.label();
  }

  /** {@code otel.service.name} → {@code OTEL_SERVICE_NAME}. */
  public static String envName(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** The name the user actually set (property, variable or the file's key), for messages. */
  public String nameAsSet(String key) {
    if (file != null && file.declarative() && !readBesideDeclarative(key) && file.has(envName(key))) {
      return file.describe(envName(key));
    }
    String[] argument = arguments.get(envName(key));
    if (argument != null) {
      return "the agent's argument " + printable(argument[1]);
    }
    if (properties.containsKey(key)) {
      return "-D" + key;
    }
    String env = envName(key);
    String[] property = propertiesByEnvName.get(env);
    if (property != null) {
      return "-D" + printable(property[1]);
    }
    if (!environment.containsKey(env) && file != null && file.has(env)) {
      return file.describe(env);
    }
    return env;
  }

  @Override
  public String getString(String key) {
    if (file.declarative() && !readBesideDeclarative(key)) {
      return trimmed(file.get(envName(key)));
    }
    String value = trimmed(lookup(key));
    return value != null ? value : trimmed(file.get(envName(key)));
  }

  /** The agent's argument, else the system property, else the variable. */
  private String lookup(String key) {
    String env = envName(key);
    String[] argument = arguments.get(env);
    if (argument != null) {
      return argument[0];
    }
    String value = properties.get(key);
    if (value == null) {
      String[] property = propertiesByEnvName.get(env);
      value = property != null ? property[0] : null;
    }
    return value != null ? value : environment.get(env);
  }

  /** Null for unset or blank. */
  private static String trimmed(String value) {
    if (value == null) {
      return null;
    }
    value = value.trim();
    return value.isEmpty() ? null : value;
  }

  public String getString(String key, String defaultValue) {
    String value = getString(key);
    return value == null ? defaultValue : value;
  }

  @Override
  public boolean getBoolean(String key, boolean defaultValue) {
    String value = getString(key);
    if (value == null) {
      return defaultValue;
    }
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    if (value.equalsIgnoreCase("false")) {
      return false;
    }
    // the default, as for every malformed value; the OpenTelemetry SDK reads anything but true as false, which the line says
    warn(nameAsSet(key) + "='" + printable(value) + "' is invalid (expected true or false); using " + defaultValue
        + (defaultValue ? " (the OpenTelemetry agent would read it as false)" : ""));
    return defaultValue;
  }

  /** A whole number within [min, max]. */
  public int getInt(String key, int defaultValue, int min, int max) {
    String value = getString(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      long parsed = Long.parseLong(value);
      if (parsed >= min && parsed <= max) {
        return (int) parsed;
      }
    } catch (NumberFormatException notANumber) {
      // reported below
    }
    invalid(key, value, "a whole number from " + min + " to " + max, String.valueOf(defaultValue));
    return defaultValue;
  }

  /**
   * A duration in milliseconds: a plain number is milliseconds (as the specification says); the
   * suffixes ms, s, m and h are accepted too. Zero is allowed only when {@code allowZero}.
   */
  public long getMillis(String key, long defaultMillis, boolean allowZero) {
    String value = getString(key);
    if (value == null) {
      return defaultMillis;
    }
    long millis = parseMillis(value);
    if (millis > 0 || (millis == 0 && allowZero)) {
      return millis;
    }
    invalid(
        key,
        value,
        (allowZero ? "a non-negative" : "a positive") + " duration in milliseconds (or with ms, s, m, h)",
        defaultMillis + " ms");
    return defaultMillis;
  }

  static long parseMillis(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    long unit = 1;
    if (v.endsWith("ms")) {
      v = v.substring(0, v.length() - 2);
    } else if (v.endsWith("s")) {
      unit = 1000;
      v = v.substring(0, v.length() - 1);
    } else if (v.endsWith("m")) {
      unit = 60_000;
      v = v.substring(0, v.length() - 1);
    } else if (v.endsWith("h")) {
      unit = 3_600_000;
      v = v.substring(0, v.length() - 1);
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n < 0 || n > Long.MAX_VALUE / unit / 2) {
        return -1;
      }
      return n * unit;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * A size in bytes: a plain number is bytes; the suffixes KB, MB and GB (powers of 1024, case
   * ignored, an optional trailing B or iB) are accepted. Zero is allowed only when {@code allowZero}.
   */
  public long getBytes(String key, long defaultBytes, boolean allowZero) {
    String value = getString(key);
    if (value == null) {
      return defaultBytes;
    }
    long bytes = parseBytes(value);
    if (bytes > 0 || (bytes == 0 && allowZero)) {
      return bytes;
    }
    invalid(key, value, (allowZero ? "a non-negative" : "a positive") + " size in bytes (or with KB, MB, GB)", defaultBytes + " bytes");
    return defaultBytes;
  }

  static long parseBytes(String value) {
    String v = value.trim().toUpperCase(Locale.ROOT);
    if (v.endsWith("IB")) {
      v = v.substring(0, v.length() - 2) + "B";
    }
    long unit = 1;
    if (v.endsWith("KB") || v.endsWith("K")) {
      unit = 1L << 10;
    } else if (v.endsWith("MB") || v.endsWith("M")) {
      unit = 1L << 20;
    } else if (v.endsWith("GB") || v.endsWith("G")) {
      unit = 1L << 30;
    }
    v = v.replaceAll("[KMG]?B?$", "").trim();
    try {
      long n = Long.parseLong(v);
      if (n < 0 || n > Long.MAX_VALUE / unit / 2) {
        return -1;
      }
      return n * unit;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** A number within [min, max]. */
  public double getDouble(String key, double defaultValue, double min, double max) {
    String value = getString(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      double parsed = Double.parseDouble(value);
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException notANumber) {
      // reported below
    }
    invalid(key, value, "a number from " + min + " to " + max, String.valueOf(defaultValue));
    return defaultValue;
  }

  /** One of {@code allowed} (case-insensitive, returned lower-case). */
  public String getChoice(String key, String defaultValue, String... allowed) {
    String value = getString(key);
    if (value == null) {
      return defaultValue;
    }
    String lower = value.toLowerCase(Locale.ROOT);
    for (String choice : allowed) {
      if (choice.equals(lower)) {
        return choice;
      }
    }
    invalid(key, value, "one of " + String.join(", ", allowed), defaultValue);
    return defaultValue;
  }

  /**
   * A comma-separated list whose items must be among {@code allowed}; unknown items are reported and
   * dropped. {@code none} alone means an empty list.
   */
  public List<String> getChoices(String key, List<String> defaultValue, String... allowed) {
    String value = getString(key);
    if (value == null) {
      return defaultValue;
    }
    List<String> result = new ArrayList<>();
    for (String item : getList(key)) {
      String lower = item.toLowerCase(Locale.ROOT);
      boolean known = false;
      for (String choice : allowed) {
        known |= choice.equals(lower);
      }
      if (!known) {
        warn(
            nameAsSet(key)
                + ": ignoring the unknown value '"
                + printable(item)
                + "' (accepted: "
                + String.join(", ", allowed)
                + ")");
      } else if (!lower.equals("none") && !result.contains(lower)) {
        result.add(lower);
      }
    }
    return result;
  }

  @Override
  public List<String> getList(String key) {
    String value = getString(key);
    if (value == null) {
      return Collections.emptyList();
    }
    List<String> items = new ArrayList<>();
    for (String item : value.split(",")) {
      String trimmed = item.trim();
      if (!trimmed.isEmpty()) {
        items.add(trimmed);
      }
    }
    return items;
  }

  /**
   * {@code key1=value1,key2=value2} as the specification writes headers and resource attributes;
   * values are percent-decoded. A malformed pair is reported (without its value, which may be a
   * secret) and skipped.
   */
  public Map<String, String> getMap(String key) {
    Map<String, String> map = new LinkedHashMap<>();
    String value = getString(key);
    if (value == null) {
      return map;
    }
    int position = 0;
    for (String pair : value.split(",")) {
      position++;
      if (pair.trim().isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq > 0 ? pair.substring(0, eq).trim() : "";
      if (name.isEmpty()) {
        // the entry is not echoed: it may be a credential that lost its '='
        warn(nameAsSet(key) + ": ignoring malformed entry number " + position + " (expected name=value pairs separated by commas)");
        continue;
      }
      String raw = pair.substring(eq + 1).trim();
      try {
        map.put(name, URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException badEncoding) {
        warn(nameAsSet(key) + ": entry '" + printable(name) + "' has malformed percent-encoding; using it as written");
        map.put(name, raw);
      }
    }
    return map;
  }

  /** An absolute http or https URL, or the default. */
  public String getUrl(String key, String defaultValue) {
    String value = getString(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      URI uri = new URI(value);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return value;
      }
    } catch (Exception malformed) {
      // reported below
    }
    invalid(key, value, "an http:// or https:// URL with a host", defaultValue);
    return defaultValue;
  }

  @Override
  public boolean debug() {
    return debug;
  }

  /** Reports each distinct problem once, however often the setting behind it is read. */
  @Override
  public void warn(String message) {
    try {
      if (!reported.add(message)) {
        return;
      }
      stderr.accept(oneLine(message));
    } catch (RuntimeException ignored) {
      // nowhere left to report
    }
  }

  @Override
  public void debug(String message) {
    if (debug) {
      warn(message);
    }
  }

  /** Whether any {@code weft.*} property, {@code WEFT_*} variable or {@code weft.*} key in the file is set at all. */
  public boolean hasWeftSettings() {
    if (file.hasWeftKeys()) {
      return true;
    }
    for (String name : arguments.keySet()) {
      if (name.startsWith("WEFT_")) {
        return true;
      }
    }
    for (String name : propertiesByEnvName.keySet()) {
      if (name.startsWith("WEFT_")) {
        return true;
      }
    }
    for (String name : environment.keySet()) {
      if (name.startsWith("WEFT_")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Reports every {@code WEFT_*} variable, {@code weft.*} property and {@code weft.*} key of the file that is
   * not one we know; {@code weft.test.*} properties are the test-only switches (docs/testing.md), read where
   * they act, and never reported.
   */
  public void reportUnknownWeftSettings(List<String> knownKeys) {
    List<String> knownEnv = new ArrayList<>();
    for (String key : knownKeys) {
      knownEnv.add(envName(key));
    }
    for (String name : properties.keySet()) {
      String env = envName(name);
      if (env.startsWith("WEFT_") && !env.startsWith("WEFT_TEST_") && !knownEnv.contains(env)) {
        warn("-D" + printable(name) + " is not a Weft setting and is ignored (see the configuration table in the README)");
      }
    }
    for (String name : environment.keySet()) {
      if (name.startsWith("WEFT_") && !knownEnv.contains(name)) {
        warn(printable(name) + " is not a Weft setting and is ignored (see the configuration table in the README)");
      }
    }
    for (Map.Entry<String, String[]> argument : arguments.entrySet()) {
      if (argument.getKey().startsWith("WEFT_") && !knownEnv.contains(argument.getKey())) {
        warn("the agent's argument " + printable(argument.getValue()[1])
            + " is not a Weft setting and is ignored (see the configuration table in the README)");
      }
    }
    file.reportUnknownWeftKeys(knownEnv, this::warn);
  }

  /**
   * Settings of the OpenTelemetry agent Weft does not act on: whoever set one, moving from that agent, is told
   * once at start what Weft does instead of silently losing it. A few map lookups.
   */
  public void reportUnsupportedSettings() {
    unsupported("otel.javaagent.extensions", null, "Weft loads no extensions");
    for (String[] covered : COVERED_INSTRUMENTATIONS) {
      String key = "otel.instrumentation." + covered[0] + ".enabled";
      if (getString(key) != null) {
        warn(nameAsSet(key) + " is not a Weft switch and is ignored: Weft's " + covered[1] + " instrumentation does that work ("
            + envName("otel.instrumentation." + covered[1] + ".enabled") + ")");
      }
    }
    if (file.declarative()) {
      reportIgnoredBesideDeclarative();
    }
    String optIn = getString("otel.semconv-stability.opt-in");
    // service.peer/dup is supported: peer.service and service.peer.name are both set on database spans
    if (optIn != null && optIn.replaceAll("(?i)service\\.peer/dup", "").contains("/dup")) {
      warn(nameAsSet("otel.semconv-stability.opt-in") + "='" + printable(optIn)
          + "' is not supported: Weft sends the stable conventions only, never the old attributes beside them");
    }
    String logging = getString("otel.javaagent.logging");
    if (logging != null && !logging.equalsIgnoreCase("simple")) {
      warn(nameAsSet("otel.javaagent.logging") + "='" + printable(logging)
          + "' is not supported: Weft writes its few lines to stderr (simple)");
    }
  }

  /**
   * With a declarative file, the {@code OTEL_*} variables and {@code otel.*} properties it does not refer to are
   * ignored, as the specification says: whoever set one is told so once, in one line, rather than left wondering.
   */
  private void reportIgnoredBesideDeclarative() {
    java.util.Set<String> ignored = new java.util.TreeSet<>();
    for (String[] property : propertiesByEnvName.values()) {
      String name = property[1];
      String key = name.toLowerCase(Locale.ROOT).replace('-', '.');
      if (key.startsWith("otel.") && !readBesideDeclarative(key)) {
        ignored.add("-D" + name);
      }
    }
    for (String name : environment.keySet()) {
      if (name.startsWith("OTEL_") && !name.startsWith("OTEL_JAVAAGENT_") && !name.equals(envName(CONFIG_FILE))
          && !name.equals(envName(EXPERIMENTAL_CONFIG_FILE)) && !file.references(name)) {
        ignored.add(name);
      }
    }
    for (Map.Entry<String, String[]> argument : arguments.entrySet()) {
      String name = argument.getKey();
      if (name.startsWith("OTEL_") && !name.startsWith("OTEL_JAVAAGENT_") && !name.equals(envName(CONFIG_FILE))
          && !name.equals(envName(EXPERIMENTAL_CONFIG_FILE))) {
        ignored.add("the agent's argument " + argument.getValue()[1]);
      }
    }
    if (ignored.isEmpty()) {
      return;
    }
    List<String> shown = new ArrayList<>();
    for (String name : ignored) {
      if (shown.size() == 6) {
        shown.add("and " + (ignored.size() - 6) + " more");
        break;
      }
      shown.add(printable(name));
    }
    warn(String.join(", ", shown) + (ignored.size() == 1 ? " is" : " are") + " ignored: the declarative configuration "
        + file.label() + " replaces the variables and properties (refer to a variable in it as ${NAME})");
  }

  /** Reports {@code key} when set (to {@code onlyValue}, case ignored, when that is not null). */
  private void unsupported(String key, String onlyValue, String instead) {
    String value = getString(key);
    if (value != null && (onlyValue == null || onlyValue.equalsIgnoreCase(value))) {
      warn(nameAsSet(key) + " is not supported and is ignored: " + instead);
    }
  }

  private void invalid(String key, String value, String accepted, String fallback) {
    warn(nameAsSet(key) + "='" + printable(value) + "' is invalid (expected " + accepted + "); using " + fallback);
  }

  /** Bounded and free of control characters, so a hostile value cannot forge log lines. */
  static String printable(String value) {
    return InstrumentationConfig.printable(value);
  }

  /**
   * The last guard before stderr, whoever built the message: one line (control characters become
   * {@code ?}), at most {@value #MAX_LINE} characters.
   */
  static String oneLine(String message) {
    StringBuilder out = new StringBuilder(Math.min(message.length(), MAX_LINE + 3));
    for (int i = 0; i < message.length() && out.length() < MAX_LINE; i++) {
      char c = message.charAt(i);
      out.append(Character.isISOControl(c) ? '?' : c);
    }
    if (message.length() > MAX_LINE) {
      out.append("...");
    }
    return out.toString();
  }
}
