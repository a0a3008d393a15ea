package io.weft.instrumentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.instrumentation.jdbc.JdbcInstrumentation;
import io.weft.instrumentation.logging.LogCorrelation;
import io.weft.instrumentation.logging.LogRecords;
import io.weft.instrumentation.servlet.ServletInstrumentation;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

/**
 * The sieves the agent makes deferred instrumentations behind ({@link WeftInstrumentation#sieve}) must pass every
 * class one of their type instrumentations, made fresh, may weave: otherwise that class, the first of its kind, would
 * go unwoven. Checked on every class file of this module's test class path (the servlet APIs, Logback, Log4j, JBoss
 * LogManager, JDBC fixtures, byte code libraries: some 10,000 classes) and on a generated JAX-RS resource, with every
 * option that adds classes to weave switched on.
 */
class SieveTest {

  private static final ClassLoader LOADER = SieveTest.class.getClassLoader();
  private static final MapConfig ALL_ON = new MapConfig(Map.of(
      "otel.instrumentation.common.experimental.controller-telemetry.enabled", "true",
      "otel.instrumentation.common.experimental.view-telemetry.enabled", "true",
      "otel.instrumentation.jdbc.experimental.capture-query-parameters", "true",
      "otel.instrumentation.jdbc.experimental.transaction.enabled", "true",
      "otel.instrumentation.jdbc-datasource.enabled", "true"));

  private static List<WeftInstrumentation> deferred() {
    return List.of(new ServletInstrumentation(), new JdbcInstrumentation(), LogCorrelation.logback(), LogCorrelation.log4j(),
        LogCorrelation.jbossLogManager(), LogCorrelation.log4j1(), LogRecords.logback(), LogRecords.log4j(),
        LogRecords.jbossLogManager(), LogRecords.jul());
  }

  @Test
  void everyClassATypeInstrumentationMayWeavePassesItsSieve() {
    Map<String, TreeSet<String>> passedAndWoven = new LinkedHashMap<>();
    List<String> missed = new ArrayList<>();
    int[] classes = {0};
    for (WeftInstrumentation instrumentation : deferred()) {
      passedAndWoven.put(instrumentation.name(), new TreeSet<>());
    }
    forEachClassFile((name, bytes) -> {
      classes[0]++;
      for (WeftInstrumentation instrumentation : deferred()) {
        check(instrumentation, name, bytes, passedAndWoven.get(instrumentation.name()), missed);
      }
    });
    // what no jar here holds: a JAX-RS resource, a container's AsyncContext, Spring MVC's two classes
    check(new ServletInstrumentation(), "com/example/Orders", jaxRsResource(), passedAndWoven.get("servlet"), missed);
    for (String api : new String[] {"javax", "jakarta"}) {
      check(new ServletInstrumentation(), "com/example/" + api + "/Async", asyncContext(api), passedAndWoven.get("servlet"), missed);
    }
    for (String spring : new String[] {"org/springframework/web/servlet/mvc/method/AbstractHandlerMethodAdapter",
        "org/springframework/web/servlet/DispatcherServlet"}) {
      check(new ServletInstrumentation(), spring, emptyClass(spring), passedAndWoven.get("servlet"), missed);
    }

    assertTrue(classes[0] > 5_000, "the class path was read: " + classes[0] + " classes");
    assertEquals(List.of(), missed, "classes a type instrumentation may weave that its sieve does not pass");
    // the check above would hold with no class woven at all: these show it saw the kinds that matter
    assertTrue(passedAndWoven.get("servlet").containsAll(List.of("javax/servlet/http/HttpServlet", "jakarta/servlet/http/HttpServlet",
        "com/example/Orders", "com/example/javax/Async", "com/example/jakarta/Async", "org/springframework/web/servlet/DispatcherServlet",
        "org/springframework/web/servlet/mvc/method/AbstractHandlerMethodAdapter")), passedAndWoven.get("servlet")::toString);
    assertTrue(passedAndWoven.get("jdbc").contains("io/weft/instrumentation/jdbc/fixtures/LoadedStatement"),
        passedAndWoven.get("jdbc")::toString);
    assertTrue(passedAndWoven.get("logback-appender").contains("ch/qos/logback/classic/Logger"));
    assertTrue(passedAndWoven.get("logback-mdc").contains("ch/qos/logback/classic/spi/LoggingEvent"));
    assertTrue(passedAndWoven.get("log4j-appender").contains("org/apache/logging/log4j/core/Logger"));
    assertTrue(passedAndWoven.get("jboss-logmanager-mdc").contains("org/jboss/logmanager/Logger"));
  }

  @Test
  void aSievePassesWhatItNamesAndNothingElse() {
    byte[] resource = jaxRsResource();
    Sieve byName = Sieve.classes("com/example/Orders");
    Sieve byMethod = Sieve.of(new String[0], new String[] {"list"}, List.of());
    Sieve byConstant = Sieve.of(new String[0], new String[0], List.of("Ljavax/ws/rs/Path;"));
    Sieve none = Sieve.of(new String[] {"com/example/Other"}, new String[] {"service"}, List.of("Ljavax/ws/rs/POST;"));
    assertTrue(byName.passes(new ClassOutline("com/example/Orders", resource)));
    assertTrue(byMethod.passes(new ClassOutline("com/example/Orders", resource)));
    assertTrue(byConstant.passes(new ClassOutline("com/example/Orders", resource)));
    assertFalse(none.passes(new ClassOutline("com/example/Orders", resource)));
    assertTrue(none.passes(new ClassOutline("com/example/Broken", new byte[] {(byte) 0xCA, (byte) 0xFE})),
        "a class file that cannot be read may be anything");
  }

  /** One class against one instrumentation: a class some fresh type instrumentation may weave must pass the sieve. */
  private static void check(WeftInstrumentation instrumentation, String name, byte[] bytes, TreeSet<String> passedAndWoven,
      List<String> missed) {
    Sieve sieve = instrumentation.sieve(ALL_ON);
    boolean passes = sieve.passes(new ClassOutline(name, bytes));
    for (TypeInstrumentation type : instrumentation.typeInstrumentations(ALL_ON)) {
      assertTrue(type.weavesDirectly(), instrumentation.name() + ": only direct weavers may be deferred");
      if (type.mayWeave(LOADER, new ClassOutline(name, bytes))) {
        if (passes) {
          passedAndWoven.add(name);
        } else {
          missed.add(instrumentation.name() + ": " + name);
        }
      }
    }
  }

  /** {@code @Path("orders") class Orders { @GET String list() }}, javax. */
  private static byte[] jaxRsResource() {
    ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    writer.visit(Opcodes.V11, Opcodes.ACC_PUBLIC, "com/example/Orders", null, "java/lang/Object", null);
    writer.visitAnnotation("Ljavax/ws/rs/Path;", true).visit("value", "orders");
    var list = writer.visitMethod(Opcodes.ACC_PUBLIC, "list", "()Ljava/lang/String;", null, null);
    list.visitAnnotation("Ljavax/ws/rs/GET;", true).visitEnd();
    list.visitCode();
    list.visitLdcInsn("[]");
    list.visitInsn(Opcodes.ARETURN);
    list.visitMaxs(0, 0);
    list.visitEnd();
    writer.visitEnd();
    return writer.toByteArray();
  }

  /** {@code class Async implements <api>.servlet.AsyncContext { public void start(Runnable task) }}, abstract for the rest. */
  private static byte[] asyncContext(String api) {
    ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    writer.visit(Opcodes.V11, Opcodes.ACC_PUBLIC | Opcodes.ACC_ABSTRACT, "com/example/" + api + "/Async", null, "java/lang/Object",
        new String[] {api + "/servlet/AsyncContext"});
    var start = writer.visitMethod(Opcodes.ACC_PUBLIC, "start", "(Ljava/lang/Runnable;)V", null, null);
    start.visitCode();
    start.visitInsn(Opcodes.RETURN);
    start.visitMaxs(0, 0);
    start.visitEnd();
    writer.visitEnd();
    return writer.toByteArray();
  }

  private static byte[] emptyClass(String internalName) {
    ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    writer.visit(Opcodes.V11, Opcodes.ACC_PUBLIC, internalName, null, "java/lang/Object", null);
    writer.visitEnd();
    return writer.toByteArray();
  }

  private static void forEachClassFile(BiConsumer<String, byte[]> action) {
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry);
      try {
        if (Files.isDirectory(path)) {
          try (Stream<Path> files = Files.walk(path)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
              String name = path.relativize(file).toString().replace(File.separatorChar, '/');
              action.accept(name.substring(0, name.length() - ".class".length()), Files.readAllBytes(file));
            }
          }
        } else if (entry.endsWith(".jar") && Files.isRegularFile(path)) {
          try (JarFile jar = new JarFile(path.toFile())) {
            for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
              JarEntry classFile = entries.nextElement();
              String name = classFile.getName();
              if (name.endsWith(".class") && !name.startsWith("META-INF/") && !name.endsWith("module-info.class")) {
                try (InputStream in = jar.getInputStream(classFile)) {
                  action.accept(name.substring(0, name.length() - ".class".length()), in.readAllBytes());
                }
              }
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
