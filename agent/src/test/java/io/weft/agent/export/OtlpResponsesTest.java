package io.weft.agent.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class OtlpResponsesTest {

  @Test
  void readsTheRejectedCount() {
    // ExportTraceServiceResponse { partial_success (1) { rejected_spans (1) = 300, error_message (2) = "x" } }
    byte[] body = {0x0a, 0x06, 0x08, (byte) 0xac, 0x02, 0x12, 0x01, 'x'};
    assertEquals(300, OtlpResponses.rejected(body));
  }

  @Test
  void skipsUnknownFieldsBeforeIt() {
    // field 7 varint, field 9 bytes, then partial_success { error_message "y", rejected 5 }
    byte[] body = {0x38, 0x01, 0x4a, 0x02, 'a', 'b', 0x0a, 0x05, 0x12, 0x01, 'y', 0x08, 0x05};
    assertEquals(5, OtlpResponses.rejected(body));
  }

  @Test
  void nothingRejectedForEmptyAndGarbageBodies() {
    assertEquals(0, OtlpResponses.rejected(new byte[0]));
    assertEquals(0, OtlpResponses.rejected("<html>oops</html>".getBytes()));
    assertEquals(0, OtlpResponses.rejected(new byte[] {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}));
    Random random = new Random(42);
    for (int i = 0; i < 10_000; i++) {
      byte[] garbage = new byte[random.nextInt(40)];
      random.nextBytes(garbage);
      long rejected = OtlpResponses.rejected(garbage);
      assertEquals(true, rejected >= 0, "never negative, never throws");
    }
  }

  @Test
  void readsTheRetryDelayOfAGrpcStatus() {
    // Status { code 14, details [ Any { type_url ".../google.rpc.RetryInfo", value RetryInfo { retry_delay { seconds 2, nanos 500000000 } } } ] }
    byte[] duration = {0x08, 0x02, 0x10, (byte) 0x80, (byte) 0xca, (byte) 0xb5, (byte) 0xee, 0x01};
    byte[] retryInfo = concat(new byte[] {0x0a, (byte) duration.length}, duration);
    byte[] type = "type.googleapis.com/google.rpc.RetryInfo".getBytes();
    byte[] any = concat(concat(new byte[] {0x0a, (byte) type.length}, type), concat(new byte[] {0x12, (byte) retryInfo.length}, retryInfo));
    byte[] status = concat(new byte[] {0x08, 0x0e, 0x1a, (byte) any.length}, any);
    String trailer = java.util.Base64.getEncoder().withoutPadding().encodeToString(status);
    assertEquals(2500, OtlpResponses.grpcRetryDelayMillis(trailer));
    assertEquals(-1, OtlpResponses.grpcRetryDelayMillis(null));
    assertEquals(-1, OtlpResponses.grpcRetryDelayMillis("!!not base64!!"));
    byte[] other = "type.googleapis.com/google.rpc.DebugInfo".getBytes();
    byte[] otherAny = concat(new byte[] {0x0a, (byte) other.length}, other);
    assertEquals(-1, OtlpResponses.grpcRetryDelayMillis(
        java.util.Base64.getEncoder().encodeToString(concat(new byte[] {0x08, 0x0e, 0x1a, (byte) otherAny.length}, otherAny))));
    Random random = new Random(7);
    for (int i = 0; i < 10_000; i++) {
      byte[] garbage = new byte[random.nextInt(60)];
      random.nextBytes(garbage);
      assertTrue(OtlpResponses.grpcRetryDelayMillis(java.util.Base64.getEncoder().encodeToString(garbage)) >= -1);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
