package io.weft.smoke.app;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * A JDBC driver in an explicit named module (MariaDB's, on the module path, not the class path): the
 * class-path application finds it through {@code DriverManager}, runs a statement and a prepared query,
 * and says which module the driver's classes are in and whether the agent gave them its field.
 */
public final class ModularDriverApp {

  private ModularDriverApp() {}

  public static void main(String[] args) throws Exception {
    try (Connection c = DriverManager.getConnection(args[0], args[1], args.length > 2 ? args[2] : "")) {
      try (Statement s = c.createStatement()) {
        s.execute("DROP TABLE IF EXISTS weft_modular");
        s.execute("CREATE TABLE weft_modular (id INT PRIMARY KEY, note VARCHAR(40))");
        s.executeUpdate("INSERT INTO weft_modular (id, note) VALUES (1, 'modular-secret')");
      }
      try (PreparedStatement p = c.prepareStatement("SELECT note FROM weft_modular WHERE id = ?")) {
        p.setInt(1, 1);
        try (ResultSet r = p.executeQuery()) {
          r.next();
          System.out.println("read " + r.getString(1));
        }
        System.out.println("driver module " + c.getClass().getModule().getName() + ", connection carries state: "
            + JdbcApp.carriesState(c.getClass()) + ", statement carries state: " + JdbcApp.carriesState(p.getClass()));
      }
    }
    System.out.println("modular app done");
  }
}
