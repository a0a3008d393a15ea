package io.weft.smoke.app.servlet.javax;

import io.weft.smoke.app.servlet.Work;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;
import javax.servlet.AsyncContext;
import javax.servlet.DispatcherType;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.FilterRegistration;
import javax.servlet.ServletContainerInitializer;
import javax.servlet.ServletContext;
import javax.servlet.ServletException;
import javax.servlet.ServletRegistration;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * The servlet smoke-test application, javax flavour (its twin is JakartaApp, the same text under
 * jakarta.servlet). Registered in code by a container's bootstrap: a filter on everything, a second on
 * /chain/*, and one servlet per scenario.
 */
public final class JavaxApp implements ServletContainerInitializer {

  @Override
  public void onStartup(Set<Class<?>> classes, ServletContext ctx) {
    ctx.addServlet("hello", new Hello()).addMapping("/hello", "/chain/*");
    ctx.addServlet("forward", new Forward()).addMapping("/forward");
    ctx.addServlet("fail", new Fail()).addMapping("/fail");
    ctx.addServlet("work", new DoWork()).addMapping("/work", "*.do");
    ctx.addServlet("default", new NotFound()).addMapping("/");
    ServletRegistration.Dynamic mvc = ctx.addServlet("mvc", new Dispatching());
    mvc.setAsyncSupported(true);
    mvc.addMapping("/mvc/*");
    ServletRegistration.Dynamic async = ctx.addServlet("async", new Async());
    async.setAsyncSupported(true);
    async.addMapping("/async");
    ServletRegistration.Dynamic timeout = ctx.addServlet("timeout", new TimesOut());
    timeout.setAsyncSupported(true);
    timeout.addMapping("/timeout");
    try {
      // Jersey 2 when the test put it on the class path, by name: the application compiles against the API only
      Class.forName("org.glassfish.jersey.servlet.ServletContainer");
      ServletRegistration.Dynamic jaxRs = ctx.addServlet("jaxrs", "org.glassfish.jersey.servlet.ServletContainer");
      jaxRs.setInitParameter("jersey.config.server.provider.classnames", OrderResource.class.getName() + "," + StockResource.class.getName());
      jaxRs.addMapping("/rs/*");
    } catch (ClassNotFoundException noJersey) {
      // not this run
    }
    FilterRegistration.Dynamic all = ctx.addFilter("all", new Tag("x-filter-all"));
    all.setAsyncSupported(true);
    all.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST, DispatcherType.FORWARD, DispatcherType.ASYNC), false, "/*");
    FilterRegistration.Dynamic chain = ctx.addFilter("chain", new Tag("x-filter-chain"));
    chain.setAsyncSupported(true);
    chain.addMappingForUrlPatterns(null, false, "/chain/*");
  }

  static final class Hello extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setHeader("X-Served-By", "hello");
      resp.addHeader("Set-Cookie", "session=secret");
      resp.getWriter().write("hello");
    }

    /** Reads the body, answers with its length and a Content-Length of its own. */
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      byte[] body = req.getInputStream().readAllBytes();
      byte[] answer = ("hello " + body.length).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      resp.setContentLength(answer.length);
      resp.getOutputStream().write(answer);
    }
  }

  static final class Forward extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
      req.getRequestDispatcher("/hello").forward(req, resp);
    }
  }

  static final class Fail extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
      throw new IllegalStateException("the smoke test asked for a failure");
    }
  }

  static final class DoWork extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.getWriter().write("work " + Work.compute(req.getRequestURI()));
    }
  }

  static final class NotFound extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.sendError(404);
    }
  }

  /** Completes on a container thread through AsyncContext.start, after the servlet has returned. */
  static final class Async extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
      AsyncContext async = req.startAsync();
      async.start(() -> {
        try {
          async.getResponse().getWriter().write("async " + Work.compute(Thread.currentThread().getName()));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        } finally {
          async.complete();
        }
      });
    }
  }

  /** Goes async and never completes: the container times the cycle out after 300 ms and answers it itself. */
  static final class TimesOut extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
      req.startAsync().setTimeout(300);
    }
  }

  /**
   * Routes as Spring MVC's DispatcherServlet does, and leaves the pattern it matched where Spring leaves it; wraps a
   * handler's failure in a ServletException as Spring does. /orders/{id}: answers; /orders/{id}/later: answers
   * from another thread, async; /broken: fails; anything else: 404, no pattern.
   */
  static final class Dispatching extends HttpServlet {
    static final String BEST_MATCHING_PATTERN = "org.springframework.web.servlet.HandlerMapping.bestMatchingPattern";

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
      String path = req.getPathInfo() == null ? "" : req.getPathInfo();
      if (path.matches("/orders/[^/]+")) {
        req.setAttribute(BEST_MATCHING_PATTERN, "/orders/{id}");
        resp.getWriter().write("order");
      } else if (path.matches("/orders/[^/]+/later")) {
        req.setAttribute(BEST_MATCHING_PATTERN, "/orders/{id}/later");
        AsyncContext async = req.startAsync();
        new Thread(() -> {
          try {
            async.getResponse().getWriter().write("later");
          } catch (IOException e) {
            throw new IllegalStateException(e);
          } finally {
            async.complete();
          }
        }).start();
      } else if (path.equals("/broken")) {
        req.setAttribute(BEST_MATCHING_PATTERN, "/broken");
        throw new ServletException("Request processing failed", new IllegalArgumentException("the handler failed"));
      } else {
        resp.sendError(404);
      }
    }
  }

  static final class Tag implements Filter {
    private final String header;

    Tag(String header) {
      this.header = header;
    }

    @Override
    public void init(FilterConfig config) {
      // abstract before Servlet 4 (Tomcat 8.5)
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain) throws IOException, ServletException {
      ((HttpServletResponse) resp).setHeader(header, "passed");
      chain.doFilter(req, resp);
    }

    @Override
    public void destroy() {
      // as init
    }
  }
}
