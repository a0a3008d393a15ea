package io.weft.receiver;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The receiver's OTLP/HTTP server: plain blocking HTTP/1.1 on 127.0.0.1, one thread per connection,
 * keep-alive, Content-Length or chunked bodies, optionally TLS. Written for the receiver rather than
 * using the JDK's HttpServer so that a fault can reach below HTTP, on any request of a kept-alive
 * connection: a connection closed halfway through a body, bytes that are not HTTP at all. Can be
 * stopped and started again on the same port.
 */
final class HttpExportServer {
  static final int MAX_BODY_BYTES = 64 * 1024 * 1024;
  static final int DIRECT_BODY_BYTES = 4 * 1024 * 1024;
  private static final int MAX_LINE_BYTES = 16 * 1024;
  private static final int MAX_HEADERS = 200;
  private static final int IDLE_MILLIS = 120_000;
  private static final AtomicInteger threadNumber = new AtomicInteger();

  /**
   * What the receiver writes instead of HTTP: the banner an SSH server greets with (what a client meets
   * when the endpoint's port is the wrong service), then binary noise.
   */
  static final byte[] NON_HTTP_BYTES = nonHttp();

  private final Inbox inbox;
  private final Faults faults;
  private final HttpExportHandler handler;
  private final SSLContext tls;
  private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
  private ServerSocket listener;
  private ExecutorService threads;

  HttpExportServer(Inbox inbox, Faults faults, SSLContext tls) {
    this.inbox = inbox;
    this.faults = faults;
    this.handler = new HttpExportHandler(inbox);
    this.tls = tls;
  }

  boolean tls() {
    return tls != null;
  }

  /** Listens on the port (0: an ephemeral one) until {@link #stop}; SO_REUSEADDR, so a restart can rebind at once. */
  synchronized void start(int port) throws IOException {
    if (listener != null) {
      return;
    }
    ServerSocket socket = tls == null ? new ServerSocket() : tls.getServerSocketFactory().createServerSocket();
    try {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 64);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
    listener = socket;
    threads = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "weft-receiver-http-" + threadNumber.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    ExecutorService pool = threads;
    pool.execute(() -> accept(socket, pool));
  }

  /** The bound port, or -1 when stopped. */
  synchronized int port() {
    return listener == null ? -1 : listener.getLocalPort();
  }

  /** Closes the listening socket and every open connection; requests in flight get no answer. */
  synchronized void stop() {
    if (listener == null) {
      return;
    }
    closeQuietly(listener);
    listener = null;
    for (Socket connection : connections) {
      closeQuietly(connection);
    }
    threads.shutdownNow();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    threads = null;
  }

  private void accept(ServerSocket socket, ExecutorService pool) {
    while (!socket.isClosed()) {
      Socket connection;
      try {
        connection = socket.accept();
      } catch (IOException e) {
        return; // closed by stop()
      }
      connections.add(connection);
      try {
        pool.execute(() -> serve(connection));
      } catch (RejectedExecutionException e) {
        connections.remove(connection);
        closeQuietly(connection);
      }
    }
  }

  private void serve(Socket connection) {
    try (connection) {
      connection.setSoTimeout(IDLE_MILLIS);
      connection.setTcpNoDelay(true);
      if (connection instanceof SSLSocket) {
        try {
          ((SSLSocket) connection).startHandshake();
        } catch (IOException e) {
          inbox.tlsHandshakeFailed(); // an untrusted certificate, a plain-text client, a client giving up
          return;
        }
      }
      HttpInput in = new HttpInput(connection.getInputStream());
      OutputStream out = new BufferedOutputStream(connection.getOutputStream());
      while (exchange(in, out)) {
        // next request on the same connection
      }
    } catch (IOException | InterruptedException e) {
      // the client went away, an idle connection timed out, or stop() closed the socket
    } finally {
      connections.remove(connection);
    }
  }

  /** Reads one request and answers it; false when the connection is to be closed. */
  private boolean exchange(HttpInput in, OutputStream out) throws IOException, InterruptedException {
    String requestLine = readLine(in);
    if (requestLine == null) {
      return false; // the client closed between requests
    }
    String[] parts = requestLine.split(" ");
    Map<String, String> headers = parts.length == 3 && parts[2].startsWith("HTTP/1.") && printable(requestLine)
        ? readHeaders(in) : null;
    if (headers == null) {
      respond(out, new HttpExportHandler.Response(400, "text/plain", HttpExportHandler.bytes("not an HTTP/1.x request\n"),
          null, null, null, false), false);
      return false;
    }
    String method = parts[0];
    String target = parts[1];
    int query = target.indexOf('?');
    String path = query < 0 ? target : target.substring(0, query);
    String connectionHeader = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
    boolean keepAlive = parts[2].equals("HTTP/1.0") ? connectionHeader.contains("keep-alive") : !connectionHeader.contains("close");

    Signal signal = Signal.forPath(path);
    boolean export = signal != null && "POST".equals(method);
    Faults.Answer answer = export ? faults.answer() : Faults.Answer.NORMAL;
    Duration delay = export ? faults.delay() : Duration.ZERO;
    int number = export ? inbox.arrived() : 0;
    Instant arrivedAt = Instant.now();
    long arrivedNanos = System.nanoTime();

    if ("100-continue".equalsIgnoreCase(headers.get("expect"))) {
      out.write(HttpExportHandler.bytes("HTTP/1.1 100 Continue\r\n\r\n"));
      out.flush();
    }
    if (answer.kind() == Faults.Kind.CLOSE_MID_REQUEST) {
      readPartOfBody(in, headers);
      pause(delay);
      inbox.faulted();
      inbox.attempt(number, signal, Transport.HTTP, arrivedAt, arrivedNanos, "closed mid-request", false);
      return false;
    }
    Body body;
    try {
      body = readBody(in, headers);
    } catch (BodyTooLarge e) {
      respond(out, new HttpExportHandler.Response(413, "text/plain", HttpExportHandler.bytes(e.getMessage() + "\n"),
          null, null, null, false), false);
      return false;
    }
    pause(delay);
    if (answer.kind() == Faults.Kind.NON_HTTP) {
      out.write(NON_HTTP_BYTES);
      out.flush();
      inbox.faulted();
      inbox.attempt(number, signal, Transport.HTTP, arrivedAt, arrivedNanos, "non-HTTP bytes", false);
      return false;
    }
    HttpExportHandler.Response response = handler.handle(method, path, headers, body, answer);
    if (export && response.attempt() != null) {
      inbox.attempt(number, signal, Transport.HTTP, arrivedAt, arrivedNanos,
          response.attempt() + (delay.isZero() ? "" : " after " + delay.toMillis() + " ms"), response.stored());
    }
    respond(out, response, keepAlive);
    return keepAlive;
  }

  private static void pause(Duration delay) throws InterruptedException {
    if (!delay.isZero()) {
      Thread.sleep(delay.toMillis()); // the injected slowness itself; stop() interrupts it
    }
  }

  private static void respond(OutputStream out, HttpExportHandler.Response response, boolean keepAlive)
      throws IOException {
    StringBuilder head = new StringBuilder(160)
        .append("HTTP/1.1 ").append(response.status()).append(' ').append(reason(response.status())).append("\r\n")
        .append("Content-Type: ").append(response.contentType()).append("\r\n")
        .append("Content-Length: ").append(response.body().length).append("\r\n");
    if (response.retryAfterSeconds() != null) {
      head.append("Retry-After: ").append(response.retryAfterSeconds()).append("\r\n");
    }
    if (response.allow() != null) {
      head.append("Allow: ").append(response.allow()).append("\r\n");
    }
    if (!keepAlive) {
      head.append("Connection: close\r\n");
    }
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(response.body());
    out.flush();
  }

  /** Lower-case names; a repeated header's values joined with a comma, as HTTP allows. Null when malformed. */
  private static Map<String, String> readHeaders(HttpInput in) throws IOException {
    Map<String, String> headers = new TreeMap<>();
    for (int i = 0; i <= MAX_HEADERS; i++) {
      String line = readLine(in);
      if (line == null) {
        throw new EOFException("connection closed inside the request head");
      }
      if (line.isEmpty()) {
        return headers;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        return null;
      }
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      headers.merge(name, value, (a, b) -> a + "," + b);
    }
    return null;
  }

  /** A request body: the first {@code length} bytes of {@code bytes} (the connection's reused array, or its own). */
  record Body(byte[] bytes, int length) {}

  private static Body readBody(HttpInput in, Map<String, String> headers) throws IOException {
    if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        int size = chunkSize(in);
        if (size == 0) {
          while (!readRequiredLine(in).isEmpty()) {
            // trailer fields: not used by OTLP
          }
          return new Body(body.toByteArray(), body.size());
        }
        if (body.size() + (long) size > MAX_BODY_BYTES) {
          throw new BodyTooLarge();
        }
        byte[] chunk = in.readNBytes(size);
        if (chunk.length < size) {
          throw new EOFException("connection closed inside a chunk");
        }
        body.write(chunk);
        if (!readRequiredLine(in).isEmpty()) {
          throw new IOException("chunk not followed by CRLF");
        }
      }
    }
    long length = contentLength(headers);
    if (length > MAX_BODY_BYTES) {
      throw new BodyTooLarge();
    }
    // up to 4 MiB, read straight into the connection's body array (a fresh array per export was zeroed first:
    // a tenth of a benchmark receiver's CPU with the copy). Larger announcements grow as the bytes come, so a
    // client announcing 64 MiB and sending nothing does not get 64 MiB allocated.
    byte[] body;
    int read;
    if (length > DIRECT_BODY_BYTES) {
      body = in.readNBytes((int) length);
      read = body.length;
    } else {
      body = in.bodyArray((int) length);
      read = in.readNBytes(body, 0, (int) length);
    }
    if (read < length) {
      throw new EOFException("body ended after " + read + " of " + length + " bytes");
    }
    return new Body(body, (int) length);
  }

  /** Reads about half of the body (at least one byte of a non-empty one), then leaves the rest unread. */
  private static void readPartOfBody(HttpInput in, Map<String, String> headers) throws IOException {
    long half;
    if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
      half = (chunkSize(in) + 1) / 2;
    } else {
      half = (contentLength(headers) + 1) / 2;
    }
    in.readNBytes((int) Math.min(half, MAX_BODY_BYTES));
  }

  private static long contentLength(Map<String, String> headers) throws IOException {
    String value = headers.get("content-length");
    if (value == null) {
      return 0;
    }
    try {
      long length = Long.parseLong(value.trim());
      if (length < 0) {
        throw new IOException("negative Content-Length " + value);
      }
      return length;
    } catch (NumberFormatException e) {
      throw new IOException("malformed Content-Length " + value);
    }
  }

  private static int chunkSize(HttpInput in) throws IOException {
    String line = readRequiredLine(in);
    int extension = line.indexOf(';');
    String hex = (extension < 0 ? line : line.substring(0, extension)).trim();
    try {
      int size = Integer.parseInt(hex, 16);
      if (size < 0 || size > MAX_BODY_BYTES) {
        throw new BodyTooLarge();
      }
      return size;
    } catch (NumberFormatException e) {
      throw new IOException("malformed chunk size " + hex);
    }
  }

  private static String readRequiredLine(HttpInput in) throws IOException {
    String line = readLine(in);
    if (line == null) {
      throw new EOFException("connection closed inside a chunked body");
    }
    return line;
  }

  /**
   * One CRLF- (or LF-) terminated line as ISO-8859-1; null at end of stream before any byte; {@code "\0"}
   * for what cannot be a line of HTTP.
   */
  private static String readLine(HttpInput in) throws IOException {
    byte[] line = new byte[128]; // not a ByteArrayOutputStream: its write(int) takes a lock, a byte at a time
    int size = 0;
    while (true) {
      int b;
      try {
        b = in.read();
      } catch (SocketException e) {
        if (size == 0) {
          return null; // reset between requests: the same as a close
        }
        throw e;
      }
      if (b < 0) {
        if (size == 0) {
          return null;
        }
        throw new EOFException("connection closed inside a line");
      }
      if (b == '\n') {
        int end = size > 0 && line[size - 1] == '\r' ? size - 1 : size;
        return new String(line, 0, end, StandardCharsets.ISO_8859_1);
      }
      if (size >= MAX_LINE_BYTES || (size == 0 && b < 0x20 && b != '\r')) {
        // too long, or a TLS handshake or another binary protocol on the plain port: no line is coming,
        // so answer at once rather than wait for a newline; "\0" is malformed wherever a line is parsed
        return "\0";
      }
      if (size == line.length) {
        line = Arrays.copyOf(line, 2 * line.length);
      }
      line[size++] = (byte) b;
    }
  }

  private static boolean printable(String line) {
    for (int i = 0; i < line.length(); i++) {
      if (line.charAt(i) < 0x20 || line.charAt(i) > 0x7E) {
        return false;
      }
    }
    return true;
  }

  private static String reason(int status) {
    switch (status) {
      case 200:
        return "OK";
      case 400:
        return "Bad Request";
      case 404:
        return "Not Found";
      case 405:
        return "Method Not Allowed";
      case 413:
        return "Payload Too Large";
      case 415:
        return "Unsupported Media Type";
      case 429:
        return "Too Many Requests";
      case 500:
        return "Internal Server Error";
      case 502:
        return "Bad Gateway";
      case 503:
        return "Service Unavailable";
      case 504:
        return "Gateway Timeout";
      default:
        return "Status " + status;
    }
  }

  private static byte[] nonHttp() {
    byte[] banner = HttpExportHandler.bytes("SSH-2.0-OpenSSH_9.6\r\n");
    byte[] noise = {0x00, 0x00, 0x01, (byte) 0xFC, 0x0A, 0x14, (byte) 0x8E, 0x3B, (byte) 0xFF, 0x00, 0x7F, 0x01};
    byte[] bytes = new byte[banner.length + noise.length];
    System.arraycopy(banner, 0, bytes, 0, banner.length);
    System.arraycopy(noise, 0, bytes, banner.length, noise.length);
    return bytes;
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // already closed
    }
  }

  /** A body beyond {@link #MAX_BODY_BYTES}: answered 413 and the connection closed. */
  private static final class BodyTooLarge extends IOException {
    BodyTooLarge() {
      super("request body larger than " + MAX_BODY_BYTES + " bytes");
    }
  }
}
