package servletfixtures;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** jakarta.servlet classes the weaving test drives; loaded only after the agent is installed. */
public final class JakartaFixtures {

  private JakartaFixtures() {}

  public static final class HelloServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
      resp.setStatus(200);
      resp.setHeader("Set-Cookie", "session=secret");
      resp.setHeader("X-Served-By", "hello");
    }
  }

  /** Forwards to another servlet, as a RequestDispatcher would: a nested entry of the same request. */
  public static final class ForwardingServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
      new HelloServlet().service(req, resp);
    }
  }

  public static final class FailingServlet extends HttpServlet {
    public static final IllegalStateException FAILURE = new IllegalStateException("boom");

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
      throw FAILURE;
    }
  }

  /** Hands a task to the container through AsyncContext.start and records the context it ran in. */
  public static final class StartingServlet extends HttpServlet {
    public static final AtomicReference<SpanContext> SEEN = new AtomicReference<>();

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
      req.getAsyncContext().start(() -> SEEN.set(Span.current().getSpanContext()));
    }
  }

  public static final class PassFilter implements Filter {
    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain) throws IOException, ServletException {
      chain.doFilter(req, resp);
    }
  }

  /** The container's async context: start runs the task on another thread and waits for it. */
  public static final class ThreadAsyncContext implements AsyncContext {
    final FakeExchange exchange;

    public ThreadAsyncContext(FakeExchange exchange) {
      this.exchange = exchange;
    }

    @Override
    public void start(Runnable run) {
      Thread t = new Thread(run, "fake-container-worker");
      t.start();
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void addListener(AsyncListener listener) {
      exchange.listeners.add(listener);
    }

    @Override
    public void addListener(AsyncListener listener, ServletRequest req, ServletResponse resp) {
      exchange.listeners.add(listener);
    }

    @Override public ServletRequest getRequest() { return (ServletRequest) exchange.request; }
    @Override public ServletResponse getResponse() { return (ServletResponse) exchange.response; }
    @Override public boolean hasOriginalRequestAndResponse() { return true; }
    @Override public void dispatch() {}
    @Override public void dispatch(String path) {}
    @Override public void dispatch(ServletContext context, String path) {}
    @Override public void complete() {}
    @Override public <T extends AsyncListener> T createListener(Class<T> clazz) { return null; }
    @Override public void setTimeout(long timeout) {}
    @Override public long getTimeout() { return 0; }
  }
}
