package io.weft.agent;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarFile;

/**
 * The {@code Premain-Class} and {@code Agent-Class}. Loaded by the system class loader, so it uses JDK
 * types only, keeps no state and logs nothing: it defines the bridge and the agent class loader's class
 * in the bootstrap loader, makes the agent class loader, and hands over to {@code AgentStarter} inside
 * it. Nothing it does may stop the application from starting.
 */
public final class WeftAgent {

  /** Set to Weft's version once an agent has started in this JVM: the attach command reads it from outside. */
  static final String RUNNING_PROPERTY = "weft.agent.version";

  private WeftAgent() {}

  public static void premain(String agentArgs, Instrumentation inst) {
    start(inst, false, agentArgs);
  }

  public static void agentmain(String agentArgs, Instrumentation inst) {
    start(inst, true, agentArgs);
  }

  private static void start(Instrumentation inst, boolean attached, String agentArgs) {
    try {
      Map<String, String> arguments = new LinkedHashMap<>();
      List<String> problems = new ArrayList<>();
      parseArguments(agentArgs, arguments, problems);
      String enabled = setting("otel.javaagent.enabled", arguments);
      if (enabled != null && "false".equalsIgnoreCase(enabled.trim())) {
        return;
      }
      if (enabled != null && !enabled.trim().isEmpty() && !"true".equalsIgnoreCase(enabled.trim())) {
        // the value is not echoed: the line is printed before anything could make it printable
        System.err.println("[weft] OTEL_JAVAAGENT_ENABLED (or otel.javaagent.enabled) is neither true nor false: Weft stays on"
            + " (the OpenTelemetry agent would read it as false and be off)");
      }
      if (alreadyLoaded()) {
        // -javaagent given twice (JAVA_TOOL_OPTIONS and the command line), or an attach to a JVM that has Weft: a second
        // agent would weave every class again and export everything twice
        System.err.println("[weft] Weft is already running in this JVM (-javaagent, or an earlier attach): this "
            + (attached ? "attach" : "-javaagent") + " is ignored, with its settings");
        return;
      }
      File jar = agentJar();
      // the bridge and the class loader must come from bootstrap, where every class loader sees them
      defineInBootstrap(inst, jar, arguments);
      // Direct calls, no reflection: on Java 18+ the first reflective call spins method handles for
      // tens of milliseconds. AgentClassLoader is resolved here, after the append, so it comes from
      // bootstrap; held as an Object, the verifier of this class never has to load it earlier.
      Object agentLoader = new AgentClassLoader(jar);
      ((AgentClassLoader) agentLoader).start(inst, attached, arguments, problems);
      // what 'java -jar weft-agent.jar attach' reads before loading a second one (set after the configuration was read,
      // which reports unknown weft.* properties)
      String version = WeftAgent.class.getPackage() == null ? null : WeftAgent.class.getPackage().getImplementationVersion();
      System.setProperty(RUNNING_PROPERTY, version != null ? version : "dev");
    } catch (Throwable failure) {
      Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
      System.err.println("[weft] the agent could not start and is off; the application runs without it: " + cause);
    }
  }

  /**
   * Defines the jar's bootstrap classes (named in its manifest, {@code Weft-Bootstrap-Classes}) in the
   * bootstrap loader. Appending the jar to the bootstrap search path would do the same, but then the
   * JVM stops sharing (CDS) every class bootstrap does not load and prints a warning saying so at each
   * start; defining the few classes directly keeps class data sharing whole and the output clean.
   * Falls back to the append where the JDK does not allow it.
   */
  private static void defineInBootstrap(Instrumentation inst, File file, Map<String, String> arguments) throws IOException {
    try (JarFile jar = new JarFile(file, false)) {
      try {
        String listed = jar.getManifest().getMainAttributes().getValue("Weft-Bootstrap-Classes");
        List<String> names = new ArrayList<>();
        List<byte[]> classes = new ArrayList<>();
        for (String entryName : words(listed)) {
          try (InputStream in = jar.getInputStream(jar.getJarEntry(entryName))) {
            names.add(entryName.substring(0, entryName.length() - ".class".length()).replace('/', '.'));
            classes.add(in.readAllBytes());
          }
        }
        Module base = Object.class.getModule();
        inst.redefineModule(base, Collections.emptySet(),
            Collections.singletonMap("jdk.internal.misc", Collections.singleton(WeftAgent.class.getModule())),
            Collections.emptyMap(), Collections.emptySet(), Collections.emptyMap());
        defineAll(names, classes);
        return;
      } catch (Throwable notAllowed) {
        if ("true".equalsIgnoreCase(setting("otel.javaagent.debug", arguments))) {
          System.err.println("[weft] bootstrap classes appended instead of defined: " + notAllowed);
        }
      }
    }
    inst.appendToBootstrapClassLoaderSearch(new JarFile(file));
  }

  /**
   * The words of {@code text}, split at spaces, by hand: {@code split(" +")} set up the JDK's regular expressions on
   * every start, a JVM's first use of them, which its application may never make.
   */
  static List<String> words(String text) {
    List<String> words = new ArrayList<>();
    int start = -1;
    for (int i = 0; i <= text.length(); i++) {
      boolean space = i == text.length() || text.charAt(i) == ' ';
      if (space && start >= 0) {
        words.add(text.substring(start, i));
        start = -1;
      } else if (!space && start < 0) {
        start = i;
      }
    }
    return words;
  }

  /** Defines each class; one whose super type is not defined yet is tried again after the others. */
  private static void defineAll(List<String> names, List<byte[]> classes) {
    while (!names.isEmpty()) {
      List<String> laterNames = new ArrayList<>();
      List<byte[]> later = new ArrayList<>();
      NoClassDefFoundError last = null;
      for (int i = 0; i < names.size(); i++) {
        try {
          BootstrapDefiner.define(names.get(i), classes.get(i));
        } catch (NoClassDefFoundError superTypeMissing) {
          last = superTypeMissing;
          laterNames.add(names.get(i));
          later.add(classes.get(i));
        }
      }
      if (later.size() == names.size()) {
        throw last;
      }
      names = laterNames;
      classes = later;
    }
  }

  /** Whether a Weft agent put its classes in the bootstrap loader already: it runs, or tried to. */
  private static boolean alreadyLoaded() {
    try {
      Class.forName("io.weft.agent.AgentClassLoader", false, null);
      return true;
    } catch (ClassNotFoundException notYet) {
      return false;
    }
  }

  /**
   * The agent's arguments ({@code -javaagent:weft-agent.jar=<arguments>}, or those of an attach) as settings:
   * {@code name=value} pairs separated by commas, each name an {@code otel.*} or {@code weft.*} property or its
   * variable ({@code OTEL_SERVICE_NAME}). A comma starts the next setting only where such a name and its
   * {@code =} follow it, so values keep theirs ({@code otel.resource.attributes=team=shop,tier=web}, a list of
   * propagators, a method pattern). Text that is not a setting is ignored, and its place (never its content,
   * which may hold a secret) is added to {@code problems}. By hand, without regular expressions: premain code.
   */
  static void parseArguments(String text, Map<String, String> settings, List<String> problems) {
    if (text == null) {
      return;
    }
    int length = text.length();
    int start = skipSpaces(text, 0);
    while (start < length) {
      int equals = nameEnd(text, start);
      int end = equals < 0 ? start : equals + 1;
      while (end < length && !(text.charAt(end) == ',' && nameEnd(text, skipSpaces(text, end + 1)) >= 0)) {
        end++;
      }
      if (equals < 0) {
        problems.add("characters " + (start + 1) + " to " + end + " of the agent's arguments are not a setting (an otel.* or weft.*"
            + " name, '=' and its value; settings separated by commas) and are ignored"
            // jcmd's parser cuts an unquoted argument at its first '=': what arrives is the bare name
            + (text.indexOf('=') < 0 ? "; jcmd passes settings only in double quotes: '\"otel.service.name=orders,...\"'" : ""));
      } else {
        settings.put(text.substring(start, equals).trim(), text.substring(equals + 1, end).trim());
      }
      start = skipSpaces(text, end + 1);
    }
  }

  /** Where the {@code =} after a setting's name starting at {@code at} is, or -1 when no such name starts there. */
  private static int nameEnd(String text, int at) {
    int i = at;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-')) {
        break;
      }
      i++;
    }
    if (i - at < 6 || !text.regionMatches(true, at, "otel", 0, 4) && !text.regionMatches(true, at, "weft", 0, 4)
        || text.charAt(at + 4) != '.' && text.charAt(at + 4) != '_') {
      return -1;
    }
    int equals = skipSpaces(text, i);
    return equals < text.length() && text.charAt(equals) == '=' ? equals : -1;
  }

  private static int skipSpaces(String text, int at) {
    int i = at;
    while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
      i++;
    }
    return i;
  }

  /** {@code property} from the arguments, else the system properties and the environment, else the configuration file. */
  private static String setting(String property, Map<String, String> arguments) {
    String value = argumentOrSystem(property, arguments);
    return value != null ? value : fileSetting(property, arguments);
  }

  private static String argumentOrSystem(String property, Map<String, String> arguments) {
    String env = envName(property);
    String value = null;
    for (Map.Entry<String, String> argument : arguments.entrySet()) {
      if (envName(argument.getKey()).equals(env)) {
        value = argument.getValue(); // the last of a name given twice, as the configuration reads them
      }
    }
    return value != null ? value : systemSetting(property);
  }

  private static String envName(String property) {
    return property.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private static String systemSetting(String property) {
    String value = System.getProperty(property);
    if (value == null) {
      value = spelledOtherwise(property, System.getProperties(), false);
    }
    return value != null ? value : System.getenv(envName(property));
  }

  /**
   * {@code property} under any spelling of its name ({@code otel.javaagent.configuration.file}, {@code OTEL.JAVAAGENT.ENABLED},
   * the variable's name in a file), as the agent's configuration finds it: of several, the first in sorted order for system
   * properties ({@code WeftConfig}), the last for a file's keys ({@code ConfigFile}).
   */
  private static String spelledOtherwise(String property, Properties settings, boolean last) {
    String env = envName(property);
    String found = null;
    for (String name : settings.stringPropertyNames()) {
      if (name.length() == env.length() && envName(name).equals(env)
          && (found == null || (last ? name.compareTo(found) > 0 : name.compareTo(found) < 0))) {
        found = name;
      }
    }
    return found == null ? null : settings.getProperty(found);
  }

  /**
   * {@code property} from the configuration file, if one is named: the agent's switch may be there too. Any
   * problem reading it is left to the agent's configuration, which reports it once the agent has started.
   */
  private static String fileSetting(String property, Map<String, String> arguments) {
    String file = argumentOrSystem("otel.javaagent.configuration-file", arguments);
    File named = file == null || file.isBlank() ? null : new File(file.trim());
    if (named == null || !named.isFile() || named.length() > (1 << 20)) {
      return null; // no regular file, or too large for one (ConfigFile says so): never wait on a pipe at premain
    }
    Properties settings = new Properties();
    try (Reader in = new InputStreamReader(new FileInputStream(named), StandardCharsets.UTF_8)) {
      settings.load(in);
    } catch (IOException | RuntimeException unreadable) {
      return null;
    }
    String value = spelledOtherwise(property, settings, true);
    return value != null ? value.trim() : null;
  }

  private static File agentJar() throws URISyntaxException {
    return new File(WeftAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
