package io.weft.receiver;

import com.sun.net.httpserver.HttpServer;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * An OTLP receiver on 127.0.0.1, speaking OTLP/HTTP and OTLP/gRPC, that keeps what it decodes so tests can
 * wait for it. Thread-safe; the smoke tests start one per test and the weft-receiver tool runs one.
 */
public final class OtlpReceiver implements AutoCloseable {
  /** How long the await methods wait unless {@link #withTimeout} says otherwise. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
  private static final AtomicInteger threadNumber = new AtomicInteger();

  private final Inbox inbox;
  private final HttpServer http;
  private final ExecutorService httpThreads;
  private final Server grpc;
  private volatile Duration timeout = DEFAULT_TIMEOUT;

  private OtlpReceiver(Inbox inbox, HttpServer http, ExecutorService httpThreads, Server grpc) {
    this.inbox = inbox;
    this.http = http;
    this.httpThreads = httpThreads;
    this.grpc = grpc;
  }

  /** OTLP/HTTP and OTLP/gRPC, each on an ephemeral port. */
  public static OtlpReceiver start() {
    return start(0, 0);
  }

  /** Ports: 0 for an ephemeral one, -1 to leave that transport off. */
  public static OtlpReceiver start(int httpPort, int grpcPort) {
    return start(httpPort, grpcPort, new Inbox(null));
  }

  /**
   * Hands every decoded export to the listener and stores nothing, so memory stays flat in a long-running
   * tool; the await methods and snapshots then see no spans or metrics, only request counts.
   */
  public static OtlpReceiver forward(int httpPort, int grpcPort, ExportListener listener) {
    return start(httpPort, grpcPort, new Inbox(Objects.requireNonNull(listener, "listener")));
  }

  private static OtlpReceiver start(int httpPort, int grpcPort, Inbox inbox) {
    checkPort(httpPort, "httpPort");
    checkPort(grpcPort, "grpcPort");
    HttpServer http = null;
    ExecutorService httpThreads = null;
    try {
      InetAddress loopback = InetAddress.getByName("127.0.0.1");
      if (httpPort >= 0) {
        http = HttpServer.create(new InetSocketAddress(loopback, httpPort), 64);
        httpThreads = Executors.newFixedThreadPool(4, task -> {
          Thread thread = new Thread(task, "weft-receiver-http-" + threadNumber.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
        http.setExecutor(httpThreads);
        http.createContext("/", new HttpExportHandler(inbox));
        http.start();
      }
      Server grpc = null;
      if (grpcPort >= 0) {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(loopback, grpcPort))
            .maxInboundMessageSize(MAX_MESSAGE_BYTES);
        for (ServerServiceDefinition service : GrpcExportService.definitions(inbox)) {
          builder.addService(service);
        }
        grpc = builder.build().start();
      }
      return new OtlpReceiver(inbox, http, httpThreads, grpc);
    } catch (IOException | RuntimeException e) {
      if (http != null) {
        http.stop(0);
        httpThreads.shutdownNow();
      }
      throw e instanceof IOException
          ? new UncheckedIOException("cannot start the OTLP receiver", (IOException) e)
          : (RuntimeException) e;
    }
  }

  private static void checkPort(int port, String name) {
    if (port < -1 || port > 65535) {
      throw new IllegalArgumentException(name + " must be -1, 0 or a port number, was " + port);
    }
  }

  /** Changes how long the await methods wait; returns this receiver. */
  public OtlpReceiver withTimeout(Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("negative timeout " + timeout);
    }
    this.timeout = timeout;
    return this;
  }

  /** The OTLP/HTTP port, or -1 when HTTP is off. */
  public int httpPort() {
    return http == null ? -1 : http.getAddress().getPort();
  }

  /** The OTLP/gRPC port, or -1 when gRPC is off. */
  public int grpcPort() {
    return grpc == null ? -1 : grpc.getPort();
  }

  /** {@code http://127.0.0.1:PORT}, the base an OTLP/HTTP exporter appends {@code /v1/traces} to. */
  public String httpEndpoint() {
    return endpoint(httpPort(), "HTTP");
  }

  /** {@code http://127.0.0.1:PORT} for an OTLP/gRPC exporter. */
  public String grpcEndpoint() {
    return endpoint(grpcPort(), "gRPC");
  }

  private static String endpoint(int port, String transport) {
    if (port < 0) {
      throw new IllegalStateException(transport + " was not started");
    }
    return "http://127.0.0.1:" + port;
  }

  /** Every span stored so far, in arrival order. */
  public List<ReceivedSpan> spans() {
    return inbox.spans();
  }

  /** Every metric stored so far, in arrival order (one entry per metric per export). */
  public List<ReceivedMetric> metrics() {
    return inbox.metrics();
  }

  /** The headers of each stored export request, names lower-cased, in arrival order. */
  public List<Map<String, String>> requestHeaders() {
    return inbox.headers();
  }

  /** Decoded export requests per signal and transport, keyed like {@code traces/http}, {@code metrics/grpc}. */
  public Map<String, Integer> exportRequests() {
    return inbox.requestCounts();
  }

  public int exportRequests(Signal signal, Transport transport) {
    return exportRequests().getOrDefault(signal.key() + "/" + transport.key(), 0);
  }

  /** Requests refused because their body or content type could not be decoded (HTTP 400 or 415). */
  public int badRequests() {
    return inbox.badRequests();
  }

  /** Requests answered with the status set by {@link #respondWithStatus}; none of them was stored. */
  public int faultedRequests() {
    return inbox.faultedRequests();
  }

  /** Forgets every span, metric, header and count. The fault status stays. */
  public void clear() {
    inbox.clear();
  }

  /**
   * Answers every export with this HTTP status (gRPC: the mapped status) and stores nothing;
   * 0 goes back to normal.
   */
  public void respondWithStatus(int httpStatus) {
    if (httpStatus != 0 && (httpStatus < 200 || httpStatus > 599)) {
      throw new IllegalArgumentException("not an HTTP status: " + httpStatus);
    }
    inbox.respondWithStatus(httpStatus);
  }

  /** The first span matching, waiting for it until the timeout; then an AssertionError listing what arrived. */
  public ReceivedSpan awaitSpan(Predicate<ReceivedSpan> matching) {
    return awaitSpans(matching, 1).get(0);
  }

  /** All spans matching, once there are at least {@code atLeast}; else an AssertionError listing what arrived. */
  public List<ReceivedSpan> awaitSpans(Predicate<ReceivedSpan> matching, int atLeast) {
    try {
      return inbox.awaitSpans(matching, atLeast, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for spans", e);
    }
  }

  /** The most recently received metric with this name; with cumulative temporality it has the latest totals. */
  public ReceivedMetric awaitMetric(String name) {
    return awaitMetric(new DescribedPredicate<>("name=" + name, metric -> metric.name().equals(name)));
  }

  /** The most recently received metric matching, waiting until the timeout. */
  public ReceivedMetric awaitMetric(Predicate<ReceivedMetric> matching) {
    try {
      return inbox.awaitMetric(matching, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for a metric", e);
    }
  }

  /** Stops both servers at once; exports in flight are cut off. */
  @Override
  public void close() {
    if (http != null) {
      http.stop(0);
      httpThreads.shutdownNow();
    }
    if (grpc != null) {
      grpc.shutdownNow();
      try {
        grpc.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
