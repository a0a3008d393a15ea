package io.weft.smoke.app;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;

/**
 * Connections got from data sources, for {@code JdbcSmokeIT}: once outside any span, then inside the traced
 * {@link #borrow} from HikariCP, DBCP2 and the Tomcat pool (each pool's first borrow opens its connections through
 * the driver), then from a DBCP2 pool whose database does not exist, inside the traced {@link #borrowFailing}.
 * Arguments: {@code <url> <user> <password>}.
 */
public final class DataSourceApp {

  private DataSourceApp() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String user = args[1];
    String password = args.length > 2 ? args[2] : "";
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(2);
    try (HikariDataSource hikari = new HikariDataSource(config); BasicDataSource dbcp2 = new BasicDataSource()) {
      try (Connection outside = hikari.getConnection()) {
        System.out.println("outside any span: " + outside.isValid(5));
      }
      dbcp2.setUrl(url);
      dbcp2.setUsername(user);
      dbcp2.setPassword(password);
      org.apache.tomcat.jdbc.pool.DataSource tomcat = new org.apache.tomcat.jdbc.pool.DataSource();
      tomcat.setUrl(url);
      tomcat.setUsername(user);
      tomcat.setPassword(password);
      try {
        for (DataSource source : new DataSource[] {hikari, dbcp2, tomcat}) {
          System.out.println("borrowed from " + source.getClass().getSimpleName() + ": " + borrow(source));
        }
      } finally {
        tomcat.close();
      }
    }
    try (BasicDataSource missing = new BasicDataSource()) {
      missing.setUrl(url.substring(0, url.lastIndexOf('/') + 1) + "weft_no_such_database");
      missing.setUsername(user);
      missing.setPassword(password);
      borrowFailing(missing);
    }
    System.out.println("data source app done");
  }

  /** Named in OTEL_INSTRUMENTATION_METHODS_INCLUDE by the test: the connection's span, then a query's, are its children. */
  public static int borrow(DataSource source) throws SQLException {
    try (Connection c = source.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT 1")) {
      r.next();
      return r.getInt(1);
    }
  }

  /** Named too: the data source cannot connect, and the application handles that. */
  public static void borrowFailing(DataSource source) {
    try (Connection c = source.getConnection()) {
      throw new IllegalStateException("connected to a database that does not exist: " + c);
    } catch (SQLException expected) {
      System.out.println("no such database, as expected: " + expected.getClass().getName());
    }
  }
}
