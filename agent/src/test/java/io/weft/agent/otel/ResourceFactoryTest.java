package io.weft.agent.otel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ResourceFactoryTest {

  @Test
  void instanceIdsAreVersion4UuidsAndDoNotRepeat() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = ResourceFactory.randomInstanceId();
      UUID uuid = UUID.fromString(id);
      assertEquals(4, uuid.version(), id);
      assertEquals(2, uuid.variant(), id);
      assertEquals(id, uuid.toString());
      assertTrue(seen.add(id), "repeated " + id);
    }
  }

  @Test
  void theVersionAndVariantBitsAreSetWhateverTheRandomBytes() {
    byte[] ones = new byte[16];
    java.util.Arrays.fill(ones, (byte) 0xff);
    assertEquals("ffffffff-ffff-4fff-bfff-ffffffffffff", ResourceFactory.uuidV4(ones));
    assertEquals("00000000-0000-4000-8000-000000000000", ResourceFactory.uuidV4(new byte[16]));
  }

  @Test
  void thePidIsThisProcesssAsTheJdkSeesIt() {
    assertEquals(ProcessHandle.current().pid(), ResourceFactory.pid());
  }
}
