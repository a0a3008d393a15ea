package io.weft.bench.app;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;

/**
 * The web workload: embedded Tomcat 11 on 127.0.0.1 with {@code /plain} (no work), {@code /db} (one prepared
 * query on in-memory H2) and {@code /chain} (five nested traced methods). Runs in a child JVM:
 * {@code WebApp <port>}; it answers until killed.
 */
public final class WebApp {
  static final int ROWS = 1000;
  private static final int CONNECTIONS = 32; // more than the load generator's connections: nobody waits

  private WebApp() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    BlockingQueue<Connection> pool = database();
    Path base = Files.createTempDirectory("weft-bench-tomcat");
    base.toFile().deleteOnExit();
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    tomcat.setHostname("127.0.0.1");
    tomcat.setPort(port);
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    Context context = tomcat.addContext("", Files.createDirectories(base.resolve("root")).toString());
    add(context, "plain", new PlainServlet());
    add(context, "db", new DbServlet(pool));
    add(context, "chain", new ChainServlet());
    tomcat.start();
    tomcat.getServer().await();
  }

  private static void add(Context context, String name, HttpServlet servlet) {
    Tomcat.addServlet(context, name, servlet);
    context.addServletMappingDecoded("/" + name, name);
  }

  private static BlockingQueue<Connection> database() throws SQLException {
    String url = "jdbc:h2:mem:bench;DB_CLOSE_DELAY=-1";
    BlockingQueue<Connection> pool = new ArrayBlockingQueue<>(CONNECTIONS);
    try (Connection setup = DriverManager.getConnection(url);
         Statement statement = setup.createStatement()) {
      statement.execute("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(64), price INT)");
      statement.execute("INSERT INTO items SELECT x, 'item-' || x, x * 7 FROM SYSTEM_RANGE(1, " + ROWS + ")");
    }
    for (int i = 0; i < CONNECTIONS; i++) {
      pool.add(DriverManager.getConnection(url));
    }
    return pool;
  }

  private static void text(HttpServletResponse response, String body) throws IOException {
    response.setContentType("text/plain");
    response.getWriter().write(body);
  }

  static final class PlainServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
      text(response, "ok\n");
    }
  }

  static final class ChainServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
      text(response, Long.toHexString(Chain.step1(System.nanoTime())) + "\n");
    }
  }

  static final class DbServlet extends HttpServlet {
    private final transient BlockingQueue<Connection> pool;

    DbServlet(BlockingQueue<Connection> pool) {
      this.pool = pool;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
      int id = ThreadLocalRandom.current().nextInt(ROWS) + 1;
      Connection connection;
      try {
        connection = pool.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        response.sendError(503);
        return;
      }
      try (PreparedStatement query = connection.prepareStatement("SELECT name, price FROM items WHERE id = ?")) {
        query.setInt(1, id);
        try (ResultSet rows = query.executeQuery()) {
          text(response, rows.next() ? rows.getString(1) + " " + rows.getInt(2) + "\n" : "none\n");
        }
      } catch (SQLException e) {
        response.sendError(500);
      } finally {
        pool.add(connection);
      }
    }
  }
}
