package io.weft.smoke.app.safety.war;

import io.weft.smoke.app.safety.LeakHolder;
import io.weft.smoke.app.servlet.Work;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The servlet of the WAR WarRedeployApp deploys and undeploys: a traced method of the webapp's own
 * (Work, defined by the webapp loader) and a JDBC statement on H2 per request, so spans of every kind
 * are made from inside the webapp. With {@code leak=true} it hands its own class loader to
 * {@link LeakHolder}: the control that the leak check can fail.
 */
public final class LeakCheckServlet extends HttpServlet {

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    int work = Work.compute(req.getRequestURI());
    int visits;
    try (Connection c = DriverManager.getConnection("jdbc:h2:mem:war;DB_CLOSE_DELAY=-1");
        PreparedStatement insert = c.prepareStatement("INSERT INTO visits (round) VALUES (?)");
        PreparedStatement count = c.prepareStatement("SELECT COUNT(*) FROM visits")) {
      insert.setInt(1, Integer.parseInt(req.getParameter("round")));
      insert.executeUpdate();
      try (ResultSet r = count.executeQuery()) {
        r.next();
        visits = r.getInt(1);
      }
    } catch (SQLException e) {
      throw new IOException(e);
    }
    if ("true".equals(req.getParameter("leak"))) {
      LeakHolder.keep(getClass().getClassLoader());
    }
    resp.getWriter().write(getClass().getClassLoader().getClass().getSimpleName() + " visits " + visits
        + " work " + (work != 0));
  }
}
