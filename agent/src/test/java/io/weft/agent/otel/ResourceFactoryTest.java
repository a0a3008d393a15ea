package io.weft.agent.otel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.resources.Resource;
import io.weft.agent.config.WeftConfig;
import io.weft.instrumentation.trace.TelemetryResource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ResourceFactoryTest {

  @Test
  void userAttributesWinOverDetectedOnesAndTheServiceNameOverBoth() {
    List<String> stderr = new ArrayList<>();
    String tooLong = "k".repeat(256);
    WeftConfig config = new WeftConfig(Map.of(), Map.of(
        "OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attributes,deployment.environment.name=prod,os.type=custom,"
            + "caf\u00e9=1," + tooLong + "=2,host.name=h%2C1",
        "OTEL_SERVICE_NAME", "checkout"), stderr::add);

    TelemetryResource resource = ResourceFactory.create(config, "9.9.9", "1.67.0");

    Attributes attributes = resource.attributes();
    assertEquals("checkout", resource.get(AttributeKey.stringKey("service.name")));
    assertEquals("prod", attributes.get(AttributeKey.stringKey("deployment.environment.name")));
    assertEquals("custom", attributes.get(AttributeKey.stringKey("os.type")));
    assertEquals("h,1", attributes.get(AttributeKey.stringKey("host.name")));
    assertEquals(ResourceFactory.pid(), attributes.get(AttributeKey.longKey("process.pid")));
    assertEquals("weft", attributes.get(AttributeKey.stringKey("telemetry.distro.name")));
    assertEquals("9.9.9", attributes.get(AttributeKey.stringKey("telemetry.distro.version")));
    assertEquals("java", attributes.get(AttributeKey.stringKey("telemetry.sdk.language")));
    assertEquals("1.67.0", attributes.get(AttributeKey.stringKey("telemetry.sdk.version")));
    UUID.fromString(attributes.get(AttributeKey.stringKey("service.instance.id")));
    // keys the SDK's Resource refuses are dropped, each with a warning that does not echo it
    assertEquals(null, attributes.get(AttributeKey.stringKey("caf\u00e9")));
    assertEquals(null, attributes.get(AttributeKey.stringKey(tooLong)));
    assertEquals(2, stderr.size(), stderr.toString());
    assertTrue(stderr.get(0).contains("OTEL_RESOURCE_ATTRIBUTES") && stderr.get(0).contains("(4 characters)"), stderr.get(0));
    assertTrue(stderr.get(1).contains("(256 characters)") && !stderr.get(1).contains(tooLong), stderr.get(1));

    // the SDK's resource, made on demand, carries the same attributes and is made once
    Resource sdk = resource.sdk();
    assertEquals(attributes, sdk.getAttributes());
    assertEquals(null, sdk.getSchemaUrl());
    assertTrue(sdk == resource.sdk());
  }

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
