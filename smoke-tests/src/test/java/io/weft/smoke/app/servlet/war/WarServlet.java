package io.weft.smoke.app.servlet.war;

import io.weft.smoke.app.servlet.Work;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The servlet of the WAR the smoke test assembles and deploys (declared in its web.xml); answers with
 * the name of the class loader that defined it, so the test sees the webapp loader was exercised.
 */
public final class WarServlet extends HttpServlet {

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    Work.compute(req.getRequestURI());
    resp.getWriter().write(Work.class.getClassLoader().getClass().getName());
  }
}
