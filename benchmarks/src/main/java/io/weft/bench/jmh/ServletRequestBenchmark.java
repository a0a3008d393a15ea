package io.weft.bench.jmh;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import jakarta.servlet.http.MappingMatch;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One {@code GET /plain} through a servlet's {@code service} on the calling thread, without a container or a
 * socket: what an agent's servlet instrumentation adds to a request on the request thread (its server span, the
 * context, the HTTP metrics), and nothing else. The request and response are plain objects whose getters return
 * fields, as a container's do; the servlet sets the status and writes nothing. Each agent weaves the servlet as it
 * would in Tomcat. A method neither object answers itself (an agent may ask for more than Weft does) falls back to
 * a proxy, which answers a default and is listed at the end of the fork's log, so a fallback that would slow one
 * agent down shows.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class ServletRequestBenchmark {

  private static final Set<String> FALLBACKS = ConcurrentHashMap.newKeySet();

  private final PlainServlet servlet = new PlainServlet();
  private final Request request = new Request();
  private final Response response = new Response();

  @Setup(Level.Trial)
  public void init() throws Exception {
    servlet.init(new Config());
  }

  @Benchmark
  public int request() throws Exception {
    servlet.service(request, response);
    int status = response.status;
    request.attributes.clear(); // a container recycles its request: nothing an agent left there is seen next time
    response.status = 200;
    return status;
  }

  @TearDown(Level.Trial)
  public void listFallbacks() {
    System.out.println("methods answered by the fallback proxy: " + new TreeSet<>(FALLBACKS));
  }

  /** Answers every method with a default (null, 0, false) and remembers its name. */
  @SuppressWarnings("unchecked")
  static <T> T fallback(Class<T> type) {
    return (T) Proxy.newProxyInstance(ServletRequestBenchmark.class.getClassLoader(), new Class<?>[] {type},
        (proxy, method, args) -> {
          FALLBACKS.add(type.getSimpleName() + "." + method.getName());
          Class<?> returns = method.getReturnType();
          if (returns == boolean.class) {
            return false;
          }
          if (returns == int.class) {
            return 0;
          }
          if (returns == long.class) {
            return 0L;
          }
          return null;
        });
  }

  /** The servlet's name, no parameters, and a context that answers through the fallback. */
  static final class Config implements ServletConfig {
    private final ServletContext context = fallback(ServletContext.class);

    @Override
    public String getServletName() {
      return "plain";
    }

    @Override
    public ServletContext getServletContext() {
      return context;
    }

    @Override
    public String getInitParameter(String name) {
      return null;
    }

    @Override
    public Enumeration<String> getInitParameterNames() {
      return Collections.emptyEnumeration();
    }
  }

  /** Sets the status and writes nothing. */
  static final class PlainServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
      resp.setStatus(200);
    }
  }

  /** A request of {@code wrk}: {@code GET /plain HTTP/1.1} with Host, User-Agent and Accept. */
  static final class Request extends HttpServletRequestWrapper {
    private static final String[] HEADER_NAMES = {"Host", "User-Agent", "Accept"};
    private static final String[] HEADER_VALUES = {"127.0.0.1:8080", "wrk", "*/*"};
    private static final HttpServletMapping MAPPING = new HttpServletMapping() {
      @Override
      public String getMatchValue() {
        return "plain";
      }

      @Override
      public String getPattern() {
        return "/plain";
      }

      @Override
      public String getServletName() {
        return "plain";
      }

      @Override
      public MappingMatch getMappingMatch() {
        return MappingMatch.EXACT;
      }
    };

    final Map<String, Object> attributes = new HashMap<>();

    Request() {
      super(fallback(HttpServletRequest.class));
    }

    @Override
    public String getMethod() {
      return "GET";
    }

    @Override
    public String getRequestURI() {
      return "/plain";
    }

    @Override
    public StringBuffer getRequestURL() {
      return new StringBuffer("http://127.0.0.1:8080/plain");
    }

    @Override
    public String getQueryString() {
      return null;
    }

    @Override
    public String getScheme() {
      return "http";
    }

    @Override
    public String getServerName() {
      return "127.0.0.1";
    }

    @Override
    public int getServerPort() {
      return 8080;
    }

    @Override
    public String getRemoteAddr() {
      return "127.0.0.1";
    }

    @Override
    public String getRemoteHost() {
      return "127.0.0.1";
    }

    @Override
    public int getRemotePort() {
      return 50_000;
    }

    @Override
    public String getLocalAddr() {
      return "127.0.0.1";
    }

    @Override
    public String getLocalName() {
      return "localhost";
    }

    @Override
    public int getLocalPort() {
      return 8080;
    }

    @Override
    public String getProtocol() {
      return "HTTP/1.1";
    }

    @Override
    public boolean isSecure() {
      return false;
    }

    @Override
    public String getContextPath() {
      return "";
    }

    @Override
    public String getServletPath() {
      return "/plain";
    }

    @Override
    public String getPathInfo() {
      return null;
    }

    @Override
    public HttpServletMapping getHttpServletMapping() {
      return MAPPING;
    }

    @Override
    public String getHeader(String name) {
      for (int i = 0; i < HEADER_NAMES.length; i++) {
        if (HEADER_NAMES[i].equalsIgnoreCase(name)) {
          return HEADER_VALUES[i];
        }
      }
      return null;
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      String value = getHeader(name);
      return value == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(value));
    }

    @Override
    public Enumeration<String> getHeaderNames() {
      return Collections.enumeration(List.of(HEADER_NAMES));
    }

    @Override
    public long getDateHeader(String name) {
      return -1;
    }

    @Override
    public int getIntHeader(String name) {
      return -1;
    }

    @Override
    public int getContentLength() {
      return -1;
    }

    @Override
    public long getContentLengthLong() {
      return -1;
    }

    @Override
    public DispatcherType getDispatcherType() {
      return DispatcherType.REQUEST;
    }

    @Override
    public Object getAttribute(String name) {
      return attributes.get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
      if (value == null) {
        attributes.remove(name);
      } else {
        attributes.put(name, value);
      }
    }

    @Override
    public void removeAttribute(String name) {
      attributes.remove(name);
    }

    @Override
    public Enumeration<String> getAttributeNames() {
      return Collections.enumeration(new ArrayList<>(attributes.keySet()));
    }

    @Override
    public boolean isAsyncStarted() {
      return false;
    }

    @Override
    public boolean isAsyncSupported() {
      return false;
    }
  }

  /** Keeps the status; has no headers of its own. */
  static final class Response extends HttpServletResponseWrapper {
    int status = 200;

    Response() {
      super(fallback(HttpServletResponse.class));
    }

    @Override
    public void setStatus(int sc) {
      status = sc;
    }

    @Override
    public int getStatus() {
      return status;
    }

    @Override
    public boolean isCommitted() {
      return false;
    }

    @Override
    public String getHeader(String name) {
      return null;
    }

    @Override
    public Collection<String> getHeaders(String name) {
      return List.of();
    }

    @Override
    public Collection<String> getHeaderNames() {
      return List.of();
    }

    @Override
    public boolean containsHeader(String name) {
      return false;
    }
  }
}
