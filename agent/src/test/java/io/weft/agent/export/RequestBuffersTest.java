package io.weft.agent.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class RequestBuffersTest {

  @Test
  void keepsAFewArraysNoneHugeAndGivesTheLastKeptFirst() {
    RequestBuffers buffers = new RequestBuffers();
    assertNull(buffers.take(), "nothing kept yet: the encoder makes its own");
    byte[][] given = new byte[RequestBuffers.KEPT + 1][];
    for (int i = 0; i < given.length; i++) {
      given[i] = new byte[16];
      buffers.give(given[i]);
    }
    assertEquals(RequestBuffers.KEPT, buffers.size(), "the one beyond the few is left to the collector");
    buffers.take();
    buffers.give(new byte[RequestBuffers.LARGEST_KEPT + 1]);
    assertEquals(RequestBuffers.KEPT - 1, buffers.size(), "an array past the largest kept is not kept");
    byte[] last = new byte[8];
    buffers.give(last);
    assertSame(last, buffers.take(), "the array given last, still warm in a cache");
  }
}
