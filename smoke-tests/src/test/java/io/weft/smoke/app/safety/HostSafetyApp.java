package io.weft.smoke.app.safety;

import io.weft.smoke.app.servlet.jakarta.JakartaApp;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutionException;

/**
 * The host-safety application: traced methods that return values and throw, servlet requests on an
 * embedded Tomcat 11 (one of them failing), JDBC statements on H2 (one of them failing), each result
 * and each exception (type, message, same instance) printed on stdout; exits with code 7. HostSafetyIT
 * runs it without the agent, with it, and with the agent's own code made to throw, and compares.
 */
public final class HostSafetyApp {

  public static void main(String[] args) throws Exception {
    // a JUL line no handler prints (the output stays the application's), which the agent makes a log record of
    java.util.logging.Logger log = java.util.logging.Logger.getLogger("safety.app");
    log.setUseParentHandlers(false);
    log.setLevel(java.util.logging.Level.INFO);
    log.info("ledger opened");
    Ledger ledger = new Ledger();
    System.out.println("total " + ledger.total(1, 2, 3));
    System.out.println(ledger.settle("acme"));
    System.out.println("nothing " + ledger.nothing());
    try {
      ledger.parse("12x");
    } catch (NumberFormatException e) {
      System.out.println("parse threw " + describe(e));
    }
    try {
      ledger.audit();
    } catch (Ledger.LedgerException e) {
      System.out.println("audit threw " + describe(e) + " same instance " + (e == Ledger.AUDIT_FAILURE));
    }
    System.out.println("later " + ledger.later(false).get());
    try {
      ledger.later(true).get();
    } catch (ExecutionException e) {
      System.out.println("later failed " + describe(e.getCause()));
    }

    try (Connection c = DriverManager.getConnection("jdbc:h2:mem:safety;DB_CLOSE_DELAY=-1")) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE accounts (id INT PRIMARY KEY, owner VARCHAR(20), balance INT)");
        System.out.println("inserted " + s.executeUpdate("INSERT INTO accounts VALUES (1, 'ada', 100), (2, 'bob', 50)"));
      }
      try (PreparedStatement p = c.prepareStatement("SELECT owner, balance FROM accounts WHERE id = ?")) {
        p.setInt(1, 2);
        try (ResultSet r = p.executeQuery()) {
          r.next();
          System.out.println("selected " + r.getString(1) + " " + r.getInt(2));
        }
      }
      try (Statement s = c.createStatement()) {
        s.executeQuery("SELECT * FROM no_such_table");
      } catch (SQLException e) {
        System.out.println("bad query threw " + e.getClass().getName() + " state " + e.getSQLState()
            + " code " + e.getErrorCode());
      }
    }

    EmbeddedTomcat tomcat = EmbeddedTomcat.start(new JakartaApp());
    try {
      System.out.println("GET /app/hello -> " + tomcat.get("/app/hello?q=1"));
      System.out.println("GET /app/orders/5.do -> " + tomcat.get("/app/orders/5.do"));
      System.out.println("GET /app/fail -> " + tomcat.get("/app/fail"));
      System.out.println("GET /app/async -> " + tomcat.get("/app/async").replaceAll("[0-9]+", "N"));
    } finally {
      tomcat.stop();
    }
    System.out.println("host safety app done");
    System.exit(7);
  }

  private static String describe(Throwable e) {
    StackTraceElement top = e.getStackTrace().length == 0 ? null : e.getStackTrace()[0];
    return e.getClass().getName() + ": " + e.getMessage() + " (thrown in " + (top == null ? "?" : top.getMethodName()) + ")";
  }
}
