package io.weft.agent.prometheus;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.weft.agent.export.ExportPipeline;
import io.weft.agent.metrics.LeanMeterProvider;
import io.weft.instrumentation.InternalErrors;
import io.weft.instrumentation.trace.TelemetryResource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * {@code OTEL_METRICS_EXPORTER=prometheus}: an HTTP endpoint that Prometheus scrapes, answering {@code GET /metrics}
 * (and {@code /}) with every metric in the text format ({@link PrometheusText}), collected at the scrape with
 * cumulative temporality. Not the JDK's HTTP server: module {@code jdk.httpserver} is missing from trimmed
 * runtime images, and a scrape needs one request line and one answer.
 *
 * <p>What it does with bad or idle clients: a request must arrive within {@link #READ_TIMEOUT_MILLIS} and fit
 * in {@link #MAX_REQUEST_BYTES}; every answer closes its connection; at most {@link #MAX_CONNECTIONS} are served at
 * once (more get 503 at once). Other paths get 404, other methods 405, a malformed request 400. Its threads are
 * daemons: it never holds the JVM's exit. Agent class loader.
 */
public final class PrometheusEndpoint implements LeanMeterProvider.PullExporter {

  static final int READ_TIMEOUT_MILLIS = 10_000;
  static final int MAX_REQUEST_BYTES = 16 * 1024;
  static final int MAX_CONNECTIONS = 4;
  static final int LINGER_MILLIS = 1_000;

  private final ServerSocket server;
  private final TelemetryResource resource;
  private final PrometheusText text;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger threadNumber = new AtomicInteger();
  private volatile LeanMeterProvider.Source source;
  private volatile Thread acceptor;

  private PrometheusEndpoint(ServerSocket server, TelemetryResource resource, Consumer<String> warn) {
    this.server = server;
    this.resource = resource;
    this.text = new PrometheusText(warn);
  }

  /**
   * Listens on {@code host:port} ({@code 0} for any free port) and starts answering; throws when it cannot
   * listen (the port is taken, the host unknown), for the caller to report.
   */
  public static PrometheusEndpoint open(String host, int port, TelemetryResource resource, Consumer<String> warn) throws IOException {
    ServerSocket server = new ServerSocket();
    try {
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(InetAddress.getByName(host), port), 50);
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    PrometheusEndpoint endpoint = new PrometheusEndpoint(server, resource, warn);
    Thread acceptor = new Thread(new Acceptor(endpoint), "weft-prometheus");
    acceptor.setDaemon(true);
    endpoint.acceptor = acceptor;
    acceptor.start();
    return endpoint;
  }

  /** Where it listens, as a URL: {@code http://0.0.0.0:9464/metrics}. */
  public String url() {
    InetAddress address = server.getInetAddress();
    String host = address.getHostAddress();
    return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + server.getLocalPort() + "/metrics";
  }

  @Override
  public void bind(LeanMeterProvider.Source source) {
    this.source = source;
  }

  @Override
  public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
    return AggregationTemporality.CUMULATIVE;
  }

  /** Never called by Weft's provider (a pull exporter is not pushed to); anything pushed is dropped. */
  @Override
  public CompletableResultCode export(Collection<MetricData> metrics) {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  /**
   * Stops listening, and returns once the port is free; a scrape being answered finishes. The JDK releases a
   * socket that a thread is blocked accepting on only when that thread has left {@code accept}, so until the
   * acceptor has ended a client could still connect: it is waited for (a moment; at most a second).
   */
  @Override
  public CompletableResultCode shutdown() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing is all that was wanted
    }
    Thread running = acceptor;
    if (running != null && running != Thread.currentThread()) {
      try {
        running.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return CompletableResultCode.ofSuccess();
  }

  /** The body of one scrape. Synchronized: the text writer keeps which conflicts it has named. */
  synchronized byte[] scrape() {
    LeanMeterProvider.Source current = source;
    List<MetricData> metrics = current == null ? List.of() : current.collect();
    return text.write(resource.attributes(), metrics).getBytes(StandardCharsets.UTF_8);
  }

  /** Accepts connections until the socket is closed, each on its own daemon thread. */
  private static final class Acceptor implements Runnable {
    private final PrometheusEndpoint endpoint;

    Acceptor(PrometheusEndpoint endpoint) {
      this.endpoint = endpoint;
    }

    @Override
    public void run() {
      while (!endpoint.server.isClosed()) {
        Socket socket;
        try {
          socket = endpoint.server.accept();
        } catch (IOException e) {
          if (endpoint.server.isClosed()) {
            return;
          }
          // out of file descriptors, say: reported once, and the endpoint tries again rather than ending
          InternalErrors.report("the Prometheus endpoint's accept", e);
          try {
            Thread.sleep(100);
          } catch (InterruptedException interrupted) {
            return;
          }
          continue;
        }
        if (endpoint.connections.incrementAndGet() > MAX_CONNECTIONS) {
          endpoint.connections.decrementAndGet();
          try {
            // not drained: the acceptor does not wait for a client it turns away
            Exchange.answerAndClose(socket, 503, "Service Unavailable", "too many scrapes at once\n", false, false);
          } catch (RuntimeException e) {
            closeQuietly(socket);
            InternalErrors.report("the Prometheus endpoint", e);
          }
          continue;
        }
        try {
          Thread thread = new Thread(new Exchange(endpoint, socket), "weft-prometheus-" + endpoint.threadNumber.incrementAndGet());
          thread.setDaemon(true);
          thread.start();
        } catch (RuntimeException | Error e) { // no thread to be had: this scrape is lost, not the endpoint
          endpoint.connections.decrementAndGet();
          closeQuietly(socket);
          InternalErrors.report("the Prometheus endpoint", e);
        }
      }
    }
  }

  /** One connection: one request read, one answer written, closed. */
  static final class Exchange implements Runnable {
    private final PrometheusEndpoint endpoint;
    private final Socket socket;

    Exchange(PrometheusEndpoint endpoint, Socket socket) {
      this.endpoint = endpoint;
      this.socket = socket;
    }

    @Override
    public void run() {
      try {
        serve();
      } catch (IOException e) {
        // the client went away or sent nothing in time: nothing to answer
      } catch (RuntimeException | Error e) {
        InternalErrors.report("the Prometheus endpoint's scrape", e);
        answerAndClose(socket, 500, "Internal Server Error", "the scrape failed\n", false, true);
      } finally {
        closeQuietly(socket);
        endpoint.connections.decrementAndGet();
      }
    }

    private void serve() throws IOException {
      String requestHead = readRequestHead(socket);
      if (requestHead == null) {
        answerAndClose(socket, 400, "Bad Request", "malformed or oversized request\n", false, true);
        return;
      }
      int lineEnd = requestHead.indexOf('\n');
      String requestLine = lineEnd < 0 ? requestHead : requestHead.substring(0, lineEnd);
      String[] parts = requestLine.split(" ", -1);
      if (parts.length != 3 || !parts[2].startsWith("HTTP/1.") || parts[1].isEmpty()) {
        answerAndClose(socket, 400, "Bad Request", "malformed request line\n", false, true);
        return;
      }
      boolean head = parts[0].equals("HEAD");
      if (!head && !parts[0].equals("GET")) {
        answerAndClose(socket, 405, "Method Not Allowed", "only GET and HEAD\n", false, true);
        return;
      }
      String target = parts[1];
      int query = target.indexOf('?');
      String path = query >= 0 ? target.substring(0, query) : target;
      if (!path.equals("/metrics") && !path.equals("/")) {
        answerAndClose(socket, 404, "Not Found", "metrics are at /metrics\n", head, true);
        return;
      }
      byte[] body = endpoint.scrape();
      // what Prometheus asks for: the text shrinks about tenfold, for a few milliseconds of one core at most
      boolean gzip = acceptsGzip(requestHead);
      write(socket, 200, "OK", PrometheusText.CONTENT_TYPE, gzip ? ExportPipeline.gzip(body) : body, gzip, head, true);
    }

    /** Whether an {@code Accept-Encoding} header of the request names gzip (without {@code q=0}). */
    static boolean acceptsGzip(String requestHead) {
      for (String line : requestHead.split("\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Accept-Encoding")) {
          for (String coding : line.substring(colon + 1).split(",")) {
            String[] parameters = coding.split(";");
            if (parameters[0].trim().equalsIgnoreCase("gzip")) {
              return !(parameters.length > 1 && parameters[1].replace(" ", "").matches("q=0(\\.0*)?"));
            }
          }
        }
      }
      return false;
    }

    /**
     * Reads up to the blank line after the headers and returns them, request line first, lines ending in {@code \n}
     * (a {@code \r} before it dropped from the first line only); null when the head is larger
     * than {@link #MAX_REQUEST_BYTES}, ends early, or is not whole within {@link #READ_TIMEOUT_MILLIS} (a client
     * trickling bytes cannot hold one of the few connections longer). Of the headers only {@code Accept-Encoding}
     * is read: every answer is the same text, and closes the connection.
     */
    static String readRequestHead(Socket socket) throws IOException {
      InputStream in = socket.getInputStream();
      long deadline = System.nanoTime() + READ_TIMEOUT_MILLIS * 1_000_000L;
      byte[] head = new byte[MAX_REQUEST_BYTES];
      int length = 0;
      int firstLineEnd = -1;
      while (length < head.length) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return null;
        }
        socket.setSoTimeout((int) left);
        int read = in.read(head, length, head.length - length);
        if (read < 0) {
          return null;
        }
        for (int i = length; i < length + read; i++) {
          if (head[i] != '\n') {
            continue;
          }
          if (firstLineEnd < 0) {
            firstLineEnd = i;
          }
          // a blank line: "\n\n" or "\r\n\r\n"
          if (i >= 1 && head[i - 1] == '\n' || i >= 3 && head[i - 1] == '\r' && head[i - 2] == '\n' && head[i - 3] == '\r') {
            int end = firstLineEnd > 0 && head[firstLineEnd - 1] == '\r' ? firstLineEnd - 1 : firstLineEnd;
            return new String(head, 0, end, StandardCharsets.ISO_8859_1) + "\n"
                + new String(head, firstLineEnd + 1, i - firstLineEnd, StandardCharsets.ISO_8859_1).replace("\r", "");
          }
        }
        length += read;
      }
      return null;
    }

    static void answerAndClose(Socket socket, int status, String reason, String message, boolean head, boolean linger) {
      try {
        write(socket, status, reason, "text/plain; charset=utf-8", message.getBytes(StandardCharsets.UTF_8), false, head, linger);
      } catch (IOException ignored) {
        // the client is gone
      } finally {
        closeQuietly(socket);
      }
    }

    private static void write(Socket socket, int status, String reason, String contentType, byte[] body, boolean gzipped, boolean head,
        boolean linger) throws IOException {
      String headers = "HTTP/1.1 " + status + " " + reason + "\r\n"
          + "Content-Type: " + contentType + "\r\n"
          + "Content-Length: " + body.length + "\r\n"
          + (gzipped ? "Content-Encoding: gzip\r\n" : "")
          + (status == 405 ? "Allow: GET, HEAD\r\n" : "")
          + "Connection: close\r\n\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(headers.getBytes(StandardCharsets.ISO_8859_1));
      if (!head) {
        out.write(body);
      }
      out.flush();
      socket.shutdownOutput();
      if (linger) {
        drain(socket);
      }
    }

    /**
     * Reads what the client still sends until it closes, for at most {@link #LINGER_MILLIS}: closing with unread
     * bytes (the rest of an oversized head) would reset the connection and could lose the answer on its way.
     */
    private static void drain(Socket socket) {
      try {
        socket.setSoTimeout(LINGER_MILLIS);
        InputStream in = socket.getInputStream();
        byte[] sink = new byte[4096];
        long deadline = System.nanoTime() + LINGER_MILLIS * 1_000_000L;
        while (in.read(sink) >= 0 && System.nanoTime() < deadline) {
          // discarded
        }
      } catch (IOException ignored) {
        // gone or silent: closed either way
      }
    }
  }

  static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }
}
