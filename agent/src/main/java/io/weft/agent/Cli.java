package io.weft.agent;

import java.io.File;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent jar's {@code Main-Class}: {@code java -jar weft-agent.jar attach <pid> [settings]} loads Weft into a running
 * JVM of the same user, as {@code jcmd <pid> JVMTI.agent_load} does, without jcmd's quoting and from a runtime that
 * has no jcmd (a JRE with the {@code jdk.attach} module); {@code list} shows the JVMs it can attach to. Loaded by the
 * system class loader, never by a JVM running the agent; the attach API is reached through {@link Attacher} only, so a
 * runtime without it gets a clear line, not a linkage error.
 */
public final class Cli {

  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  private Cli() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    String command = args.length == 0 ? "help" : args[0];
    switch (command) {
      case "help":
      case "--help":
      case "-h":
        out.print(usage());
        return OK;
      case "version":
      case "--version":
        out.println("Weft " + version());
        return OK;
      case "list":
        if (args.length != 1) {
          return usageError(err, "list takes no arguments");
        }
        return withAttachApi(err, new String[] {"list"}, out);
      case "attach":
        if (args.length < 2) {
          return usageError(err, "attach needs the process id of a running JVM");
        }
        if (!isProcessId(args[1])) {
          return usageError(err, "'" + printable(args[1]) + "' is not a process id");
        }
        List<String> settings = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
          if (!args[i].isBlank()) {
            settings.add(args[i].trim());
          }
        }
        // one argument per setting, or all in one: the agent splits at each comma a setting's name follows
        return withAttachApi(err, new String[] {"attach", args[1], String.join(",", settings), agentJar()}, out);
      default:
        return usageError(err, "unknown command '" + printable(command) + "'");
    }
  }

  /** Runs {@link Attacher} when this runtime has the attach API; a line on {@code err} when it does not. */
  private static int withAttachApi(PrintStream err, String[] request, PrintStream out) {
    try {
      Class.forName("com.sun.tools.attach.VirtualMachine");
    } catch (ClassNotFoundException | LinkageError missing) {
      err.println("[weft] this Java runtime (" + System.getProperty("java.home") + ") has no jdk.attach module: run the"
          + " command with a JDK's java, or use jcmd <pid> JVMTI.agent_load (see the README)");
      return FAILED;
    }
    return Attacher.run(request, out, err);
  }

  private static int usageError(PrintStream err, String problem) {
    err.println("[weft] " + problem);
    err.print(usage());
    return USAGE;
  }

  static String usage() {
    return "Weft " + version() + ", an OpenTelemetry agent for the JVM\n"
        + "\n"
        + "  java -javaagent:weft-agent.jar[=<settings>] ...     start a JVM with the agent\n"
        + "  java -jar weft-agent.jar attach <pid> [<settings>]  load the agent into a running JVM of this user\n"
        + "  java -jar weft-agent.jar list                       the JVMs this user can attach to\n"
        + "  java -jar weft-agent.jar version\n"
        + "\n"
        + "<settings>: otel.* and weft.* settings, name=value, separated by commas or given as separate arguments\n"
        + "(otel.service.name=orders,otel.exporter.otlp.endpoint=http://collector:4318). They come before the JVM's own\n"
        + "variables and properties. The JVM's standard error says what the agent started.\n";
  }

  private static boolean isProcessId(String text) {
    if (text.isEmpty() || text.length() > 10) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return false;
      }
    }
    return Long.parseLong(text) > 0;
  }

  static String version() {
    String version = Cli.class.getPackage() == null ? null : Cli.class.getPackage().getImplementationVersion();
    return version != null ? version : "(development build)";
  }

  /** This jar, which is the agent loaded into the other JVM. */
  private static String agentJar() {
    try {
      return new File(Cli.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getAbsolutePath();
    } catch (Exception e) {
      throw new IllegalStateException("cannot tell where weft-agent.jar is: " + e, e);
    }
  }

  /** Bounded, without control characters: what a user typed is echoed in an error line. */
  static String printable(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length() && out.length() < 80; i++) {
      char c = text.charAt(i);
      out.append(c < ' ' || c == 0x7f ? '?' : c);
    }
    return out.toString();
  }
}
