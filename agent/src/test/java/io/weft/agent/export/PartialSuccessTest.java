package io.weft.agent.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PartialSuccessTest {

  @Test
  void readsTheRejectedCount() {
    // ExportTraceServiceResponse { partial_success (1) { rejected_spans (1) = 300, error_message (2) = "x" } }
    byte[] body = {0x0a, 0x06, 0x08, (byte) 0xac, 0x02, 0x12, 0x01, 'x'};
    assertEquals(300, PartialSuccess.rejected(body));
  }

  @Test
  void skipsUnknownFieldsBeforeIt() {
    // field 7 varint, field 9 bytes, then partial_success { error_message "y", rejected 5 }
    byte[] body = {0x38, 0x01, 0x4a, 0x02, 'a', 'b', 0x0a, 0x05, 0x12, 0x01, 'y', 0x08, 0x05};
    assertEquals(5, PartialSuccess.rejected(body));
  }

  @Test
  void nothingRejectedForEmptyAndGarbageBodies() {
    assertEquals(0, PartialSuccess.rejected(new byte[0]));
    assertEquals(0, PartialSuccess.rejected("<html>oops</html>".getBytes()));
    assertEquals(0, PartialSuccess.rejected(new byte[] {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}));
    Random random = new Random(42);
    for (int i = 0; i < 10_000; i++) {
      byte[] garbage = new byte[random.nextInt(40)];
      random.nextBytes(garbage);
      long rejected = PartialSuccess.rejected(garbage);
      assertEquals(true, rejected >= 0, "never negative, never throws");
    }
  }
}
