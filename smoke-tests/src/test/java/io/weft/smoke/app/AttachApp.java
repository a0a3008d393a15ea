package io.weft.smoke.app;

import com.sun.tools.attach.VirtualMachine;

/**
 * Started without the agent: calls a worker, attaches the agent to itself (as an operator would to a
 * running service), then calls the already-loaded worker again, which must now be traced, and whose JUL line (JUL's
 * logger loaded before the agent too) must now be a log record; with {@code jdbc}, so must its H2 statement, whose
 * classes were loaded and used before the agent too.
 */
public final class AttachApp {

  public static void main(String[] args) throws Exception {
    // with "jdbc": an H2 connection whose statement classes are loaded, and used, before the agent arrives
    java.sql.Connection connection = args.length > 1 && args[1].equals("jdbc")
        ? java.sql.DriverManager.getConnection("jdbc:h2:mem:attach", "sa", "") : null;
    Worker worker = new Worker(connection);
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
    private final java.sql.Connection connection; // null: no JDBC

    Worker(java.sql.Connection connection) {
      this.connection = connection;
    }

    public int work(int round) throws java.sql.SQLException {
      java.util.logging.Logger.getLogger("attach.app").info("work " + round); // JUL's logger, loaded before the attach
      if (connection != null) {
        try (java.sql.Statement statement = connection.createStatement()) {
          statement.execute("SELECT " + round);
        }
      }
      return round * 10;
    }
  }
}
