package io.weft.agent.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The properties file {@code OTEL_JAVAAGENT_CONFIGURATION_FILE} names, as the OpenTelemetry agent reads it:
 * {@code otel.*} keys (and Weft's {@code weft.*}), below the system properties and the environment in
 * precedence. Keys are matched as their environment names, so {@code db-statement} and {@code db.statement}
 * are the same key, and a variable's name ({@code OTEL_SERVICE_NAME}) is accepted too. Only a regular file is
 * read: a pipe or a device could keep premain waiting. A file that cannot be read is one line and no settings; a key that is no setting of
 * either kind is reported (at most {@value #MAX_REPORTED} lines) and ignored. Values are never echoed here:
 * a file often holds the exporter's headers.
 */
final class ConfigFile {

  static final ConfigFile EMPTY = new ConfigFile(null, Collections.emptyMap(), Collections.emptyMap());

  /** Larger is not a configuration file; read none of it rather than part. */
  static final int MAX_BYTES = 1 << 20;

  private static final int MAX_REPORTED = 5;

  private final String label;
  private final Map<String, String> values; // by environment name
  private final Map<String, String> keys; // environment name -> the key as written
  private final java.util.Set<String> referenced; // a declarative file's ${NAME}s; null for a properties file

  private ConfigFile(String label, Map<String, String> values, Map<String, String> keys) {
    this(label, values, keys, null);
  }

  private ConfigFile(String label, Map<String, String> values, Map<String, String> keys, java.util.Set<String> referenced) {
    this.label = label;
    this.values = values;
    this.keys = keys;
    this.referenced = referenced;
  }

  /** {@code setting}: how the user named the file's setting, for messages. */
  static ConfigFile read(String fileName, String setting, Consumer<String> warn) {
    String shown = WeftConfig.printable(fileName);
    String text = readText(fileName, setting, "a properties file", "", warn);
    if (text == null) {
      return EMPTY;
    }
    Properties loaded = new Properties();
    try {
      loaded.load(new StringReader(text));
    } catch (IOException | IllegalArgumentException e) {
      // a malformed \\uXXXX escape: the line it is on cannot be told from the rest
      warn.accept(setting + ": '" + shown + "' is not a valid properties file (" + WeftConfig.printable(String.valueOf(e.getMessage()))
          + "); none of its settings apply");
      return EMPTY;
    }
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, String> keys = new LinkedHashMap<>();
    int ignored = 0;
    for (String key : new TreeSet<>(loaded.stringPropertyNames())) { // sorted: reports in a stable order
      String lower = key.toLowerCase(Locale.ROOT);
      // the variables' names are the same settings: accepted too
      boolean known = lower.startsWith("otel.") || lower.startsWith("weft.") || lower.startsWith("otel_") || lower.startsWith("weft_");
      if (!known || WeftConfig.envName(key).equals(WeftConfig.envName(WeftConfig.CONFIGURATION_FILE))) {
        if (++ignored <= MAX_REPORTED) {
          warn.accept("'" + WeftConfig.printable(key) + "' in " + shown + (known
              ? " is ignored: a configuration file cannot name another one"
              : " is not an OpenTelemetry (otel.*) or Weft (weft.*) setting and is ignored"));
        }
        continue;
      }
      String env = WeftConfig.envName(key);
      values.put(env, loaded.getProperty(key));
      keys.put(env, key);
    }
    if (ignored > MAX_REPORTED) {
      warn.accept((ignored - MAX_REPORTED) + " more keys in " + shown + " are not settings and are ignored");
    }
    return new ConfigFile(shown, values, keys);
  }

  /**
   * The declarative configuration file {@code setting} names, read into the flat settings (see {@link
   * DeclarativeConfig}); null when it cannot be read or is not YAML the reader takes, reported with why: then the
   * variables and properties configure Weft, as if it were not named.
   */
  static ConfigFile declarative(String fileName, String setting, Map<String, String> environment, Consumer<String> warn) {
    String fallBack = "; Weft is configured by the OTEL_* variables and -D properties instead";
    String text = readText(fileName, setting, "a configuration file", fallBack, warn);
    if (text == null) {
      return null;
    }
    String shown = WeftConfig.printable(fileName);
    java.util.Set<String> referenced = new java.util.HashSet<>();
    Yaml.Mapping root;
    try {
      root = Yaml.parse(text, environment, referenced);
    } catch (Yaml.Problem problem) {
      warn.accept(setting + ": '" + shown + "' is not YAML Weft reads (" + WeftConfig.printable(problem.getMessage()) + ")" + fallBack);
      return null;
    }
    DeclarativeConfig config;
    try {
      config = DeclarativeConfig.translate(root, shown, environment, referenced, warn);
    } catch (RuntimeException bug) {
      // a bug of ours must not take the agent, let alone the application, down with it
      warn.accept(setting + ": reading '" + shown + "' failed (" + bug.getClass().getSimpleName() + ")" + fallBack);
      return null;
    }
    return new ConfigFile(shown, config.values, config.keys, referenced);
  }

  /** The text of a regular file of at most 1 MiB, or null (reported, ending with {@code consequence}). */
  private static String readText(String fileName, String setting, String kind, String consequence, Consumer<String> warn) {
    String shown = WeftConfig.printable(fileName);
    try {
      Path path = Paths.get(fileName);
      if (Files.exists(path) && !Files.isRegularFile(path)) {
        // a directory, or a pipe or device, whose read could wait for ever at premain
        warn.accept(setting + ": '" + shown + "' is not a regular file; none of its settings apply" + consequence);
        return null;
      }
      try (InputStream in = Files.newInputStream(path)) {
        byte[] bytes = in.readNBytes(MAX_BYTES + 1);
        if (bytes.length > MAX_BYTES) {
          warn.accept(setting + ": '" + shown + "' is larger than 1 MiB, not " + kind + "; none of its settings apply" + consequence);
          return null;
        }
        return new String(bytes, StandardCharsets.UTF_8);
      }
    } catch (NoSuchFileException e) {
      warn.accept(setting + ": '" + shown + "' does not exist; none of its settings apply" + consequence);
    } catch (IOException | RuntimeException e) {
      // RuntimeException: an invalid path (a NUL character), a security manager's refusal
      warn.accept(setting + ": cannot read '" + shown + "' (" + e.getClass().getSimpleName() + "); none of its settings apply" + consequence);
    }
    return null;
  }

  /** Whether this is a declarative configuration file, which replaces the variables and properties. */
  boolean declarative() {
    return referenced != null;
  }

  /** The environment variables a declarative file refers to ({@code ${NAME}}); those are not ignored. */
  boolean references(String variable) {
    return referenced != null && referenced.contains(variable);
  }

  /** The file's name, printable; null for no file. */
  String label() {
    return label;
  }

  String get(String envName) {
    return values.get(envName);
  }

  boolean has(String envName) {
    return values.containsKey(envName);
  }

  /** The key as the file writes it, and where: {@code otel.service.name in /etc/app/otel.properties}. */
  String describe(String envName) {
    return WeftConfig.printable(keys.get(envName)) + " in " + label;
  }

  boolean hasWeftKeys() {
    for (String env : values.keySet()) {
      if (env.startsWith("WEFT_")) {
        return true;
      }
    }
    return false;
  }

  void reportUnknownWeftKeys(List<String> knownEnvNames, Consumer<String> warn) {
    for (Map.Entry<String, String> key : keys.entrySet()) {
      if (key.getKey().startsWith("WEFT_") && !key.getKey().startsWith("WEFT_TEST_") && !knownEnvNames.contains(key.getKey())) {
        warn.accept("'" + WeftConfig.printable(key.getValue()) + "' in " + label
            + " is not a Weft setting and is ignored (see the configuration table in the README)");
      }
    }
  }
}
