package io.weft.agent.export;

import java.nio.file.Path;

/**
 * One encoded OTLP export request waiting to be delivered: its bytes in memory or its file on disk,
 * the number of spans (or data points) it holds, and its place in the delivery order.
 */
final class Payload {

  final long sequence;
  final int items;
  final boolean gzip;
  /** The request's bytes: the first {@code size} of {@link #bytes} while in memory, the file's on disk. */
  final int size;
  /** null once on disk. */
  byte[] bytes;
  /** null while in memory. */
  Path file;

  /** {@code bytes}: the request is its first {@code size} (an encoder's buffer, handed over), or all of it. */
  Payload(long sequence, int items, boolean gzip, byte[] bytes, int size) {
    this.sequence = sequence;
    this.items = items;
    this.gzip = gzip;
    this.bytes = bytes;
    this.size = size;
  }

  /** What it holds in memory: its whole array, which may be larger than the request. */
  int footprint() {
    return bytes != null ? bytes.length : 0;
  }

  Payload(long sequence, int items, boolean gzip, int size, Path file) {
    this.sequence = sequence;
    this.items = items;
    this.gzip = gzip;
    this.size = size;
    this.file = file;
  }
}
