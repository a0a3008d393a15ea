package io.weft.receiver;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/** One raw TCP connection to the receiver, for what an HTTP client library hides: framing, reuse, broken answers. */
final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawHttp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** The head of a protobuf POST to {@code path} announcing {@code length} body bytes. */
  static byte[] head(String path, int length) {
    return ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\n"
        + "Content-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  void send(byte[]... parts) throws IOException {
    for (byte[] part : parts) {
      out.write(part);
    }
    out.flush();
  }

  /** Half-closes the connection: the receiver reads the end of the stream after what was sent. */
  void endOutput() throws IOException {
    socket.shutdownOutput();
  }

  /** One response with a Content-Length body: status line, headers, body, as text (ISO-8859-1). */
  String readResponse() throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after " + head.length() + " bytes of the response head: " + head);
      }
      head.append((char) b);
    }
    int at = head.indexOf("Content-Length: ") + "Content-Length: ".length();
    int length = Integer.parseInt(head.substring(at, head.indexOf("\r\n", at)));
    byte[] body = in.readNBytes(length);
    return head + new String(body, StandardCharsets.ISO_8859_1);
  }

  /** Everything until the receiver closes the connection; a reset counts as the end. */
  byte[] readToEnd() throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        all.write(buffer, 0, n);
      }
    } catch (SocketException reset) {
      // the receiver closed with unread request bytes left: the kernel resets instead of a clean close
    }
    return all.toByteArray();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
