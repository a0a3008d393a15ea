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

  private static final String ID = "3e9a1b8c2d4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";

  @Test
  void theContainerIdComesFromTheCgroupsOfEachRuntime() {
    // Docker, cgroup v1
    assertEquals(ID, ResourceFactory.containerIdFromCgroup("12:memory:/docker/" + ID + "\n11:cpu:/docker/" + ID + "\n"));
    // Docker under systemd, and Kubernetes with containerd and with CRI-O (v1, or v2 with a nested path)
    assertEquals(ID, ResourceFactory.containerIdFromCgroup("0::/system.slice/docker-" + ID + ".scope\n"));
    assertEquals(ID, ResourceFactory.containerIdFromCgroup(
        "1:name=systemd:/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b2c.slice/cri-containerd-" + ID + ".scope"));
    assertEquals(ID, ResourceFactory.containerIdFromCgroup("0::/kubepods/besteffort/pod5f3e/crio-" + ID + ".scope"));
    assertEquals(ID, ResourceFactory.containerIdFromCgroup("0::/machine.slice/libpod-" + ID + ".scope/container\n"));
    // not in a container: this build machine's kind of file (a 32-digit id is a process group, not a container), v2's root
    assertEquals(null, ResourceFactory.containerIdFromCgroup("4:memory:/process_api/b5b54bcc1f8488b259d83bd47f7e135b\n1:cpu:/\n0::/\n"));
    assertEquals(null, ResourceFactory.containerIdFromCgroup("0::/\n"));
    assertEquals(null, ResourceFactory.containerIdFromCgroup("0::/user.slice/user-1000.slice/session-2.scope\n"));
    assertEquals(null, ResourceFactory.containerIdFromCgroup(""));
    assertEquals(null, ResourceFactory.containerIdFromCgroup(null));
    // upper-case or 63 digits: not an id
    assertEquals(null, ResourceFactory.containerIdFromCgroup("1:cpu:/docker/" + ID.toUpperCase(java.util.Locale.ROOT)));
    assertEquals(null, ResourceFactory.containerIdFromCgroup("1:cpu:/docker/" + ID.substring(1)));
  }

  @Test
  void underCgroupV2TheContainerIdComesFromTheMountOfItsHostnameFile() {
    String docker = "1021 1017 0:55 / / rw,relatime - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/X:/var/lib/docker/overlay2/l/Y\n"
        + "1029 1021 8:1 /var/lib/docker/containers/" + ID + "/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/sda1 rw\n"
        + "1030 1021 8:1 /var/lib/docker/containers/" + ID + "/hostname /etc/hostname rw,relatime - ext4 /dev/sda1 rw\n";
    assertEquals(ID, ResourceFactory.containerIdFromMountinfo(docker));
    String podman = "996 988 0:44 /containers/storage/overlay-containers/" + ID
        + "/userdata/hostname /etc/hostname rw,nosuid,nodev,relatime - tmpfs tmpfs rw\n";
    assertEquals(ID, ResourceFactory.containerIdFromMountinfo(podman));
    assertEquals(null, ResourceFactory.containerIdFromMountinfo("22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"));
    assertEquals(null, ResourceFactory.containerIdFromMountinfo(
        "30 1 8:1 /var/lib/docker/containers/" + ID + "x/hostname /etc/hostname rw - ext4 /dev/sda1 rw\n"));
    assertEquals(null, ResourceFactory.containerIdFromMountinfo(null));
  }

  @Test
  void theProcessIsDescribedByItsLauncherAndThisMachineIsInNoContainer() {
    TelemetryResource resource = ResourceFactory.create(new WeftConfig(Map.of(), Map.of(), line -> {}), "1", "1");
    String launcher = resource.attributes().get(AttributeKey.stringKey("process.executable.path"));
    assertEquals(java.nio.file.Paths.get(System.getProperty("java.home"), "bin", "java").toString(), launcher);
    assertTrue(new java.io.File(launcher).canExecute(), launcher);
    // what this machine's kernel says, read by the test itself: the detection agrees with it
    String expected = null;
    try {
      String cgroup = java.nio.file.Files.readString(java.nio.file.Paths.get("/proc/self/cgroup"));
      String mountinfo = java.nio.file.Files.readString(java.nio.file.Paths.get("/proc/self/mountinfo"));
      expected = ResourceFactory.containerIdFromCgroup(cgroup);
      if (expected == null && cgroup.trim().equals("0::/")) { // a cgroup v2 namespace of its own: the hostname mount says
        expected = ResourceFactory.containerIdFromMountinfo(mountinfo);
      }
    } catch (java.io.IOException notLinux) {
      // no container id either way
    }
    assertEquals(expected, resource.attributes().get(AttributeKey.stringKey("container.id")));
  }

  @Test
  void theOpenTelemetryAgentsProviderNamesTurnDetectorsOffAndAnUnknownNameIsReported() {
    List<String> stderr = new ArrayList<>();
    WeftConfig config = new WeftConfig(Map.of(), Map.of("OTEL_JAVA_DISABLED_RESOURCE_PROVIDERS",
        "io.opentelemetry.instrumentation.resources.HostResourceProvider, OsResourceProvider,"
            + "io.opentelemetry.instrumentation.resources.ProcessResourceProvider,com.acme.Nope"), stderr::add);
    Attributes attributes = ResourceFactory.create(config, "1", "1").attributes();
    for (String gone : List.of("host.name", "host.arch", "os.type", "os.description", "process.executable.path")) {
      assertEquals(null, attributes.get(AttributeKey.stringKey(gone)), gone);
    }
    assertEquals(null, attributes.get(AttributeKey.longKey("process.pid")));
    // the others stay, and the instance id has no switch
    assertTrue(attributes.get(AttributeKey.stringKey("process.runtime.version")) != null, attributes.toString());
    UUID.fromString(attributes.get(AttributeKey.stringKey("service.instance.id")));
    assertEquals(1, stderr.size(), stderr.toString());
    assertTrue(stderr.get(0).contains("OTEL_JAVA_DISABLED_RESOURCE_PROVIDERS") && stderr.get(0).contains("com.acme.Nope")
        && stderr.get(0).contains("ContainerResourceProvider"), stderr.get(0));
  }

  /** As the SDK: with an enabled list only the providers it names run, and the disabled list still applies on top. */
  @Test
  void anEnabledListKeepsOnlyTheProvidersItNames() {
    List<String> stderr = new ArrayList<>();
    WeftConfig config = new WeftConfig(Map.of(), Map.of(
        "OTEL_JAVA_ENABLED_RESOURCE_PROVIDERS", "io.opentelemetry.instrumentation.resources.HostResourceProvider,OsResourceProvider,"
            + "io.opentelemetry.contrib.aws.resource.Ec2ResourceProvider",
        "OTEL_JAVA_DISABLED_RESOURCE_PROVIDERS", "OsResourceProvider",
        "OTEL_RESOURCE_ATTRIBUTES", "team=payments"), stderr::add);
    Attributes attributes = ResourceFactory.create(config, "1", "1").attributes();
    assertTrue(attributes.get(AttributeKey.stringKey("host.arch")) != null, attributes.toString());
    for (String gone : List.of("os.type", "process.executable.path", "process.runtime.version")) {
      assertEquals(null, attributes.get(AttributeKey.stringKey(gone)), gone);
    }
    assertEquals(null, attributes.get(AttributeKey.longKey("process.pid")));
    assertEquals("payments", attributes.get(AttributeKey.stringKey("team")), "the user's attributes are no provider's");
    UUID.fromString(attributes.get(AttributeKey.stringKey("service.instance.id")));
    assertEquals(1, stderr.size(), stderr.toString());
    assertTrue(stderr.get(0).startsWith("OTEL_JAVA_ENABLED_RESOURCE_PROVIDERS: io.opentelemetry.contrib.aws.resource.Ec2ResourceProvider"
        + " is not a resource provider Weft has"), stderr.get(0));
  }

  @Test
  void disabledKeysAreLeftOutDetectedOrSetButTheServicesIdentityStays() {
    List<String> stderr = new ArrayList<>();
    WeftConfig config = new WeftConfig(Map.of(), Map.of(
        "OTEL_EXPERIMENTAL_RESOURCE_DISABLED_KEYS", "host.name, process.pid,deployment.region,service.instance.id",
        "OTEL_RESOURCE_ATTRIBUTES", "deployment.region=eu-1,team=payments"), stderr::add);
    Attributes attributes = ResourceFactory.create(config, "1", "1").attributes();
    assertEquals(null, attributes.get(AttributeKey.stringKey("host.name")));
    assertEquals(null, attributes.get(AttributeKey.longKey("process.pid")));
    assertEquals(null, attributes.get(AttributeKey.stringKey("deployment.region")), "a key set by the user goes too");
    assertEquals("payments", attributes.get(AttributeKey.stringKey("team")));
    assertTrue(attributes.get(AttributeKey.stringKey("host.arch")) != null, "the rest stays");
    UUID.fromString(attributes.get(AttributeKey.stringKey("service.instance.id")));
    assertEquals(List.of("OTEL_EXPERIMENTAL_RESOURCE_DISABLED_KEYS: service.instance.id is kept: it tells this process's"
        + " telemetry from another's"), stderr);
  }
}
