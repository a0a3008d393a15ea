package io.weft.agent;

import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import java.io.IOException;
import java.io.PrintStream;

/** {@link Cli}'s use of the attach API ({@code jdk.attach}), in a class of its own: loaded only where that module exists. */
final class Attacher {

  private Attacher() {}

  /** {@code {"list"}} or {@code {"attach", pid, settings, agentJar}}. */
  static int run(String[] request, PrintStream out, PrintStream err) {
    if (request[0].equals("list")) {
      String self = String.valueOf(ProcessHandle.current().pid());
      for (VirtualMachineDescriptor vm : VirtualMachine.list()) {
        if (!vm.id().equals(self)) {
          out.println(vm.id() + " " + (vm.displayName().isBlank() ? "(no main class known)" : Cli.printable(vm.displayName())));
        }
      }
      return Cli.OK;
    }
    String pid = request[1];
    String settings = request[2];
    VirtualMachine vm;
    try {
      vm = VirtualMachine.attach(pid);
    } catch (AttachNotSupportedException | IOException e) {
      err.println("[weft] cannot attach to process " + pid + ": " + e.getMessage()
          + " (it must be a running JVM of this user; see 'java -jar weft-agent.jar list')");
      return Cli.FAILED;
    }
    try {
      String running = vm.getSystemProperties().getProperty(WeftAgent.RUNNING_PROPERTY);
      if (running != null) {
        // the other JVM would refuse a second agent in one line of its own output; say it here, where the operator is
        err.println("[weft] Weft " + Cli.printable(running) + " is already running in process " + pid
            + ": nothing was loaded, and a running agent's settings cannot change");
        return Cli.FAILED;
      }
      vm.loadAgent(request[3], settings.isEmpty() ? null : settings);
      out.println("[weft] Weft " + Cli.version() + " loaded into process " + pid + "; that JVM's standard error says what it started");
      return Cli.OK;
    } catch (AgentLoadException | IOException e) {
      // a JVM started with -XX:-EnableDynamicAgentLoading (or +DisableAttachMechanism) refuses, as does one that cannot
      // find the jar at this path (another container's file system)
      err.println("[weft] process " + pid + " did not load the agent: " + e.getMessage());
      return Cli.FAILED;
    } catch (com.sun.tools.attach.AgentInitializationException e) {
      err.println("[weft] process " + pid + " loaded the agent, which failed to start: " + e.getMessage());
      return Cli.FAILED;
    } finally {
      try {
        vm.detach();
      } catch (IOException ignored) {
        // the agent is loaded or not; nothing is left to do with this connection
      }
    }
  }
}
