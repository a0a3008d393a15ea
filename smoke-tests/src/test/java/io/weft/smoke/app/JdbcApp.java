package io.weft.smoke.app;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.apache.commons.dbcp2.BasicDataSource;

/**
 * The JDBC smoke-test application: against one database, the same scenario list three times, each
 * on its own table ({@code weft_orders_<access>}): straight through the driver, through HikariCP and
 * through DBCP2. Run in a child JVM with the agent; {@code JdbcSmokeIT} asserts on what it exported.
 * Arguments: {@code <h2|postgresql|mariadb> <url> <user> <password>}.
 */
public final class JdbcApp {

  /** How often the prepared insert is run on one statement object. */
  public static final int PREPARED_RUNS = 5;
  public static final int PREPARED_BATCH = 3;
  public static final String SECRET = "secret-widget";
  /** In statements whose quoting a sanitizer that misread the dialect would show as code (see {@link #hostile}). */
  public static final String HOSTILE = "hostile-secret";
  public static final String[] ACCESSES = {"direct", "hikari", "dbcp2", "tomcat"};

  private final String db;
  private final String table;

  private JdbcApp(String db, String access) {
    this.db = db;
    this.table = "weft_orders_" + access;
  }

  public static void main(String[] args) throws Exception {
    String db = args[0];
    String url = args[1];
    String user = args[2];
    String password = args.length > 3 ? args[3] : "";
    for (String access : ACCESSES) {
      JdbcApp app = new JdbcApp(db, access);
      switch (access) {
        case "direct":
          try (Connection c = DriverManager.getConnection(url, user, password)) {
            app.run(c);
          }
          break;
        case "hikari":
          HikariConfig config = new HikariConfig();
          config.setJdbcUrl(url);
          config.setUsername(user);
          config.setPassword(password);
          config.setMaximumPoolSize(2);
          try (HikariDataSource pool = new HikariDataSource(config); Connection c = pool.getConnection()) {
            app.run(c);
          }
          break;
        case "tomcat":
          org.apache.tomcat.jdbc.pool.DataSource tomcatPool = new org.apache.tomcat.jdbc.pool.DataSource();
          tomcatPool.setUrl(url);
          tomcatPool.setUsername(user);
          tomcatPool.setPassword(password);
          tomcatPool.setMaxActive(2);
          try (Connection c = tomcatPool.getConnection()) {
            app.run(c);
          } finally {
            tomcatPool.close();
          }
          break;
        default:
          try (BasicDataSource pool = new BasicDataSource()) {
            pool.setUrl(url);
            pool.setUsername(user);
            pool.setPassword(password);
            pool.setPoolPreparedStatements(true);
            try (Connection c = pool.getConnection()) {
              app.run(c);
            }
          }
      }
    }
    System.out.println("jdbc app done");
  }

  /** Whether the agent made {@code type} (or a super class) keep its state in a field of its own. */
  static boolean carriesState(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      for (Class<?> implemented : c.getInterfaces()) {
        if (implemented.getName().equals("io.weft.bridge.StateCarrier")) {
          return true;
        }
      }
    }
    return false;
  }

  private void run(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      if (db.equals("mariadb")) {
        s.execute("DROP PROCEDURE IF EXISTS " + table + "_touch");
      }
      s.execute("DROP TABLE IF EXISTS " + table);
      s.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY, item VARCHAR(40), qty INT)");
      s.executeUpdate("INSERT INTO " + table + " (id, qty, item) VALUES (1, 7, '" + SECRET + "')");
    }
    // prepared SQL may carry literals too (the 42): they must be sanitized as well
    try (PreparedStatement p = c.prepareStatement("INSERT INTO " + table + " (id, item, qty) VALUES (?, ?, 42)")) {
      for (int i = 0; i < PREPARED_RUNS; i++) {
        p.setInt(1, 10 + i);
        p.setString(2, "item-" + i);
        p.executeUpdate();
      }
    }
    try (PreparedStatement p = c.prepareStatement("SELECT item FROM " + table + " WHERE id = ?")) {
      System.out.println("statement " + table.substring("weft_orders_".length()) + " " + p.getClass().getName() + " carries state: " + carriesState(p.getClass()));
      p.setInt(1, 10);
      try (ResultSet r = p.executeQuery()) {
        r.next();
      }
    }
    try (PreparedStatement p = c.prepareStatement("UPDATE " + table + " SET qty = ? WHERE id = ?")) {
      for (int i = 0; i < PREPARED_BATCH; i++) {
        p.setInt(1, i);
        p.setInt(2, 10 + i);
        p.addBatch();
      }
      p.executeBatch();
    }
    try (Statement s = c.createStatement()) {
      s.addBatch("INSERT INTO " + table + " (id, item, qty) VALUES (100, 'batch-secret', 1)");
      s.addBatch("DELETE FROM " + table + " WHERE id = 100");
      s.executeBatch();
    }
    callable(c);
    hostile(c);
    try (Statement s = c.createStatement()) {
      s.executeQuery("SELECT * FROM " + table + "_missing");
      throw new IllegalStateException("the bad query did not fail");
    } catch (SQLException expected) {
      System.out.println("bad SQL failed as expected: " + expected.getSQLState());
    }
    try (PreparedStatement p = c.prepareStatement("INSERT INTO " + table + " (item, id, qty) VALUES ('duplicate', ?, 0)")) {
      p.setInt(1, 1);
      p.executeUpdate();
      throw new IllegalStateException("the duplicate insert did not fail");
    } catch (SQLException expected) {
      System.out.println("duplicate key failed as expected: " + expected.getSQLState());
    }
    transaction(c, table);
    c.setAutoCommit(true); // outside the traced method: a driver may commit here on its own (PostgreSQL's does)
  }

  /**
   * Valid statements whose literals end where the dialect says: a literal ending in a backslash (standard strings in
   * PostgreSQL and H2), a quote escaped with one and a '#' comment (MariaDB). Each returns one row.
   */
  private void hostile(Connection c) throws SQLException {
    String[] statements = db.equals("mariadb")
        ? new String[] {"SELECT 1 # " + HOSTILE, "SELECT 'it\\'s' AS a, '" + HOSTILE + "' AS b"}
        : new String[] {"SELECT 'C:\\' AS p, '" + HOSTILE + "' AS q"};
    int rows = 0;
    try (Statement s = c.createStatement()) {
      for (String sql : statements) {
        try (ResultSet r = s.executeQuery(sql)) {
          rows += r.next() ? 1 : 0;
        }
      }
    }
    System.out.println("hostile statements " + statements.length + " rows " + rows);
  }

  private void callable(Connection c) throws SQLException {
    String procedure = table + "_touch";
    String call;
    try (Statement s = c.createStatement()) {
      switch (db) {
        case "postgresql":
          s.execute("CREATE OR REPLACE PROCEDURE " + procedure + "(n int) LANGUAGE SQL AS $$ UPDATE " + table + " SET qty = qty + n $$");
          call = "CALL " + procedure + "(?)";
          break;
        case "mariadb":
          s.execute("CREATE PROCEDURE " + procedure + "(IN n INT) UPDATE " + table + " SET qty = qty + n");
          call = "{call " + procedure + "(?)}";
          break;
        default:
          s.execute("CREATE ALIAS IF NOT EXISTS " + procedure + " FOR 'java.lang.Integer.signum'");
          call = "{call " + procedure + "(?)}";
      }
    }
    try (CallableStatement cs = c.prepareCall(call)) {
      cs.setInt(1, 2);
      cs.execute();
    }
  }

  /**
   * Named in OTEL_INSTRUMENTATION_METHODS_INCLUDE by the test: its statements, its commit and its rollback are its
   * children. Leaves auto-commit off.
   */
  public static void transaction(Connection c, String table) throws SQLException {
    c.setAutoCommit(false);
    try (PreparedStatement p = c.prepareStatement("UPDATE " + table + " SET item = ? WHERE id = ?")) {
      p.setString(1, "moved");
      p.setInt(2, 11);
      p.executeUpdate();
      p.setInt(2, 12);
      p.executeUpdate();
    }
    c.commit();
    try (PreparedStatement p = c.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
      p.setInt(1, 11);
      p.executeUpdate();
    }
    c.rollback(); // the row stays
  }
}
