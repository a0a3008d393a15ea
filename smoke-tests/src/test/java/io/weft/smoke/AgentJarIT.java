package io.weft.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.CodeReferences;
import java.io.File;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.utility.OpenedClassReader;
import org.junit.jupiter.api.Test;

/** The one jar users download: its manifest, what stays loadable, relocation, completeness, size. */
class AgentJarIT {

  /**
   * OpenTelemetry modules Weft does not bundle: the SDK checks that the incubator API and the
   * autoconfigure SPI are present before it touches the classes that refer to them.
   */
  private static final List<String> OPTIONAL =
      List.of("io/weft/shaded/io/opentelemetry/api/incubator/", "io/weft/shaded/io/opentelemetry/sdk/autoconfigure/");

  /** Issue #5: at most 8 MB (it was 9.4 MB before unused library classes were left out). */
  private static final long SIZE_BUDGET = 8L * 1024 * 1024;

  @Test
  void manifestDeclaresBothEntryPointsAndRetransformation() throws Exception {
    try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
      Attributes main = jar.getManifest().getMainAttributes();
      assertEquals("io.weft.agent.WeftAgent", main.getValue("Premain-Class"));
      assertEquals("io.weft.agent.Cli", main.getValue("Main-Class"), "java -jar weft-agent.jar attach <pid>");
      assertEquals("io.weft.agent.WeftAgent", main.getValue("Agent-Class"));
      assertEquals("true", main.getValue("Can-Retransform-Classes"));
      assertNull(main.getValue("Boot-Class-Path"), "premain defines the bootstrap classes itself");
      assertTrue(main.getValue("Implementation-Version").length() > 0);
    }
  }

  /**
   * The relocation rewrites every string constant that starts with a relocated package: the names Weft looks for in the
   * application or in another agent (the OpenTelemetry agent's classes, an application's own Byte Buddy or Kotlin) must
   * survive it, or Weft would look for its own shaded copies instead.
   */
  @Test
  void namesOfTheApplicationsAndOtherAgentsClassesSurviveTheRelocation() throws Exception {
    Map<String, byte[]> packed = packedClasses();
    String ignored = new String(packed.get("io/weft/agent/weave/IgnoredNames"), java.nio.charset.StandardCharsets.ISO_8859_1);
    String starter = new String(packed.get("io/weft/agent/AgentStarter$Startup"), java.nio.charset.StandardCharsets.ISO_8859_1);
    for (String relocated : List.of("io.weft.shaded.net.bytebuddy.", "io.weft.shaded.io.opentelemetry.javaagent", "io.weft.shaded.org.jetbrains.kotlin")) {
      assertFalse(ignored.contains(relocated) || starter.contains(relocated), relocated);
    }
    assertTrue(ignored.contains("bytebuddy.") && ignored.contains("opentelemetry.javaagent.") && ignored.contains("jetbrains.kotlin."));
    assertTrue(starter.contains("opentelemetry.javaagent.bootstrap.AgentInitializer"));
  }

  @Test
  void onlyTheEntriesTheLoaderAndTheBridgeAreLoadableClasses() throws Exception {
    List<String> plain = new ArrayList<>();
    List<String> unrelocated = new ArrayList<>();
    try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
      for (JarEntry entry : Collections.list(jar.entries())) {
        String name = entry.getName();
        if (name.endsWith(".class")) {
          plain.add(name);
        }
        assertTrue(!name.endsWith(".classdata"), "classes are packed, not separate entries: " + name);
      }
      for (String name : packedClasses().keySet()) {
        if (!name.startsWith("io/weft/")) {
          unrelocated.add(name);
        }
      }
      JarEntry pack = jar.getJarEntry("inst/classes.pack");
      assertTrue(pack != null && pack.getMethod() == JarEntry.STORED, "inst/classes.pack, stored so that a record is read in place");
      for (String name : plain) {
        assertTrue(name.startsWith("io/weft/bridge/") || name.equals("io/weft/agent/WeftAgent.class") || name.equals("io/weft/agent/AgentClassLoader.class")
            || name.equals("io/weft/agent/AgentClassLoader$Scratch.class") || name.equals("io/weft/agent/BootstrapDefiner.class") || name.equals("io/weft/agent/Cli.class")
            || name.equals("io/weft/agent/Attacher.class"),
            "not meant to be loadable by the system or bootstrap loader: " + name);
      }
      // premain defines these in the bootstrap loader: the bridge and the agent class loader, nothing else
      List<String> listed = List.of(jar.getManifest().getMainAttributes().getValue("Weft-Bootstrap-Classes").split(" "));
      List<String> expected = new ArrayList<>(plain);
      expected.removeAll(List.of("io/weft/agent/WeftAgent.class", "io/weft/agent/BootstrapDefiner.class", "io/weft/agent/Cli.class",
          "io/weft/agent/Attacher.class"));
      assertEquals(new java.util.TreeSet<>(expected), new java.util.TreeSet<>(listed));
      assertTrue(plain.contains("io/weft/bridge/MethodBridge.class"));
      assertEquals(List.of(), unrelocated, "every bundled class lives under io.weft");
      Map<String, byte[]> packed = packedClasses();
      assertTrue(packed.containsKey("io/weft/shaded/net/bytebuddy/ByteBuddy"));
      // Weft sends OTLP itself through a relocated OkHttp, with the SDK's marshalers; nothing is looked up as a service
      assertTrue(packed.containsKey("io/weft/shaded/okhttp3/OkHttpClient"), "OkHttp, relocated");
      assertTrue(packed.containsKey("io/weft/shaded/io/opentelemetry/exporter/internal/otlp/traces/TraceRequestMarshaler"));
      assertTrue(packed.containsKey("io/weft/agent/export/ExportPipeline"));
      assertEquals(Set.of(), packed.keySet().stream().filter(name -> name.startsWith("io/weft/build/")).collect(Collectors.toSet()),
          "the build's jar writer stays out of the jar");
    }
  }

  /**
   * The classes a thread waiting at the start-up gate loads ahead of the first call are listed by name: a
   * renamed or removed agent class would silently stop being loaded early, so every agent class listed must
   * be in the jar (JDK classes may differ between JDKs and are skipped where absent).
   */
  @Test
  void theFirstCallListNamesOnlyClassesInTheJar() throws Exception {
    try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
      JarEntry list = jar.getJarEntry("inst/io/weft/agent/first-calls.txt");
      assertTrue(list != null, "inst/io/weft/agent/first-calls.txt is missing");
      List<String> agentClasses = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      try (InputStream in = jar.getInputStream(list)) {
        for (String name : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
          if (name.startsWith("io.weft.")) {
            agentClasses.add(name);
            if (!packedClasses().containsKey(name.replace('.', '/'))) {
              missing.add(name);
            }
          }
        }
      }
      assertTrue(agentClasses.size() > 20, "the list names " + agentClasses.size() + " agent classes");
      assertEquals(List.of(), missing, "listed in first-calls.txt but not in the jar");
    }
  }

  @Test
  void jarStaysWithinItsSizeBudget() throws Exception {
    long size = Files.size(ChildJvm.agentJar());
    assertTrue(size <= SIZE_BUDGET, "agent jar is " + size + " bytes, budget " + SIZE_BUDGET);
  }

  /**
   * The jar leaves out library classes nothing uses: every class the agent can reach from its own
   * code (and from the service files it can load) must find every class its code refers to. Follows
   * code references only (super types, member and instruction operands, descriptors, constants,
   * catch types); annotations and nesting attributes are never resolved by running code.
   */
  @Test
  void everyClassTheAgentCanReachFindsTheClassesItRefersTo() throws Exception {
    Map<String, byte[]> classes = new HashMap<>();
    List<String> roots = new ArrayList<>();
    try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
      for (JarEntry entry : Collections.list(jar.entries())) {
        String name = entry.getName();
        if (name.endsWith(".class")) {
          try (InputStream in = jar.getInputStream(entry)) {
            classes.put(name.substring(0, name.length() - 6), in.readAllBytes());
          }
        }
      }
      classes.putAll(packedClasses());
      for (String internal : classes.keySet()) {
        if (!internal.startsWith("io/weft/shaded/")) {
          roots.add(internal);
        }
      }
      for (JarEntry entry : Collections.list(jar.entries())) {
        String service = entry.getName().startsWith("inst/META-INF/services/") ? entry.getName().substring(23) : null;
        if (service != null && !service.isEmpty() && classes.containsKey(service.replace('.', '/'))) {
          try (InputStream in = jar.getInputStream(entry)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
              String provider = line.replaceAll("#.*", "").trim();
              if (!provider.isEmpty()) {
                roots.add(provider.replace('.', '/'));
              }
            }
          }
        }
      }
    }
    assertTrue(roots.contains("io/weft/agent/AgentStarter"), roots.toString());
    Set<String> reached = new HashSet<>(roots);
    Deque<String> pending = new ArrayDeque<>(roots);
    List<String> missing = new ArrayList<>();
    while (!pending.isEmpty()) {
      String from = pending.pop();
      byte[] bytes = classes.get(from);
      if (bytes == null) {
        missing.add("(root) " + from);
        continue;
      }
      for (String to : CodeReferences.of(bytes)) {
        if (!to.startsWith("io/weft/") || OPTIONAL.stream().anyMatch(to::startsWith)) {
          continue; // the JDK, or optional libraries the bundled ones probe for before use
        }
        if (!classes.containsKey(to)) {
          missing.add(from + " -> " + to);
        } else if (reached.add(to)) {
          pending.push(to);
        }
      }
    }
    assertEquals(List.of(), missing, "classes the agent can reach refer to classes left out of the jar");
    assertTrue(reached.size() > 2000, "the walk reached Byte Buddy, the SDK and OkHttp: " + reached.size());
  }

  /**
   * The shaded libraries log through {@code SdkLogger}, never {@code java.util.logging.Logger} (which
   * would set up the JDK's LogManager at start), and every method they call on it exists: the
   * relocation renames the class, not its members.
   */
  @Test
  void theLibrariesLogThroughSdkLoggerAndFindEveryMethodTheyCall() throws Exception {
    String logger = "io/weft/agent/otel/SdkLogger";
    Map<String, byte[]> classes = packedClasses();
    assertTrue(classes.containsKey(logger), "SdkLogger is in the jar");
    Set<String> declared = new HashSet<>();
    OpenedClassReader.of(classes.get(logger)).accept(new ClassVisitor(OpenedClassReader.ASM_API) {
      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
        if ((access & Opcodes.ACC_PUBLIC) != 0) {
          declared.add(name + descriptor);
        }
        return null;
      }
    }, ClassReader.SKIP_CODE);
    Set<String> called = new TreeSet<>();
    List<String> julLoggers = new ArrayList<>();
    for (Map.Entry<String, byte[]> entry : classes.entrySet()) {
      if (entry.getKey().equals(logger)) {
        continue;
      }
      if (CodeReferences.of(entry.getValue()).contains("java/util/logging/Logger")) {
        julLoggers.add(entry.getKey());
      }
      OpenedClassReader.of(entry.getValue()).accept(new ClassVisitor(OpenedClassReader.ASM_API) {
        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
          return new MethodVisitor(OpenedClassReader.ASM_API) {
            @Override
            public void visitMethodInsn(int opcode, String owner, String method, String methodDescriptor, boolean isInterface) {
              if (owner.equals(logger)) {
                called.add(method + methodDescriptor);
              }
            }
          };
        }
      }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    }
    assertEquals(List.of(), julLoggers, "classes that would set up java.util.logging");
    assertTrue(called.size() >= 5, "the SDK and OkHttp log through SdkLogger: " + called);
    assertEquals(Set.of(), called.stream().filter(method -> !declared.contains(method)).collect(Collectors.toSet()),
        "methods the libraries call that SdkLogger lacks");
  }

  @Test
  void bytecodeTargetsJava11() throws Exception {
    Map<String, byte[]> heads = new HashMap<>();
    try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
      for (String name : List.of("io/weft/agent/WeftAgent.class", "io/weft/bridge/MethodBridge.class")) {
        try (InputStream in = jar.getInputStream(jar.getEntry(name))) {
          heads.put(name, in.readNBytes(8));
        }
      }
    }
    heads.put("io/weft/agent/AgentStarter (packed)", packedClasses().get("io/weft/agent/AgentStarter"));
    for (Map.Entry<String, byte[]> head : heads.entrySet()) {
      int major = ((head.getValue()[6] & 0xff) << 8) | (head.getValue()[7] & 0xff);
      assertEquals(55, major, head.getKey() + " must run on Java 11");
    }
  }

  private static Map<String, byte[]> packed;

  /**
   * The packed classes by internal name, read as the agent reads them: through the jar's own
   * {@code AgentClassLoader}, which lists the pack and serves each class file. Read once per run.
   */
  @SuppressWarnings("unchecked")
  private static synchronized Map<String, byte[]> packedClasses() throws Exception {
    if (packed == null) {
      Map<String, byte[]> classes = new HashMap<>();
      File file = ChildJvm.agentJar().toFile();
      try (URLClassLoader jarLoader = new URLClassLoader(new URL[] {file.toURI().toURL()}, ClassLoader.getPlatformClassLoader())) {
        Class<?> type = jarLoader.loadClass("io.weft.agent.AgentClassLoader");
        ClassLoader agentLoader = (ClassLoader) type.getConstructor(File.class).newInstance(file);
        for (String name : (List<String>) type.getMethod("packedClassNames").invoke(agentLoader)) {
          try (InputStream in = agentLoader.getResourceAsStream(name + ".class")) {
            assertTrue(in != null, "listed in the pack but not served: " + name);
            assertTrue(classes.put(name, in.readAllBytes()) == null, "packed twice: " + name);
          }
        }
      }
      assertTrue(classes.size() > 3000, "the pack holds the agent, the SDK, Byte Buddy and OkHttp: " + classes.size());
      packed = classes;
    }
    return packed;
  }
}
