package io.weft.smoke;

import static io.weft.receiver.SpanMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.receiver.OtlpReceiver;
import io.weft.smoke.app.HelloApp;
import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.Jdk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
      String startLine = app.output().lines().filter(line -> line.startsWith("[weft] Weft ")).findFirst().orElse("");
      assertTrue(startLine.matches("\\[weft] Weft \\S+ started: premain \\d+ ms, SDK built in \\d+ ms: .*"), app.describe());
    }
  }
}
