package io.weft.receiver;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * One connection's request bytes, buffered without locks: the request head is read a byte at a time from
 * the buffer, a body is copied from what is buffered and then read straight into its array. Replaces a
 * {@link java.io.BufferedInputStream}, whose every {@code read()} takes a lock (a benchmark's receiver spent a
 * tenth of its CPU reading request heads through it) and whose bulk reads ask the socket how much is
 * waiting before each further read. Also keeps the connection's body array, reused by the next request.
 */
final class HttpInput {
  private final InputStream in;
  private final byte[] buffer = new byte[16 * 1024];
  private int position;
  private int limit;
  private byte[] body = new byte[0];

  HttpInput(InputStream in) {
    this.in = in;
  }

  /** The next byte, or -1 at the end of the stream. */
  int read() throws IOException {
    if (position == limit && !fill()) {
      return -1;
    }
    return buffer[position++] & 0xFF;
  }

  private boolean fill() throws IOException {
    int n = in.read(buffer, 0, buffer.length);
    if (n <= 0) {
      return false;
    }
    position = 0;
    limit = n;
    return true;
  }

  /** Up to {@code length} bytes into {@code into} from {@code offset}; fewer only at the end of the stream. */
  int readNBytes(byte[] into, int offset, int length) throws IOException {
    int buffered = Math.min(length, limit - position);
    System.arraycopy(buffer, position, into, offset, buffered);
    position += buffered;
    int done = buffered;
    while (done < length) {
      int n = in.read(into, offset + done, length - done);
      if (n < 0) {
        break;
      }
      done += n;
    }
    return done;
  }

  /** Up to {@code length} bytes in an array grown as they come; fewer only at the end of the stream. */
  byte[] readNBytes(int length) throws IOException {
    byte[] into = new byte[Math.min(length, 64 * 1024)];
    int done = 0;
    while (done < length) {
      if (done == into.length) {
        into = Arrays.copyOf(into, (int) Math.min(length, 2L * into.length));
      }
      done += readNBytes(into, done, into.length - done);
      if (done < into.length) {
        break; // the stream ended
      }
    }
    return done == into.length ? into : Arrays.copyOf(into, done);
  }

  /**
   * This connection's body array, at least {@code length} bytes long (at most the server's direct-read size
   * is asked for): the previous request's when it is long enough (its bytes are overwritten; nothing keeps a
   * body past its request).
   */
  byte[] bodyArray(int length) {
    if (body.length < length) {
      body = new byte[Math.max(length, Math.min(2 * body.length, HttpExportServer.DIRECT_BODY_BYTES))];
    }
    return body;
  }
}
