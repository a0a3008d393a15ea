package io.weft.smoke;

import static io.weft.receiver.SpanMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.receiver.OtlpReceiver;
import io.weft.smoke.app.ConflictApp;
import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.Jdk;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** An application carrying its own, different OpenTelemetry, Byte Buddy and protobuf runs unchanged beside the agent. */
class IsolationIT {

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void theApplicationsOwnLibrariesKeepWorking(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .libs("conflict")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.app.ConflictApp[businessMethod]")
            .start(ConflictApp.class)) {
      assertEquals(0, app.awaitExit(), app::describe);
      String out = app.output();
      for (String line : List.of(
          "own otel exported 1 app-own-span from opentelemetry-sdk-trace-1.42.1.jar",
          "own bytebuddy made io.weft.smoke.app.Generated from byte-buddy-1.14.18.jar",
          "own protobuf round trip from protobuf-java-3.25.5.jar",
          "business done")) {
        assertTrue(out.contains(line), line + "\n" + app.describe());
      }
      assertTrue(otlp.awaitSpan(named("ConflictApp.businessMethod")).isRoot());
      // the application's own span went to its own exporter, never to ours
      assertEquals(0, otlp.spans().stream().filter(named("app-own-span")).count());
    }
  }
}
