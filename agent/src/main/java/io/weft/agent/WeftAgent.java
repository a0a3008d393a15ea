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
import java.util.List;
import java.util.Properties;
import java.util.jar.JarFile;

/**
 * The {@code Premain-Class} and {@code Agent-Class}. Loaded by the system class loader, so it uses JDK
 * types only, keeps no state and logs nothing: it defines the bridge and the agent class loader's class
 * in the bootstrap loader, makes the agent class loader, and hands over to {@code AgentStarter} inside
 * it. Nothing it does may stop the application from starting.
 */
public final class WeftAgent {

  private WeftAgent() {}

  public static void premain(String agentArgs, Instrumentation inst) {
    start(inst, false);
  }

  public static void agentmain(String agentArgs, Instrumentation inst) {
    start(inst, true);
  }

  private static void start(Instrumentation inst, boolean attached) {
    try {
      if ("false".equalsIgnoreCase(setting("otel.javaagent.enabled"))) {
        return;
      }
      File jar = agentJar();
      // the bridge and the class loader must come from bootstrap, where every class loader sees them
      defineInBootstrap(inst, jar);
      // Direct calls, no reflection: on Java 18+ the first reflective call spins method handles for
      // tens of milliseconds. AgentClassLoader is resolved here, after the append, so it comes from
      // bootstrap; held as an Object, the verifier of this class never has to load it earlier.
      Object agentLoader = new AgentClassLoader(jar);
      ((AgentClassLoader) agentLoader).start(inst, attached);
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
  private static void defineInBootstrap(Instrumentation inst, File file) throws IOException {
    try (JarFile jar = new JarFile(file, false)) {
      try {
        String listed = jar.getManifest().getMainAttributes().getValue("Weft-Bootstrap-Classes");
        List<String> names = new ArrayList<>();
        List<byte[]> classes = new ArrayList<>();
        for (String entryName : listed.trim().split(" +")) {
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
        if ("true".equalsIgnoreCase(setting("otel.javaagent.debug"))) {
          System.err.println("[weft] bootstrap classes appended instead of defined: " + notAllowed);
        }
      }
    }
    inst.appendToBootstrapClassLoaderSearch(new JarFile(file));
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

  private static String setting(String property) {
    String value = systemSetting(property);
    return value != null ? value : fileSetting(property);
  }

  private static String systemSetting(String property) {
    String value = System.getProperty(property);
    return value != null ? value : System.getenv(property.toUpperCase().replace('.', '_').replace('-', '_'));
  }

  /**
   * {@code property} from the configuration file, if one is named: the agent's switch may be there too. Any
   * problem reading it is left to the agent's configuration, which reports it once the agent has started.
   */
  private static String fileSetting(String property) {
    String file = systemSetting("otel.javaagent.configuration-file");
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
    String value = settings.getProperty(property);
    return value != null ? value.trim() : null;
  }

  private static File agentJar() throws URISyntaxException {
    return new File(WeftAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
