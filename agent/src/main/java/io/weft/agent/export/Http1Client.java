package io.weft.agent.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * OTLP http/protobuf to a plain {@code http://} endpoint over one kept-alive socket: a POST with a
 * length-delimited body, and an answer read strictly (status line, at most {@value #MAX_HEADERS} headers of
 * at most {@value #MAX_LINE} bytes, a body by length, in chunks or to the end, at most
 * {@value #MAX_BODY} bytes). This is all the OTLP/HTTP exchange needs; the general HTTP client (OkHttp,
 * with Kotlin, several hundred classes) is loaded only for TLS, gRPC or a configured proxy, so a JVM that
 * exports in plain HTTP never pays for it. Used by one thread; {@link #cancel()} may come from another.
 */
final class Http1Client {

  static final int MAX_LINE = 8192;
  static final int MAX_HEADERS = 100;
  static final int MAX_BODY = 4 << 20;

  /** One answer: status, headers (names in lower case) and body. */
  static final class Response {
    final int code;
    final String message;
    final Map<String, String> headers;
    final byte[] body;

    Response(int code, String message, Map<String, String> headers, byte[] body) {
      this.code = code;
      this.message = message;
      this.headers = headers;
      this.body = body;
    }
  }

  private final String host;
  private final int port;
  private final byte[] head;
  private final int timeoutMillis;
  private Socket socket;
  private InputStream in;
  /** The answer's bytes read from the socket and not yet parsed: {@code buffered[position..limit)}. */
  private final byte[] buffered = new byte[8192];
  private int position;
  private int limit;
  private OutputStream out;
  private volatile Socket current;
  private volatile boolean cancelled;

  Http1Client(URI url, Map<String, String> headers, long timeoutMillis) {
    String name = url.getHost(); // an IPv6 literal comes in brackets, as the Host header wants it
    this.host = name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
    this.port = url.getPort() < 0 ? 80 : url.getPort();
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    if (url.getRawQuery() != null) {
      path += "?" + url.getRawQuery();
    }
    StringBuilder text = new StringBuilder(256)
        .append("POST ").append(path).append(" HTTP/1.1\r\n")
        .append("Host: ").append(name)
        .append(url.getPort() < 0 ? "" : ":" + port).append("\r\n")
        .append("User-Agent: weft\r\n")
        .append("Content-Type: application/x-protobuf\r\n");
    for (Map.Entry<String, String> header : headers.entrySet()) {
      checkHeader(header.getKey(), header.getValue());
      text.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
    }
    this.head = text.toString().getBytes(StandardCharsets.ISO_8859_1);
    this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeoutMillis));
  }

  /** Header names and values that would break the request apart are refused, never sent. */
  private static void checkHeader(String name, String value) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("an empty header name");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= ' ' || c >= 127 || c == ':') {
        throw new IllegalArgumentException("header " + name.replaceAll("[^!-~]", "?") + " has a character not allowed in a name");
      }
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < ' ' && c != '\t') || c == 127 || c > 255) {
        throw new IllegalArgumentException("the value of header " + name + " has a control or non-Latin-1 character");
      }
    }
  }

  /**
   * Sends one request and reads its answer within the timeout. A kept-alive connection the collector has
   * closed in the meantime fails before any answer arrives: that is retried once on a new connection. The
   * request is the first {@code length} bytes of {@code body}.
   */
  Response post(byte[] body, int length, boolean gzip) throws IOException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    boolean reused = socket != null;
    try {
      try {
        return exchange(body, length, gzip, deadline);
      } catch (StaleConnection stale) {
        close();
        if (!reused || cancelled) {
          throw stale.cause;
        }
        return exchange(body, length, gzip, deadline); // once more, on a new connection
      }
    } catch (StaleConnection stale) {
      close();
      throw stale.cause;
    } catch (IOException | RuntimeException failure) {
      close();
      throw failure;
    }
  }

  private Response exchange(byte[] body, int bodyLength, boolean gzip, long deadline) throws IOException {
    if (cancelled) {
      throw new SocketTimeoutException("cancelled");
    }
    if (socket == null) {
      connect(deadline);
    }
    try {
      ByteArrayOutputStream request = new ByteArrayOutputStream(head.length + 64);
      request.write(head);
      request.write(("Content-Length: " + bodyLength + "\r\n" + (gzip ? "Content-Encoding: gzip\r\n" : "") + "\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.write(request.toByteArray());
      out.write(body, 0, bodyLength);
      out.flush();
    } catch (IOException failure) {
      throw new StaleConnection(failure);
    }
    Response response;
    boolean keepAlive;
    while (true) {
      String status = readLine(deadline, true);
      if (!status.startsWith("HTTP/1.") || status.length() < 12 || status.charAt(8) != ' ') {
        throw new ProtocolException("not an HTTP answer: " + printable(status));
      }
      int code = parseCode(status.substring(9, 12));
      String message = status.length() > 13 ? status.substring(13) : "";
      Map<String, String> headers = readHeaders(deadline);
      if (code >= 100 && code < 200) {
        continue; // 100 Continue and the like: the real answer follows
      }
      keepAlive = status.startsWith("HTTP/1.1") && !"close".equalsIgnoreCase(headers.get("connection"));
      byte[] content;
      String length = headers.get("content-length");
      if (code == 204 || code == 304) {
        content = new byte[0];
      } else if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", "").trim())) {
        content = readChunked(deadline);
      } else if (length != null) {
        content = readFully(parseLength(length), deadline);
      } else {
        content = readToEnd(deadline);
        keepAlive = false;
      }
      response = new Response(code, message, headers, content);
      break;
    }
    if (!keepAlive) {
      close();
    }
    return response;
  }

  /**
   * Connects now, within the timeout, when no connection is open; the next {@link #post} uses it. A
   * connection the collector closes meanwhile is retried once by {@code post}, as any kept-alive one.
   */
  void connectAhead() throws IOException {
    if (socket == null) {
      try {
        connect(System.nanoTime() + timeoutMillis * 1_000_000L);
      } catch (IOException | RuntimeException failure) {
        close();
        throw failure;
      }
    }
  }

  private void connect(long deadline) throws IOException {
    Socket fresh = new Socket();
    current = fresh;
    if (cancelled) {
      fresh.close();
      throw new SocketTimeoutException("cancelled");
    }
    try {
      fresh.setTcpNoDelay(true); // the request goes out in two writes: no waiting for the delayed ACK
      fresh.connect(new InetSocketAddress(host, port), remainingMillis(deadline));
      socket = fresh;
      in = fresh.getInputStream();
      position = 0;
      limit = 0;
      out = fresh.getOutputStream();
    } catch (IOException failure) {
      fresh.close();
      throw failure;
    }
  }

  /** Closes the connection in use, from any thread: the exchange in progress fails at once. */
  void cancel() {
    cancelled = true;
    Socket socket = current;
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closed is closed
      }
    }
  }

  void close() {
    Socket open = socket;
    socket = null;
    in = null;
    out = null;
    position = 0;
    limit = 0;
    if (open != null) {
      try {
        open.close();
      } catch (IOException ignored) {
        // nothing to release
      }
    }
  }

  /** The next byte of the answer, or -1 at its end. */
  private int read(long deadline) throws IOException {
    if (position == limit && !fill(deadline)) {
      return -1;
    }
    return buffered[position++] & 0xff;
  }

  /** Up to {@code length} bytes of the answer into {@code into}; -1 at its end. */
  private int read(byte[] into, int offset, int length, long deadline) throws IOException {
    if (position == limit) {
      if (length >= buffered.length) { // a large body goes straight into its array
        socket.setSoTimeout(remainingMillis(deadline));
        return in.read(into, offset, length);
      }
      if (!fill(deadline)) {
        return -1;
      }
    }
    int n = Math.min(length, limit - position);
    System.arraycopy(buffered, position, into, offset, n);
    position += n;
    return n;
  }

  /**
   * One read from the socket into the buffer, waiting at most until the deadline: the socket's timeout is set
   * here, once per read from the socket, not for every byte parsed (each setting takes the socket's lock).
   */
  private boolean fill(long deadline) throws IOException {
    socket.setSoTimeout(remainingMillis(deadline));
    int n = in.read(buffered, 0, buffered.length);
    if (n <= 0) {
      return false;
    }
    position = 0;
    limit = n;
    return true;
  }

  private static int remainingMillis(long deadline) throws SocketTimeoutException {
    long left = (deadline - System.nanoTime()) / 1_000_000L;
    if (left <= 0) {
      throw new SocketTimeoutException("no answer in time");
    }
    return (int) Math.min(Integer.MAX_VALUE, left);
  }

  private String readLine(long deadline, boolean first) throws IOException {
    StringBuilder line = new StringBuilder(64);
    while (true) {
      int b;
      try {
        b = read(deadline);
      } catch (SocketTimeoutException slow) {
        throw slow; // the collector is slow, not gone
      } catch (IOException failure) {
        if (first && line.length() == 0) {
          throw new StaleConnection(failure);
        }
        throw failure;
      }
      if (b < 0) {
        if (first && line.length() == 0) {
          throw new StaleConnection(new ProtocolException("the collector closed the connection without an answer"));
        }
        throw new ProtocolException("the answer ended in the middle of a line");
      }
      first = false;
      if (b == '\n') {
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
      }
      if (line.length() >= MAX_LINE) {
        throw new ProtocolException("a line of the answer is longer than " + MAX_LINE + " bytes");
      }
      line.append((char) b);
    }
  }

  private Map<String, String> readHeaders(long deadline) throws IOException {
    Map<String, String> headers = new HashMap<>();
    for (int count = 0; ; count++) {
      String line = readLine(deadline, false);
      if (line.isEmpty()) {
        return headers;
      }
      if (count >= MAX_HEADERS) {
        throw new ProtocolException("the answer has more than " + MAX_HEADERS + " headers");
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new ProtocolException("a header line without a name: " + printable(line));
      }
      headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
    }
  }

  private byte[] readFully(int length, long deadline) throws IOException {
    byte[] content = new byte[length];
    int done = 0;
    while (done < length) {
      int n = read(content, done, length - done, deadline);
      if (n < 0) {
        throw new ProtocolException("the answer ended after " + done + " of " + length + " bytes");
      }
      done += n;
    }
    return content;
  }

  private byte[] readChunked(long deadline) throws IOException {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = readLine(deadline, false);
      int semicolon = sizeLine.indexOf(';');
      int size;
      try {
        size = Integer.parseInt((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
      } catch (NumberFormatException garbage) {
        throw new ProtocolException("a chunk size that is not a number: " + printable(sizeLine));
      }
      if (size < 0 || content.size() + (long) size > MAX_BODY) {
        throw new ProtocolException("the answer is larger than " + MAX_BODY + " bytes");
      }
      if (size == 0) {
        while (!readLine(deadline, false).isEmpty()) {
          // trailers: nothing OTLP/HTTP needs
        }
        return content.toByteArray();
      }
      content.write(readFully(size, deadline));
      if (!readLine(deadline, false).isEmpty()) {
        throw new ProtocolException("a chunk not followed by its line end");
      }
    }
  }

  private byte[] readToEnd(long deadline) throws IOException {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    byte[] chunk = new byte[4096];
    while (true) {
      int n = read(chunk, 0, chunk.length, deadline);
      if (n < 0) {
        return content.toByteArray();
      }
      if (content.size() + n > MAX_BODY) {
        throw new ProtocolException("the answer is larger than " + MAX_BODY + " bytes");
      }
      content.write(chunk, 0, n);
    }
  }

  private static int parseCode(String digits) throws ProtocolException {
    try {
      int code = Integer.parseInt(digits);
      if (code >= 100 && code <= 999) {
        return code;
      }
    } catch (NumberFormatException garbage) {
      // below
    }
    throw new ProtocolException("not an HTTP status: " + printable(digits));
  }

  private static int parseLength(String value) throws ProtocolException {
    try {
      long length = Long.parseLong(value.trim());
      if (length >= 0 && length <= MAX_BODY) {
        return (int) length;
      }
    } catch (NumberFormatException garbage) {
      // below
    }
    throw new ProtocolException("a Content-Length that is not a size up to " + MAX_BODY + ": " + printable(value));
  }

  private static String printable(String text) {
    String shown = text.length() > 60 ? text.substring(0, 60) + "…" : text;
    return shown.replaceAll("[^ -~]", "?");
  }

  /** A failure before any byte of the answer: on a kept-alive connection, the collector closed it while idle. */
  private static final class StaleConnection extends IOException {
    final IOException cause;

    StaleConnection(IOException cause) {
      super(cause.getMessage(), cause);
      this.cause = cause;
    }
  }
}
