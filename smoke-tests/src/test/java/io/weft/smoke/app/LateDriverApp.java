package io.weft.smoke.app;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Makes a traced call first, then loads H2 and runs one query: the JDBC classes are woven after the agent
 * is live, so the JDBC instrumentation starts then, on this thread, before the driver's classes run.
 */
public final class LateDriverApp {

  public static void main(String[] args) throws Exception {
    System.out.println("first " + greet("weft"));
    try (Connection connection = DriverManager.getConnection("jdbc:h2:mem:late");
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT 42")) {
      rows.next();
      System.out.println("then the database said " + rows.getInt(1));
    }
  }

  static String greet(String who) {
    return "hi " + who;
  }
}
