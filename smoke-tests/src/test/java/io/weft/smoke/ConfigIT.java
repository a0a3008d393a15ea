package io.weft.smoke;

import static io.weft.receiver.SpanMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.receiver.OtlpReceiver;
import io.weft.smoke.app.HelloApp;
import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.Jdk;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Switches and bad configuration: the application always runs, its exit code never changes, problems are one clear line each. */
class ConfigIT {

  private static final String GREET = "io.weft.smoke.app.HelloApp[greet]";

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void agentDisabledLeavesTheApplicationUntouched(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_JAVAAGENT_ENABLED", "false")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", GREET)
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      assertEquals("hello from app hi weft", app.output().strip(), "nothing but the application's own output");
      assertEquals(0, otlp.spans().size() + otlp.metrics().size());
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void sdkDisabledWeavesNothingAndSaysSo(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .property("otel.sdk.disabled", "true")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", GREET)
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      assertTrue(app.output().contains("[weft] Weft") && app.output().contains("OTEL_SDK_DISABLED=true"), app.describe());
      assertEquals(0, otlp.spans().size() + otlp.metrics().size());
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void badValuesAreReportedOnceEachAndFallBack(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "com.broken.[x;" + GREET + ";also broken[]")
            .env("OTEL_TRACES_SAMPLER", "sometimes")
            .env("OTEL_TRACES_EXPORTER", "otlp,zipkin")
            .env("OTEL_BSP_MAX_QUEUE_SIZE", "-5")
            .env("OTEL_EXPORTER_OTLP_TIMEOUT", "soon")
            .env("OTEL_INSTRUMENTATION_SERVLET_ENABLED", "maybe")
            .env("WEFT_METHODZ_EXCLUDE", "typo")
            .property("otel.exporter.otlp.compression", "brotli")
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      String out = app.output();
      List<String> expected = List.of(
          "OTEL_INSTRUMENTATION_METHODS_INCLUDE: ignoring the malformed entry 'com.broken.[x'",
          "OTEL_INSTRUMENTATION_METHODS_INCLUDE: ignoring the malformed entry 'also broken[]'",
          "OTEL_TRACES_SAMPLER='sometimes' is invalid (expected one of always_on, always_off, traceidratio",
          "OTEL_TRACES_EXPORTER: ignoring the unknown value 'zipkin'",
          "OTEL_BSP_MAX_QUEUE_SIZE='-5' is invalid (expected a whole number from 1 to",
          "OTEL_EXPORTER_OTLP_TIMEOUT='soon' is invalid",
          "OTEL_INSTRUMENTATION_SERVLET_ENABLED='maybe' is invalid (expected true or false); using true",
          "WEFT_METHODZ_EXCLUDE is not a Weft setting",
          "-Dotel.exporter.otlp.compression='brotli' is invalid (expected one of none, gzip); using none");
      for (String line : expected) {
        assertEquals(1, out.lines().filter(l -> l.startsWith("[weft] ") && l.contains(line)).count(), "exactly one line with: " + line + "\n" + out);
      }
      // the valid parts still apply
      assertEquals("HelloApp.greet", otlp.awaitSpan(named("HelloApp.greet")).name());
      assertTrue(out.contains("hello from app hi weft"), out);
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void debugModeShowsWeavingAndSpans(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_JAVAAGENT_DEBUG", "true")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", GREET)
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      String out = app.output();
      assertTrue(out.contains("[weft] weaving io.weft.smoke.app.HelloApp.greet"), out);
      assertTrue(out.contains("[weft] woven io.weft.smoke.app.HelloApp"), out);
      assertTrue(out.contains("[weft] debug span ended: 'HelloApp.greet' INTERNAL"), out);
      assertFalse(out.contains("internal error"), out);
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void startupLineSaysWhatIsOn(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_JDBC_ENABLED", "false")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", GREET)
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      List<String> weftLines = app.output().lines().filter(l -> l.startsWith("[weft]")).toList();
      assertEquals(1, weftLines.size(), "one start-up line, nothing else: " + weftLines);
      String line = weftLines.get(0);
      for (String part : List.of("service.name=smoke-app", "service.instance.id=", "http/protobuf " + otlp.httpEndpoint() + "/v1/traces",
          "instrumentations=methods,servlet,jdbc(off)")) {
        assertTrue(line.contains(part), part + " missing in: " + line);
      }
    }
  }
}
