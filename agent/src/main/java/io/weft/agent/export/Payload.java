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
  final int size;
  /** null once on disk. */
  byte[] bytes;
  /** null while in memory. */
  Path file;

  Payload(long sequence, int items, boolean gzip, byte[] bytes) {
    this.sequence = sequence;
    this.items = items;
    this.gzip = gzip;
    this.bytes = bytes;
    this.size = bytes.length;
  }

  Payload(long sequence, int items, boolean gzip, int size, Path file) {
    this.sequence = sequence;
    this.items = items;
    this.gzip = gzip;
    this.size = size;
    this.file = file;
  }
}
