package io.weft.agent.export;

import java.util.ArrayDeque;

/**
 * Byte arrays that held export requests and were delivered, kept for the next requests to be encoded into. A
 * span encoder hands its own buffer to the export buffer as the request (rather than a copy of the bytes it
 * wrote) and takes one from here in its place; the export buffer gives it back once the request has left
 * ({@link ExportBuffer#recycleTo}). A batch thread exporting at its limit otherwise copied every request into a
 * fresh array: 12 % of its CPU in a profile, and as much again in page faults on the fresh memory. A few arrays,
 * none very large, so that one huge batch pins nothing. Thread-safe; used once per request.
 */
final class RequestBuffers {
  static final int KEPT = 4;
  /** An array larger than this is left to the collector when it comes back. */
  static final int LARGEST_KEPT = 2 << 20;

  private final ArrayDeque<byte[]> free = new ArrayDeque<>(KEPT);

  /** A kept array, or null when there is none (the encoder then makes one). */
  synchronized byte[] take() {
    return free.pollLast();
  }

  /** An array whose request has left: kept if there is room, else dropped. */
  synchronized void give(byte[] array) {
    if (free.size() < KEPT && array.length <= LARGEST_KEPT) {
      free.addLast(array);
    }
  }

  synchronized int size() {
    return free.size();
  }
}
