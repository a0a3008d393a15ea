package io.weft.agent.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.weft.agent.config.WeftConfig;
import io.weft.instrumentation.InstrumentationConfig;
import io.weft.instrumentation.trace.TelemetryResource;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Builds the resource every span and metric carries: service name, a random {@code service.instance.id} per
 * process (UUID v4 from the kernel's random source, else the JDK's secure random, so JVMs started together never
 * share one), process, runtime, host and OS facts, and the SDK and distribution names. User attributes from
 * {@code OTEL_RESOURCE_ATTRIBUTES} win over detected ones; {@code OTEL_SERVICE_NAME} wins over both. A
 * {@link TelemetryResource}, not the SDK's {@code Resource}, whose set-up took 24-38 ms of the start-up thread.
 * Agent class loader.
 */
public final class ResourceFactory {

  static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  static final AttributeKey<String> SERVICE_INSTANCE_ID = AttributeKey.stringKey("service.instance.id");

  private static final int MAX_KEY_LENGTH = 255;

  // the OpenTelemetry agent's resource providers (io.opentelemetry.instrumentation.resources.*) Weft has
  static final String PROCESS = "ProcessResourceProvider";
  static final String PROCESS_RUNTIME = "ProcessRuntimeResourceProvider";
  static final String HOST = "HostResourceProvider";
  static final String CONTAINER = "ContainerResourceProvider";
  static final String OS = "OsResourceProvider";
  private static final List<String> PROVIDERS = Arrays.asList(CONTAINER, HOST, OS, PROCESS, PROCESS_RUNTIME);

  private ResourceFactory() {}

  public static TelemetryResource create(WeftConfig config, String weftVersion, String sdkVersion) {
    Set<String> disabled = disabledProviders(config);
    AttributesBuilder attributes = Attributes.builder();
    attributes.put(SERVICE_NAME, "unknown_service:java");
    attributes.put(SERVICE_INSTANCE_ID, randomInstanceId());
    if (!disabled.contains(PROCESS)) {
      attributes.put("process.pid", pid());
      attributes.put("process.executable.path", executablePath());
    }
    if (!disabled.contains(PROCESS_RUNTIME)) {
      attributes.put("process.runtime.name", System.getProperty("java.runtime.name", "unknown"));
      attributes.put("process.runtime.version", System.getProperty("java.runtime.version", "unknown"));
      attributes.put("process.runtime.description",
          System.getProperty("java.vm.vendor", "") + " " + System.getProperty("java.vm.name", "") + " " + System.getProperty("java.vm.version", ""));
    }
    if (!disabled.contains(HOST)) {
      String host = hostName();
      if (host != null) {
        attributes.put("host.name", host);
      }
      attributes.put("host.arch", hostArch(System.getProperty("os.arch", "")));
    }
    if (!disabled.contains(CONTAINER)) {
      String container = containerId();
      if (container != null) {
        attributes.put("container.id", container);
      }
    }
    if (!disabled.contains(OS)) {
      attributes.put("os.type", osType(System.getProperty("os.name", "")));
      attributes.put("os.description", System.getProperty("os.name", "") + " " + System.getProperty("os.version", ""));
    }
    attributes.put("telemetry.sdk.name", "opentelemetry");
    attributes.put("telemetry.sdk.language", "java");
    attributes.put("telemetry.sdk.version", sdkVersion);
    attributes.put("telemetry.distro.name", "weft");
    attributes.put("telemetry.distro.version", weftVersion);

    // the user's attributes win: in one builder, the last value of a key is kept
    for (Map.Entry<String, String> attribute : config.getMap("otel.resource.attributes").entrySet()) {
      if (validKey(attribute.getKey())) {
        attributes.put(attribute.getKey(), attribute.getValue());
      } else {
        // the key is not echoed whole: it may be a credential pasted into the wrong place
        config.warn(config.nameAsSet("otel.resource.attributes") + ": ignoring an attribute whose name is not 1 to "
            + MAX_KEY_LENGTH + " printable ASCII characters (" + attribute.getKey().length() + " characters)");
      }
    }
    String serviceName = config.getString("otel.service.name");
    if (serviceName != null) {
      attributes.put(SERVICE_NAME, serviceName);
    }
    return new TelemetryResource(withoutDisabledKeys(attributes.build(), config));
  }

  /**
   * {@code OTEL_EXPERIMENTAL_RESOURCE_DISABLED_KEYS}, the SDK's: the keys listed are left out of the Resource, detected
   * or set, say {@code host.name} where a host's name is not to leave the network. {@code service.name} and {@code
   * service.instance.id} stay, with one line saying so: without them the telemetry of one process cannot be told
   * from another's.
   */
  static Attributes withoutDisabledKeys(Attributes attributes, WeftConfig config) {
    List<String> disabled = config.getList("otel.experimental.resource.disabled-keys");
    if (disabled.isEmpty()) {
      return attributes;
    }
    AttributesBuilder kept = Attributes.builder();
    for (Map.Entry<AttributeKey<?>, Object> attribute : attributes.asMap().entrySet()) {
      String key = attribute.getKey().getKey();
      if (!disabled.contains(key) || key.equals(SERVICE_NAME.getKey()) || key.equals(SERVICE_INSTANCE_ID.getKey())) {
        @SuppressWarnings("unchecked")
        AttributeKey<Object> typed = (AttributeKey<Object>) attribute.getKey();
        kept.put(typed, attribute.getValue());
      }
    }
    for (String key : disabled) {
      if (key.equals(SERVICE_NAME.getKey()) || key.equals(SERVICE_INSTANCE_ID.getKey())) {
        config.warn(config.nameAsSet("otel.experimental.resource.disabled-keys") + ": " + key
            + " is kept: it tells this process's telemetry from another's");
      }
    }
    return kept.build();
  }

  /**
   * The detectors turned off: those {@code OTEL_JAVA_DISABLED_RESOURCE_PROVIDERS} lists, and when {@code
   * OTEL_JAVA_ENABLED_RESOURCE_PROVIDERS} is set, every one it does not list, as the SDK reads the two. Both name
   * the OpenTelemetry agent's resource providers (the class name, with or without its package), so a setting made
   * for that agent means the same here. An unknown name is reported once. {@code service.instance.id} has no
   * switch: it is what tells this process's telemetry from another's.
   */
  static Set<String> disabledProviders(WeftConfig config) {
    Set<String> disabled = new HashSet<>();
    List<String> enabled = providers(config, "otel.java.enabled.resource.providers");
    if (!config.getList("otel.java.enabled.resource.providers").isEmpty()) {
      for (String provider : PROVIDERS) {
        if (!enabled.contains(provider)) {
          disabled.add(provider);
        }
      }
    }
    disabled.addAll(providers(config, "otel.java.disabled.resource.providers"));
    return disabled;
  }

  /** The providers Weft has among those {@code key} lists, by simple name; the others reported. */
  private static List<String> providers(WeftConfig config, String key) {
    List<String> known = new java.util.ArrayList<>();
    for (String name : config.getList(key)) {
      String simple = name.substring(name.lastIndexOf('.') + 1);
      if (PROVIDERS.contains(simple)) {
        known.add(simple);
      } else {
        config.warn(config.nameAsSet(key) + ": " + InstrumentationConfig.printable(name)
            + " is not a resource provider Weft has; known: " + String.join(", ", PROVIDERS));
      }
    }
    return known;
  }

  /** What the SDK's {@code Resource} accepts as a key, so that {@link TelemetryResource#sdk()} cannot fail. */
  static boolean validKey(String key) {
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < ' ' || c > '~') {
        return false;
      }
    }
    return true;
  }

  /** From the kernel where possible: a DNS look-up at start-up can take seconds. */
  private static String hostName() {
    // java.io, not java.nio.file: the first Path in a JVM sets up the NIO file system (several ms at start)
    try (FileInputStream kernel = new FileInputStream("/proc/sys/kernel/hostname")) {
      String name = new String(kernel.readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!name.isEmpty()) {
        return name;
      }
    } catch (IOException | RuntimeException ignored) {
      // not Linux: fall back below
    }
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isEmpty()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * This process's id: on Linux the target of the {@code /proc/self} link (resolved by {@code java.io}, so
   * the NIO file system is not set up for it), elsewhere from {@code ProcessHandle}, whose set-up (the
   * process reaper) costs 20 ms and more at start.
   */
  static long pid() {
    try {
      return Long.parseLong(new File("/proc/self").getCanonicalFile().getName());
    } catch (IOException | RuntimeException notLinux) {
      return ProcessHandle.current().pid();
    }
  }

  /** The java launcher of this JVM, as the OpenTelemetry agent reports it. */
  static String executablePath() {
    String home = System.getProperty("java.home", "");
    boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    return home + File.separator + "bin" + File.separator + (windows ? "java.exe" : "java");
  }

  /**
   * The id of the container this process runs in (Docker, containerd, CRI-O, Podman), from the kernel's view of
   * its cgroups, or under cgroup v2, where that says nothing, from the mount of its hostname file; null outside
   * a container or off Linux. Two small reads through {@code java.io}.
   */
  static String containerId() {
    String cgroup = readSmall("/proc/self/cgroup");
    String id = containerIdFromCgroup(cgroup);
    // only a process in a cgroup v2 namespace of its own sees nothing but the root there ("0::/")
    return id != null || cgroup == null || !cgroup.trim().equals("0::/") ? id : containerIdFromMountinfo(readSmall("/proc/self/mountinfo"));
  }

  /**
   * From {@code /proc/self/cgroup} (cgroup v1, or v2 with a nested path): the segment of a line's path that,
   * without a {@code .scope} suffix and a runtime prefix ({@code docker-}, {@code cri-containerd-},
   * {@code crio-}, {@code libpod-}), is a 64-digit hex id.
   */
  static String containerIdFromCgroup(String cgroup) {
    if (cgroup == null) {
      return null;
    }
    for (String line : cgroup.split("\n")) {
      int colon = line.indexOf(':', line.indexOf(':') + 1);
      for (String segment : line.substring(colon + 1).trim().split("/")) {
        if (segment.endsWith(".scope")) {
          segment = segment.substring(0, segment.length() - ".scope".length());
        }
        segment = segment.substring(segment.lastIndexOf('-') + 1);
        if (isContainerId(segment)) {
          return segment;
        }
      }
    }
    return null;
  }

  /**
   * From {@code /proc/self/mountinfo} (cgroup v2): the 64-digit hex segment after {@code containers/} in the mount
   * of the container's hostname file ({@code /var/lib/docker/containers/<id>/hostname}, Podman's
   * {@code .../overlay-containers/<id>/userdata/hostname}).
   */
  static String containerIdFromMountinfo(String mountinfo) {
    if (mountinfo == null) {
      return null;
    }
    for (String line : mountinfo.split("\n")) {
      if (!line.contains("/hostname")) {
        continue;
      }
      for (int at = line.indexOf("containers/"); at >= 0; at = line.indexOf("containers/", at + 1)) {
        int start = at + "containers/".length();
        if (start + 64 <= line.length()) {
          String candidate = line.substring(start, start + 64);
          if (isContainerId(candidate) && (start + 64 == line.length() || line.charAt(start + 64) == '/')) {
            return candidate;
          }
        }
      }
    }
    return null;
  }

  private static boolean isContainerId(String text) {
    if (text.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = text.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /** A small file's text, at most 64 KiB of it; null when it cannot be read (not Linux). */
  private static String readSmall(String path) {
    try (FileInputStream in = new FileInputStream(path)) {
      return new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * A random (version 4) UUID. Read from {@code /dev/urandom} where there is one: the same source the JDK's
   * {@code SecureRandom} uses on Linux, without setting up the security providers (tens of milliseconds of
   * start-up).
   */
  static String randomInstanceId() {
    byte[] random = new byte[16];
    try (FileInputStream in = new FileInputStream("/dev/urandom")) {
      if (in.readNBytes(random, 0, 16) == 16) {
        return uuidV4(random);
      }
    } catch (IOException | RuntimeException notThere) {
      // below
    }
    return UUID.randomUUID().toString();
  }

  static String uuidV4(byte[] random) {
    random[6] = (byte) ((random[6] & 0x0f) | 0x40); // version 4
    random[8] = (byte) ((random[8] & 0x3f) | 0x80); // IETF variant
    long high = 0;
    long low = 0;
    for (int i = 0; i < 8; i++) {
      high = (high << 8) | (random[i] & 0xff);
      low = (low << 8) | (random[i + 8] & 0xff);
    }
    return new UUID(high, low).toString();
  }

  static String hostArch(String osArch) {
    switch (osArch.toLowerCase(Locale.ROOT)) {
      case "amd64":
      case "x86_64":
        return "amd64";
      case "aarch64":
      case "arm64":
        return "arm64";
      case "x86":
      case "i386":
      case "i686":
        return "x86";
      case "ppc64le":
      case "ppc64":
        return "ppc64";
      case "s390x":
        return "s390x";
      default:
        return osArch;
    }
  }

  static String osType(String osName) {
    String lower = osName.toLowerCase(Locale.ROOT);
    if (lower.startsWith("windows")) return "windows";
    if (lower.startsWith("linux")) return "linux";
    if (lower.startsWith("mac")) return "darwin";
    if (lower.startsWith("freebsd")) return "freebsd";
    if (lower.startsWith("netbsd")) return "netbsd";
    if (lower.startsWith("openbsd")) return "openbsd";
    if (lower.startsWith("sunos") || lower.startsWith("solaris")) return "solaris";
    if (lower.startsWith("aix")) return "aix";
    if (lower.startsWith("hp-ux")) return "hpux";
    if (lower.startsWith("z/os")) return "z_os";
    return lower;
  }
}
