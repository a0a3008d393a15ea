package io.weft.receiver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HttpInputTest {

  /** Hands out at most {@code piece} bytes a read, as a socket does with what has arrived. */
  private static InputStream trickling(byte[] bytes, int piece) {
    return new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read(byte[] into, int offset, int length) {
        return super.read(into, offset, Math.min(length, piece));
      }
    };
  }

  private static byte[] pattern(int length, int seed) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (i * 31 + seed);
    }
    return bytes;
  }

  @Test
  void bytesThenABodyComeInOrderWhateverTheReadsHandOut() throws IOException {
    byte[] head = "POST /v1/traces HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1);
    byte[] body = pattern(100_000, 7);
    byte[] all = new byte[head.length + body.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    for (int piece : new int[] {1, 13, 8192, 1 << 20}) {
      HttpInput in = new HttpInput(trickling(all, piece));
      for (byte b : head) {
        assertEquals(b & 0xFF, in.read(), "head byte, reads of " + piece);
      }
      byte[] into = in.bodyArray(body.length);
      assertEquals(body.length, in.readNBytes(into, 0, body.length));
      assertArrayEquals(body, Arrays.copyOf(into, body.length), "body, reads of " + piece);
      assertEquals(-1, in.read());
    }
  }

  @Test
  void aStreamEndingEarlyGivesFewerBytes() throws IOException {
    byte[] bytes = pattern(5000, 3);
    HttpInput in = new HttpInput(trickling(bytes, 700));
    assertEquals(bytes[0] & 0xFF, in.read());
    byte[] into = new byte[10_000];
    assertEquals(4999, in.readNBytes(into, 0, into.length), "what there was, then the end");
    HttpInput again = new HttpInput(trickling(bytes, 700));
    byte[] grown = again.readNBytes(200_000);
    assertArrayEquals(bytes, grown, "an announced length longer than the stream: what came, in an array of its size");
    assertEquals(0, new HttpInput(trickling(bytes, 700)).readNBytes(0).length);
    HttpInput exact = new HttpInput(trickling(pattern(300_000, 1), 65_536));
    assertArrayEquals(pattern(300_000, 1), exact.readNBytes(300_000), "grown past its first 64 KiB");
  }

  @Test
  void theBodyArrayIsReusedWhenLongEnough() {
    HttpInput in = new HttpInput(new ByteArrayInputStream(new byte[0]));
    byte[] first = in.bodyArray(1000);
    assertEquals(1000, first.length);
    assertSame(first, in.bodyArray(500), "a shorter body reuses the array");
    assertSame(first, in.bodyArray(1000));
    byte[] second = in.bodyArray(1500);
    assertNotSame(first, second);
    assertEquals(2000, second.length, "grown to twice, so a slowly growing body does not reallocate each time");
  }
}
