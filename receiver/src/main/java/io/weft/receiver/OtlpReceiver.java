package io.weft.receiver;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * An OTLP receiver on 127.0.0.1, speaking OTLP/HTTP and OTLP/gRPC, that keeps what it decodes so tests can
 * wait for it. Thread-safe; the smoke tests start one per test and the weft-receiver tool runs one.
 *
 * <p>It can also play a collector in trouble, switched at any time while an application exports to it:
 * gone and back ({@link #stop}, {@link #restart}, {@link #absent}), slow ({@link #respondSlowly}), refusing
 * with a status and maybe a retry delay ({@link #respondWithStatus(int, Duration)}), answering garbage
 * ({@link #respondWithGarbage}, {@link #respondWithNonHttpBytes}), dropping the connection halfway
 * ({@link #closeMidRequest}), or serving TLS ({@link #startTls}). Every export request is logged with its
 * arrival time and answer ({@link #attempts}), so a test can assert retries and backoff; whenever the
 * receiver answers normally, what it receives is decoded and stored as usual.
 */
public final class OtlpReceiver implements AutoCloseable {
  /** How long the await methods wait unless {@link #withTimeout} says otherwise. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private static final int MAX_MESSAGE_BYTES = HttpExportServer.MAX_BODY_BYTES;
  private static final Duration REBIND_TIMEOUT = Duration.ofSeconds(10);

  private final Inbox inbox;
  private final Faults faults = new Faults();
  private final TestCertificate certificate; // null: plain text
  private final HttpExportServer http; // null: HTTP off
  private final boolean grpcOn;
  private final ScheduledExecutorService delays;
  private int httpPort;
  private int grpcPort;
  private Server grpc; // null while stopped or when gRPC is off
  private boolean running;
  private volatile Duration timeout = DEFAULT_TIMEOUT;

  private OtlpReceiver(Inbox inbox, TestCertificate certificate, int httpPort, int grpcPort) {
    checkPort(httpPort, "httpPort");
    checkPort(grpcPort, "grpcPort");
    this.inbox = inbox;
    this.certificate = certificate;
    this.http = httpPort < 0 ? null
        : new HttpExportServer(inbox, faults, certificate == null ? null : certificate.serverContext());
    this.grpcOn = grpcPort >= 0;
    this.httpPort = httpPort;
    this.grpcPort = grpcPort;
    this.delays = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "weft-receiver-delays");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** OTLP/HTTP and OTLP/gRPC, each on an ephemeral port. */
  public static OtlpReceiver start() {
    return start(0, 0);
  }

  /** Ports: 0 for an ephemeral one, -1 to leave that transport off. */
  public static OtlpReceiver start(int httpPort, int grpcPort) {
    return started(new OtlpReceiver(new Inbox(null), null, httpPort, grpcPort));
  }

  /**
   * Hands every decoded export to the listener and stores nothing, so memory stays flat in a long-running
   * tool; the await methods and snapshots then see no spans, metrics, log records or attempts, only request
   * counts.
   */
  public static OtlpReceiver forward(int httpPort, int grpcPort, ExportListener listener) {
    return started(new OtlpReceiver(new Inbox(Objects.requireNonNull(listener, "listener")), null, httpPort, grpcPort));
  }

  /**
   * OTLP/HTTP over TLS ({@code https://127.0.0.1:PORT}) and OTLP/gRPC over TLS, each on an ephemeral port,
   * serving {@link TestCertificate#receiver()}: trust its {@link #certificatePem()} to connect, or {@link
   * TestCertificate#other()}'s to see a client refuse the wrong certificate. The first call runs keytool.
   */
  public static OtlpReceiver startTls() {
    return startTls(0, 0);
  }

  /** As {@link #startTls()}; ports: 0 for an ephemeral one, -1 to leave that transport off. */
  public static OtlpReceiver startTls(int httpPort, int grpcPort) {
    return started(new OtlpReceiver(new Inbox(null), TestCertificate.receiver(), httpPort, grpcPort));
  }

  /**
   * A collector that is not there yet: both ports are chosen ({@link #freePort}) and the endpoints known,
   * but nothing listens (connections are refused) until {@link #restart()}.
   */
  public static OtlpReceiver absent() {
    return new OtlpReceiver(new Inbox(null), null, freePort(), freePort());
  }

  /**
   * A TCP port on 127.0.0.1 that was free a moment ago, for a receiver (or anything) to listen on later:
   * the operating system hands out ephemeral ports in turn, so another process taking it meanwhile is
   * unlikely but possible.
   */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  private static OtlpReceiver started(OtlpReceiver receiver) {
    try {
      receiver.listen(Duration.ZERO);
      return receiver;
    } catch (RuntimeException e) {
      receiver.close();
      throw e;
    }
  }

  private static void checkPort(int port, String name) {
    if (port < -1 || port > 65535) {
      throw new IllegalArgumentException(name + " must be -1, 0 or a port number, was " + port);
    }
  }

  /** Binds both transports; a port still held by the previous run (a restart) is retried until {@code patience}. */
  private synchronized void listen(Duration patience) {
    if (running) {
      return;
    }
    long deadline = System.nanoTime() + patience.toNanos();
    try {
      while (true) {
        try {
          if (http != null) {
            http.start(httpPort);
            httpPort = http.port();
          }
          if (grpcOn && grpc == null) {
            grpc = grpcServer(grpcPort).start();
            grpcPort = grpc.getPort();
          }
          running = true;
          return;
        } catch (IOException e) {
          if (System.nanoTime() - deadline >= 0) {
            throw e;
          }
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
      }
    } catch (IOException e) {
      stopServers();
      throw new UncheckedIOException("cannot start the OTLP receiver on HTTP port " + httpPort
          + ", gRPC port " + grpcPort, e);
    }
  }

  private Server grpcServer(int port) {
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(loopback(), port))
        .maxInboundMessageSize(MAX_MESSAGE_BYTES);
    for (ServerServiceDefinition service : GrpcExportService.definitions(inbox, faults, delays)) {
      builder.addService(service);
    }
    if (certificate != null) {
      try {
        builder.sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(certificate.keyManagers())).build());
      } catch (javax.net.ssl.SSLException e) {
        throw new IllegalStateException("cannot set up TLS for gRPC", e);
      }
    }
    return builder.build();
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByName("127.0.0.1");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The collector goes away: both transports stop listening and every open connection is closed, so
   * requests in flight get no answer and new ones are refused. What was received stays; {@link #restart()}
   * comes back on the same ports.
   */
  public synchronized void stop() {
    stopServers();
    running = false;
  }

  /**
   * The collector comes back on the same ports (or appears for the first time, after {@link #absent()}),
   * with the same fault settings and everything received so far. Waits up to 10 s for a port the
   * previous run still holds.
   */
  public synchronized void restart() {
    listen(REBIND_TIMEOUT);
  }

  /** Whether the receiver is listening now. */
  public synchronized boolean isRunning() {
    return running;
  }

  private void stopServers() {
    if (http != null) {
      http.stop();
    }
    if (grpc != null) {
      grpc.shutdownNow();
      try {
        grpc.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      grpc = null;
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

  /** The OTLP/HTTP port (also while stopped), or -1 when HTTP is off. */
  public synchronized int httpPort() {
    return http == null ? -1 : httpPort;
  }

  /** The OTLP/gRPC port (also while stopped), or -1 when gRPC is off. */
  public synchronized int grpcPort() {
    return grpcOn ? grpcPort : -1;
  }

  /**
   * {@code http://127.0.0.1:PORT} ({@code https://} after {@link #startTls}), the base an OTLP/HTTP exporter
   * appends {@code /v1/traces} to.
   */
  public String httpEndpoint() {
    return endpoint(httpPort(), "HTTP");
  }

  /** {@code http://127.0.0.1:PORT} ({@code https://} after {@link #startTls}) for an OTLP/gRPC exporter. */
  public String grpcEndpoint() {
    return endpoint(grpcPort(), "gRPC");
  }

  private String endpoint(int port, String transport) {
    if (port < 0) {
      throw new IllegalStateException(transport + " was not started");
    }
    return (certificate == null ? "http" : "https") + "://127.0.0.1:" + port;
  }

  /**
   * The PEM file of the certificate a TLS receiver serves, for {@code OTEL_EXPORTER_OTLP_CERTIFICATE};
   * fails on a plain-text receiver.
   */
  public Path certificatePem() {
    if (certificate == null) {
      throw new IllegalStateException("not a TLS receiver: use OtlpReceiver.startTls()");
    }
    return certificate.certificatePem();
  }

  /** Every span stored so far, in arrival order. */
  public List<ReceivedSpan> spans() {
    return inbox.spans();
  }

  /** Every metric stored so far, in arrival order (one entry per metric per export). */
  public List<ReceivedMetric> metrics() {
    return inbox.metrics();
  }

  /** Every log record stored so far, in arrival order. */
  public List<ReceivedLog> logs() {
    return inbox.logs();
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

  /**
   * Export requests that met an injected fault: a status, garbage, non-HTTP bytes, a closed connection (not
   * slowness alone). Only those answered with garbage were stored.
   */
  public int faultedRequests() {
    return inbox.faultedRequests();
  }

  /** Every export request so far (both transports, any answer), in arrival order. */
  public List<ExportAttempt> attempts() {
    return inbox.attempts();
  }

  /**
   * The logged export requests matching, once there are at least {@code atLeast}, waiting until the
   * timeout; then an AssertionError listing what was logged.
   */
  public List<ExportAttempt> awaitAttempts(Predicate<ExportAttempt> matching, int atLeast) {
    try {
      return inbox.awaitAttempts(matching, atLeast, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for export attempts", e);
    }
  }

  /**
   * Returns once {@code atLeast} export requests have arrived since start or {@link #clear}, counting
   * those still waiting for their (slow) answer, which {@link #attempts} lists only once answered.
   */
  public void awaitArrivals(int atLeast) {
    try {
      inbox.awaitArrivals(atLeast, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for export requests", e);
    }
  }

  /** At least {@code atLeast} export requests of one signal, in arrival order, waiting until the timeout. */
  public List<ExportAttempt> awaitAttempts(Signal signal, int atLeast) {
    return awaitAttempts(new DescribedPredicate<>("signal=" + signal, a -> a.signal() == signal), atLeast);
  }

  /**
   * TLS connections that failed before a request could be read (an untrusted certificate, a plain-text
   * client on the TLS port); OTLP/HTTP only.
   */
  public int tlsHandshakeFailures() {
    return inbox.tlsHandshakeFailures();
  }

  /** Forgets every span, metric, log record, header, attempt and count. Fault settings stay. */
  public void clear() {
    inbox.clear();
  }

  /** Back to normal answers, without delay: switches off every fault below. */
  public void respondNormally() {
    faults.answer(Faults.Answer.NORMAL);
    faults.delay(Duration.ZERO);
  }

  /**
   * Answers every export with this HTTP status and stores nothing; gRPC gets the status a collector maps it
   * to (429 RESOURCE_EXHAUSTED, 502/503/504 UNAVAILABLE, 400 INVALID_ARGUMENT, ...). 0 goes back to normal
   * answers. Replaces any other answer fault; a delay set by {@link #respondSlowly} stays.
   */
  public void respondWithStatus(int httpStatus) {
    checkStatus(httpStatus);
    faults.answer(httpStatus == 0 ? Faults.Answer.NORMAL : new Faults.Answer(Faults.Kind.STATUS, httpStatus, null));
  }

  /**
   * As {@link #respondWithStatus(int)}, asking the client to wait: OTLP/HTTP gets a {@code Retry-After:
   * <seconds>} header (rounded up to whole seconds), OTLP/gRPC a {@code google.rpc.RetryInfo} with the
   * exact delay in the status details, as the OTLP specification describes for throttling (use 429 or 503).
   */
  public void respondWithStatus(int httpStatus, Duration retryAfter) {
    checkStatus(httpStatus);
    if (httpStatus == 0 || retryAfter.isNegative()) {
      throw new IllegalArgumentException("a retry delay needs a status and a delay of 0 or more, got "
          + httpStatus + " and " + retryAfter);
    }
    faults.answer(new Faults.Answer(Faults.Kind.STATUS, httpStatus, retryAfter));
  }

  private static void checkStatus(int httpStatus) {
    if (httpStatus != 0 && (httpStatus < 200 || httpStatus > 599)) {
      throw new IllegalArgumentException("not an HTTP status: " + httpStatus);
    }
  }

  /**
   * Waits this long before answering each export request (after reading it, before storing it), on both
   * transports; {@link Duration#ZERO} ends it. Combines with the other faults. A client that gives up
   * meanwhile still has its data stored when the answer is a normal one, as a collector would.
   */
  public void respondSlowly(Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("negative delay " + delay);
    }
    faults.delay(delay);
  }

  /**
   * Stores each export, then answers success with a body that is no protobuf (nor JSON): OTLP/HTTP {@code
   * 200} with the request's content type, OTLP/gRPC {@code OK} with an undecodable message.
   */
  public void respondWithGarbage() {
    faults.answer(new Faults.Answer(Faults.Kind.GARBAGE, 0, null));
  }

  /**
   * OTLP/HTTP: answers each export with bytes that are not HTTP at all (an SSH banner and binary noise)
   * and closes the connection; nothing is stored. OTLP/gRPC calls fail with UNAVAILABLE instead, what a
   * gRPC client reports for a broken connection.
   */
  public void respondWithNonHttpBytes() {
    faults.answer(new Faults.Answer(Faults.Kind.NON_HTTP, 0, null));
  }

  /**
   * OTLP/HTTP: reads about half of each export's body, then closes the connection without answering;
   * nothing is stored. OTLP/gRPC calls fail with UNAVAILABLE instead.
   */
  public void closeMidRequest() {
    faults.answer(new Faults.Answer(Faults.Kind.CLOSE_MID_REQUEST, 0, null));
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

  /**
   * The first log record matching (see {@link LogMatchers}), waiting for it until the timeout; then an
   * AssertionError listing the records that did arrive.
   */
  public ReceivedLog awaitLog(Predicate<ReceivedLog> matching) {
    return awaitLogs(matching, 1).get(0);
  }

  /**
   * All log records matching, once there are at least {@code atLeast}; else an AssertionError listing what
   * arrived.
   */
  public List<ReceivedLog> awaitLogs(Predicate<ReceivedLog> matching, int atLeast) {
    try {
      return inbox.awaitLogs(matching, atLeast, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for log records", e);
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

  /** Stops both servers at once, for good; exports in flight are cut off. */
  @Override
  public synchronized void close() {
    stop();
    delays.shutdownNow();
  }
}
