package io.weft.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.smoke.support.ChildJvm;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The one jar users download: its manifest, what stays loadable, relocation, size. */
class AgentJarIT {

  private static final long SIZE_BUDGET = 10L * 1024 * 1024;

  @Test
  void manifestDeclaresBothEntryPointsAndRetransformation() throws Exception {
    try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
      Attributes main = jar.getManifest().getMainAttributes();
      assertEquals("io.weft.agent.WeftAgent", main.getValue("Premain-Class"));
      assertEquals("io.weft.agent.WeftAgent", main.getValue("Agent-Class"));
      assertEquals("true", main.getValue("Can-Retransform-Classes"));
      assertNull(main.getValue("Boot-Class-Path"), "premain appends the jar itself");
      assertTrue(main.getValue("Implementation-Version").length() > 0);
    }
  }

  @Test
  void onlyTheEntryTheLoaderAndTheBridgeAreLoadableClasses() throws Exception {
    List<String> plain = new ArrayList<>();
    List<String> unrelocated = new ArrayList<>();
    try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
      for (JarEntry entry : Collections.list(jar.entries())) {
        String name = entry.getName();
        if (name.endsWith(".class")) {
          plain.add(name);
        }
        if (name.startsWith("inst/") && name.endsWith(".classdata") && !name.startsWith("inst/io/weft/")) {
          unrelocated.add(name);
        }
      }
      for (String name : plain) {
        assertTrue(name.startsWith("io/weft/bridge/") || name.equals("io/weft/agent/WeftAgent.class") || name.equals("io/weft/agent/AgentClassLoader.class"),
            "not meant to be loadable by the system or bootstrap loader: " + name);
      }
      assertTrue(plain.contains("io/weft/bridge/MethodBridge.class"));
      assertEquals(List.of(), unrelocated, "every bundled class lives under io.weft");
      assertTrue(jar.getEntry("inst/io/weft/shaded/net/bytebuddy/ByteBuddy.classdata") != null);
      // Weft sends OTLP itself through a relocated OkHttp, with the SDK's marshalers; nothing is looked up as a service
      assertTrue(jar.getEntry("inst/io/weft/shaded/okhttp3/OkHttpClient.classdata") != null, "OkHttp, relocated");
      assertTrue(jar.getEntry("inst/io/weft/shaded/io/opentelemetry/exporter/internal/otlp/traces/TraceRequestMarshaler.classdata") != null);
      assertTrue(jar.getEntry("inst/io/weft/agent/export/ExportPipeline.classdata") != null);
    }
  }

  @Test
  void jarStaysWithinItsSizeBudget() throws Exception {
    long size = Files.size(ChildJvm.agentJar());
    assertTrue(size <= SIZE_BUDGET, "agent jar is " + size + " bytes, budget " + SIZE_BUDGET);
  }

  @Test
  void bytecodeTargetsJava11() throws Exception {
    try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
      for (String name : List.of("io/weft/agent/WeftAgent.class", "io/weft/bridge/MethodBridge.class", "inst/io/weft/agent/AgentStarter.classdata")) {
        try (InputStream in = jar.getInputStream(jar.getEntry(name))) {
          byte[] head = in.readNBytes(8);
          int major = ((head[6] & 0xff) << 8) | (head[7] & 0xff);
          assertEquals(55, major, name + " must run on Java 11");
        }
      }
    }
  }
}
