package io.weft.smoke.app;

import com.sun.tools.attach.VirtualMachine;

/**
 * Started without the agent: calls a worker, attaches the agent to itself (as an operator would to a
 * running service), then calls the already-loaded worker again, which must now be traced, and whose JUL line (JUL's
 * logger loaded before the agent too) must now be a log record.
 */
public final class AttachApp {

  public static void main(String[] args) throws Exception {
    Worker worker = new Worker();
    System.out.println("before attach " + worker.work(1));
    attach(args[0]);
    System.out.println("after attach " + worker.work(2));
    System.out.println("attach app done");
  }

  /** Loads the agent at {@code agentJar} into this JVM (needs {@code -Djdk.attach.allowAttachSelf=true}). */
  static void attach(String agentJar) throws Exception {
    VirtualMachine vm = VirtualMachine.attach(String.valueOf(ProcessHandle.current().pid()));
    try {
      vm.loadAgent(agentJar);
    } finally {
      vm.detach();
    }
  }

  /** Loaded and run before the agent arrives. */
  public static final class Worker {
    public int work(int round) {
      java.util.logging.Logger.getLogger("attach.app").info("work " + round); // JUL's logger, loaded before the attach
      return round * 10;
    }
  }
}
