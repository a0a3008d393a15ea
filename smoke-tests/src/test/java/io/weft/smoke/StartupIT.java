package io.weft.smoke;

import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT;
import static io.weft.receiver.SpanMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.receiver.OtlpReceiver;
import io.weft.receiver.ReceivedSpan;
import io.weft.smoke.app.HelloApp;
import io.weft.smoke.app.LateCallApp;
import io.weft.smoke.app.LateDriverApp;
import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.Jdk;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the agent costs a JVM at start (issue #5): premain registers a small filter and returns; the
 * SDK is only built once a class needs weaving, Byte Buddy only loaded for a class the direct weaver
 * cannot take, and the first woven call still waits for the SDK so that it is traced. Read from the
 * JVM's own class-loading log.
 */
class StartupIT {

  /** The agent's weaver and Byte Buddy's entry point: loaded only to weave. */
  private static final List<String> WEAVING = List.of(" io.weft.agent.weave.ByteBuddyWeaver ", " io.weft.shaded.net.bytebuddy.ByteBuddy ");
  private static final String OTEL_SDK = "io.weft.shaded.io.opentelemetry.sdk.";

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void aJvmWithNothingToWeaveLoadsNeitherByteBuddyNorTheSdk(Jdk jdk, @TempDir Path dir) throws IOException {
    Path classLog = dir.resolve("classes.log");
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp).jvmArg("-Xlog:class+load=info:file=" + classLog).start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      assertTrue(app.output().contains("hello from app hi weft"), app.describe());
      List<String> loaded = Files.readAllLines(classLog);
      assertTrue(loaded.stream().anyMatch(line -> line.contains(" io.weft.agent.weave.PrefilteringTransformer ")),
          "the agent ran: its filter is loaded");
      assertTrue(loaded.stream().anyMatch(line -> line.contains(" io.weft.smoke.app.HelloApp ")), "the filter saw the application class");
      assertFalse(app.output().contains("Sharing is only supported"),
          "the bridge is defined in bootstrap, not appended to its path: class data sharing stays whole, no JVM warning\n" + app.describe());
      assertTrue(loaded.stream().anyMatch(line -> line.contains(" io.weft.bridge.StartupGate source: __JVM_DefineClass__")),
          "the bridge classes are defined, not found on a search path");
      assertEquals(List.of(), loaded.stream().filter(line -> WEAVING.stream().anyMatch(line::contains) || line.contains(OTEL_SDK)).toList(),
          "nothing to weave: no weaver, no SDK");
      long byteBuddy = loaded.stream().filter(line -> line.contains(" io.weft.shaded.net.bytebuddy.")).count();
      assertTrue(byteBuddy <= 5, "only the few interfaces the verifier asks for: " + byteBuddy);
      assertEquals(0, otlp.spans().size());
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void aClassNamedByAPatternIsWovenWithoutByteBuddyAndItsFirstCallIsTraced(Jdk jdk, @TempDir Path dir) throws IOException {
    Path classLog = dir.resolve("classes.log");
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.app.HelloApp[greet]")
            .jvmArg("-Xlog:class+load=info:file=" + classLog)
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      // greet is the first thing main calls: it waited for the SDK at the bridges' gate
      assertEquals("HelloApp.greet", otlp.awaitSpan(named("HelloApp.greet")).name());
      List<String> loaded = Files.readAllLines(classLog);
      assertTrue(loaded.stream().anyMatch(line -> line.contains(" io.weft.instrumentation.methods.DirectMethodWeaver ")),
          "HelloApp is woven directly");
      assertEquals(List.of(), loaded.stream().filter(line -> WEAVING.stream().anyMatch(line::contains)).toList(),
          "a class named by a pattern needs no Byte Buddy weaver");
      long byteBuddy = loaded.stream()
          .filter(line -> line.contains(" io.weft.shaded.net.bytebuddy.") && !line.contains(" io.weft.shaded.net.bytebuddy.jar.asm."))
          .count();
      assertTrue(byteBuddy <= 12, "ASM, and only the few Byte Buddy interfaces the verifier asks for: " + byteBuddy);
      assertTrue(loaded.stream().anyMatch(line -> line.contains(OTEL_SDK)), "the SDK records its span");
      assertTrue(loaded.stream().anyMatch(line -> line.contains(" io.weft.agent.export.Http1Client ")),
          "http/protobuf to http:// is sent by Weft's own client");
      assertEquals(List.of(), loaded.stream().filter(line -> line.contains(" okhttp3.") || line.contains(".okhttp3.")
          || line.contains(" io.weft.shaded.kotlin.") || line.contains(" io.weft.shaded.okio.")).limit(3).toList(),
          "plain http/protobuf loads neither OkHttp nor Kotlin nor Okio");
      assertEquals(List.of(), loaded.stream().filter(line -> line.contains(" java.util.logging.LogManager ")).toList(),
          "the SDK logs through Weft's SdkLogger: java.util.logging is not set up");
      assertEquals(List.of(), loaded.stream().filter(line -> line.contains(".sdk.resources.AutoValue_Resource ")).toList(),
          "the resource is Weft's own: no SDK Resource (24-38 ms of set-up) is made for an OTLP export");
      assertEquals(List.of(), loaded.stream().filter(line -> line.contains(" io.weft.shaded.io.opentelemetry.context.LazyStorage ")
          || line.contains(" io.weft.shaded.io.opentelemetry.context.ContextStorageProvider ")).toList(),
          "Weft's code keeps the context in its own storage: the API's (a service loader look-up, var handles) is never set up");
      String startLine = app.output().lines().filter(line -> line.startsWith("[weft] Weft ")).findFirst().orElse("");
      assertTrue(startLine.matches("\\[weft] Weft \\S+ started: premain \\d+ ms, SDK built in \\d+ ms: .*"), app.describe());
      assertEquals(List.of(), loaded.stream().filter(line -> line.contains(" io.weft.instrumentation.jdbc.JdbcTracer ")
          || line.contains(" io.weft.instrumentation.servlet.ServletTracer ")).toList(),
          "no servlet or JDBC class was woven: their instrumentations are never started");
      assertEquals(List.of(), loaded.stream().filter(line -> line.contains(" io.weft.instrumentation.executors.TaskWeaver ")
          || line.contains(" io.weft.instrumentation.logging.ContextMapWeaving$Weaver ")
          || line.contains(" io.weft.instrumentation.servlet.JaxRsRoutes$Survey ")).toList(),
          "the weaving of the JDK's task classes, of logging libraries and of JAX-RS resources is loaded for a class to"
          + " weave, not at premain: this JVM loads none");
      assertEquals(List.of(), loaded.stream().filter(line -> line.contains(" io.weft.instrumentation.servlet.ServletInstrumentation$")
          || line.contains(" io.weft.instrumentation.servlet.JaxRsRoutes ")
          || line.contains(" io.weft.instrumentation.jdbc.JdbcInstrumentation$")
          || line.contains(" io.weft.instrumentation.logging.ContextMapWeaving ")
          || line.contains(" io.weft.instrumentation.ExactMethodWeaving ")).toList(),
          "the servlet, JDBC and logging instrumentations' type instrumentations are made when a class their sieve passes is"
          + " defined: no class of this JVM does, so none of them is loaded");
      assertEquals(List.of(), loaded.stream().filter(line -> line.contains(".api.trace.propagation.W3CTraceContextPropagator ")).toList(),
          "only servlet spans propagate context: the propagators are made for the servlet instrumentation");
      assertEquals(List.of(), loaded.stream().filter(line -> line.matches(".* io\\.weft\\.\\S*\\$\\$Lambda.*")
          || line.contains(" java.util.Comparator$$Lambda")).toList(),
          "no lambda of Weft or of the libraries it bundles is spun on the way to the first span and the exit: each costs"
          + " a start milliseconds (the OpenTelemetry API's attribute key order is patched at build: StartupPatches)");
      // JDK machinery the SDK build used to set up: java.util.logging's levels (lambdas), and on Java 17, whose
      // own hello world uses no byte-array view handle (Java 21+ does, cheaply), the 13-22 ms first one
      assertEquals(List.of(), loaded.stream().filter(line -> line.contains(" java.util.logging.Level ")
          || (jdk.name().equals("17") && line.contains(" java.lang.invoke.VarHandleByteArrayAs"))).toList(),
          "neither java.util.logging.Level nor, on Java 17, a byte-array view handle is set up");
    }
  }

  /**
   * An instrumentation whose first class is woven after the agent is live starts then, on the thread that
   * loads the class and before any of its code runs: the first statement of a driver loaded late is traced.
   */
  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void aDriverLoadedAfterTheAgentIsLiveStartsTheJdbcInstrumentationAndItsFirstStatementIsTraced(Jdk jdk) {
    Path h2 = ChildJvm.libs("jdbc").stream().filter(p -> p.getFileName().toString().startsWith("h2-")).findFirst().orElseThrow();
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.app.LateDriverApp[greet]")
            .env("OTEL_JAVAAGENT_DEBUG", "true")
            .classpath(h2)
            .start(LateDriverApp.class)) {
      assertEquals(0, app.awaitExit(), app::describe);
      assertTrue(app.output().contains("then the database said 42"), app.describe());
      otlp.awaitSpan(named("LateDriverApp.greet"));
      ReceivedSpan query = otlp.awaitSpan(span -> span.kind() == SPAN_KIND_CLIENT);
      assertEquals("SELECT", query.name(), query.toString());
      assertEquals("h2database", query.attr("db.system.name"), query.toString());
      assertEquals("SELECT ?", query.attr("db.query.text"), "sanitized: " + query);
      List<String> lines = app.output().lines().toList();
      int started = indexOf(lines, "[weft] Weft ");
      int methods = indexOf(lines, "the methods instrumentation is live");
      int greeted = indexOf(lines, "first hi weft");
      int jdbc = indexOf(lines, "the jdbc instrumentation is live");
      // the methods instrumentation starts on the SDK's thread before the gate the traced call waits at opens, or, when
      // the SDK was built before the weave ended (a slow host), on the weaving thread before the class is defined
      assertTrue(started >= 0 && methods >= 0 && methods < greeted, "methods started before the first traced call ended\n" + app.describe());
      assertTrue(jdbc > greeted && jdbc > started, "JDBC started later, when H2 was woven\n" + app.describe());
      assertEquals(-1, indexOf(lines, "the servlet instrumentation is live"), app.describe());
      // and the SDK, built on its own thread, found no context in use yet: Weft's storage holds it
      assertTrue(indexOf(lines, "the current context is kept in Weft's context storage") >= 0, app.describe());
    }
  }

  /**
   * A JVM that ends right after its SDK is built, while the start-up thread has yet to say so (held back here, once
   * the tracers are live, by {@code -Dweft.test.fault=slowstart}), still prints the "started" line: the exit waits
   * for that thread (up to a second) before it flushes, and the span made meanwhile is exported.
   */
  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void aJvmThatEndsAsTheSdkIsBuiltStillSaysItStarted(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.app.LateCallApp[greet]")
            .property("weft.test.fault", "slowstart")
            .start(LateCallApp.class, "400")) {
      assertEquals(0, app.awaitExit(), app::describe);
      List<String> lines = app.output().lines().toList();
      int called = indexOf(lines, "then hi weft");
      int started = indexOf(lines, "[weft] Weft ");
      assertTrue(called >= 0 && started > called, "the traced call, 400 ms after the weave, ran while the start-up thread was held"
          + " back (it did not wait for it), and the line came after it, before the exit\n" + app.describe());
      assertTrue(lines.get(started).matches("\\[weft] Weft \\S+ started: premain \\d+ ms, SDK built in \\d+ ms: .*"), app.describe());
      ReceivedSpan greet = otlp.awaitSpan(named("LateCallApp.greet"));
      assertEquals("io.weft.smoke.app.LateCallApp.greet", greet.attr("code.function.name"), greet.toString());
    }
  }

  private static int indexOf(List<String> lines, String part) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(part)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Where the bridge cannot be defined directly (here: a jar whose manifest does not list it), premain
   * appends the jar to the bootstrap search path as before: the JVM then warns that class data sharing
   * is limited, and everything still works.
   */
  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void withoutItsBootstrapListTheAgentFallsBackToAppending(Jdk jdk, @TempDir Path dir) throws IOException {
    Path jar = dir.resolve("weft-agent-unlisted.jar");
    try (JarFile original = new JarFile(ChildJvm.agentJar().toFile());
        JarOutputStream copy = new JarOutputStream(Files.newOutputStream(jar), withoutBootstrapList(original.getManifest()))) {
      for (JarEntry entry : Collections.list(original.entries())) {
        if (!entry.getName().equals(JarFile.MANIFEST_NAME)) {
          // stored entries (the class pack) stay stored, sizes and checksum as they were
          copy.putNextEntry(entry.getMethod() == JarEntry.STORED ? new JarEntry(entry) : new JarEntry(entry.getName()));
          try (InputStream in = original.getInputStream(entry)) {
            in.transferTo(copy);
          }
          copy.closeEntry();
        }
      }
    }
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .jvmArg("-javaagent:" + jar) // the first -javaagent, the build's jar, is replaced below
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.app.HelloApp[greet]")
            .withoutJvmArg("-javaagent:" + ChildJvm.agentJar())
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      assertEquals("HelloApp.greet", otlp.awaitSpan(named("HelloApp.greet")).name());
      assertTrue(app.output().contains("Sharing is only supported for boot loader classes"), app.describe());
    }
  }

  private static Manifest withoutBootstrapList(Manifest manifest) {
    Manifest copy = new Manifest(manifest);
    assertTrue(copy.getMainAttributes().remove(new Attributes.Name("Weft-Bootstrap-Classes")) != null, "the build lists the bootstrap classes");
    return copy;
  }
}
