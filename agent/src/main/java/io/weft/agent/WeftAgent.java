package io.weft.agent;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.util.jar.JarFile;

/**
 * The {@code Premain-Class} and {@code Agent-Class}. Loaded by the system class loader, so it uses JDK
 * types only, keeps no state and logs nothing: it puts the bridge on the bootstrap search path, makes
 * the agent class loader, and hands over to {@code AgentStarter} inside it. Nothing it does may stop
 * the application from starting.
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
      inst.appendToBootstrapClassLoaderSearch(new JarFile(jar));
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

  private static String setting(String property) {
    String value = System.getProperty(property);
    return value != null ? value : System.getenv(property.toUpperCase().replace('.', '_').replace('-', '_'));
  }

  private static File agentJar() throws URISyntaxException {
    return new File(WeftAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
