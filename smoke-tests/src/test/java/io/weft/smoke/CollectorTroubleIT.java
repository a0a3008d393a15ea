package io.weft.smoke;

import static io.weft.receiver.SpanMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.receiver.ExportAttempt;
import io.weft.receiver.OtlpReceiver;
import io.weft.receiver.ReceivedSpan;
import io.weft.receiver.Signal;
import io.weft.receiver.TestCertificate;
import io.weft.smoke.app.SteadyLoadApp;
import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.Jdk;
import io.weft.smoke.support.Jdks;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A collector that is there but in trouble: throttling with and without Retry-After, slow, answering
 * garbage, dropping connections mid-request, speaking TLS with a certificate the agent must or must
 * not trust. The application runs on; the agent backs off as told and, once the collector behaves,
 * delivers every span exactly once.
 */
class CollectorTroubleIT {

  private static final String SERVICE = "io.weft.smoke.app.SteadyLoadApp$Service[handle,work]";
  private static final Predicate<ReceivedSpan> HANDLE = named("SteadyLoadApp$Service.handle");

  private final Jdk jdk = Jdks.all().findFirst().orElseThrow();

  private ChildJvm.Builder app(String endpoint) {
    return ChildJvm.withoutAgent(jdk)
        .jvmArg("-javaagent:" + ChildJvm.agentJar())
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
        .env("OTEL_SERVICE_NAME", "steady")
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .env("OTEL_METRICS_EXPORTER", "none")
        .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", SERVICE)
        .env("WEFT_EXPORT_RETRY_INITIAL_BACKOFF", "200")
        .env("WEFT_EXPORT_RETRY_MAX_BACKOFF", "1600");
  }

  private static void assertEverySpanOnce(OtlpReceiver otlp, int calls, ChildJvm app) {
    otlp.withTimeout(Duration.ofSeconds(60)).awaitSpans(HANDLE, calls);
    List<ReceivedSpan> spans = otlp.spans();
    assertEquals(2L * calls, spans.size(), "every span exactly once\n" + app.describe());
    assertEquals(2L * calls, spans.stream().map(ReceivedSpan::spanId).distinct().count(), "no duplicates");
  }

  private static List<ExportAttempt> traceAttempts(OtlpReceiver otlp) {
    return otlp.attempts().stream().filter(a -> a.signal() == Signal.TRACES).collect(Collectors.toList());
  }

  @Test
  void withoutRetryAfterTheBackoffGrowsWithJitterAndRetryAfterIsWaitedNeverABusyLoop() {
    try (OtlpReceiver otlp = OtlpReceiver.start(0, -1)) {
      otlp.respondWithStatus(503);
      try (ChildJvm app = app(otlp.httpEndpoint()).start(SteadyLoadApp.class, "8000", "400")) {
        List<ExportAttempt> unavailable = otlp.withTimeout(Duration.ofSeconds(30)).awaitAttempts(Signal.TRACES, 5).subList(0, 5);
        List<Duration> gaps = ExportAttempt.gaps(unavailable);
        // 200 ms doubling to 1.6 s, each wait a random point in the upper half of its step: at least 100, 200, 400, 800 ms
        // (lower bounds only: a loaded machine makes attempts later, never earlier)
        long[] floors = {90, 190, 390, 790};
        for (int i = 0; i < gaps.size(); i++) {
          assertTrue(gaps.get(i).toMillis() >= floors[i], "no busy loop, the backoff grows: gap " + i + " of " + gaps);
        }
        otlp.respondWithStatus(429, Duration.ofSeconds(2));
        otlp.clear();
        // those answered 429 only: an attempt answered 503 just before the switch (logged after the clear) is followed
        // by a 503 backoff, as it should be
        List<ExportAttempt> throttled = otlp.awaitAttempts(
            a -> a.signal() == Signal.TRACES && a.answer().startsWith("HTTP 429"), 3).subList(0, 3);
        for (Duration gap : ExportAttempt.gaps(throttled)) {
          assertTrue(gap.toMillis() >= 1900, "Retry-After: 2 is waited, although the backoff cap is 1.6 s: " + throttled);
        }
        otlp.respondNormally();
        otlp.clear();
        assertEquals(0, app.awaitExit(), app::describe);
        otlp.withTimeout(Duration.ofSeconds(60)).awaitSpans(HANDLE, 1);
        assertEquals(1, app.output().lines().filter(l -> l.startsWith("[weft] cannot export traces")).count(),
            "one line when export starts failing, not one per attempt\n" + app.describe());
        assertTrue(app.output().contains("[weft] exporting traces to " + otlp.httpEndpoint() + "/v1/traces works again"), app.describe());
      }
    }
  }

  @Test
  void grpcRetryInfoIsWaited() {
    try (OtlpReceiver otlp = OtlpReceiver.start(-1, 0)) {
      otlp.respondWithStatus(429, Duration.ofMillis(1500)); // RESOURCE_EXHAUSTED with RetryInfo 1.5 s
      try (ChildJvm app = app(otlp.grpcEndpoint()).env("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc").start(SteadyLoadApp.class, "4000", "400")) {
        List<ExportAttempt> throttled = otlp.withTimeout(Duration.ofSeconds(30)).awaitAttempts(Signal.TRACES, 3).subList(0, 3);
        for (Duration gap : ExportAttempt.gaps(throttled)) {
          assertTrue(gap.toMillis() >= 1400, "RetryInfo 1.5 s is waited, although the backoff cap is 1.6 s from 0.2 s: " + throttled);
        }
        otlp.respondNormally();
        assertEquals(0, app.awaitExit(), app::describe);
        assertEverySpanOnce(otlp, 4000, app);
        assertTrue(app.output().contains("gRPC RESOURCE_EXHAUSTED"), app.describe());
        assertTrue(app.output().contains("(RetryInfo 1500 ms)"), app.describe());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"slow", "garbage", "close-mid-request", "non-http"})
  void afterTheTroubleEverySpanArrivesOnce(String trouble) {
    try (OtlpReceiver otlp = OtlpReceiver.start(0, -1)) {
      switch (trouble) {
        case "slow":
          otlp.respondSlowly(Duration.ofSeconds(2));
          break;
        case "garbage":
          otlp.respondWithGarbage();
          break;
        case "close-mid-request":
          otlp.closeMidRequest();
          break;
        default:
          otlp.respondWithNonHttpBytes();
      }
      try (ChildJvm app = app(otlp.httpEndpoint()).start(SteadyLoadApp.class, "1200", "400")) {
        otlp.withTimeout(Duration.ofSeconds(30)).awaitArrivals(3);
        app.awaitOutput("halfway");
        otlp.respondNormally();
        otlp.respondSlowly(Duration.ZERO);
        assertEquals(0, app.awaitExit(), app::describe);
        assertTrue(app.output().contains("load done calls=1200"), app.describe());
        assertEverySpanOnce(otlp, 1200, app);
        if (trouble.equals("garbage")) {
          assertTrue(app.output().lines().noneMatch(l -> l.startsWith("[weft] cannot export")),
              "a 200 with an unreadable body is a delivery\n" + app.describe());
        } else if (!trouble.equals("slow")) {
          assertTrue(app.output().contains("[weft] cannot export traces"), app.describe());
        }
      }
    }
  }

  @Test
  void tlsWithTheCollectorsCertificateDeliversOverHttpsAndGrpc() {
    try (OtlpReceiver otlp = OtlpReceiver.startTls()) {
      try (ChildJvm app = app(otlp.httpEndpoint())
          .env("OTEL_EXPORTER_OTLP_CERTIFICATE", otlp.certificatePem().toString())
          .start(SteadyLoadApp.class, "50", "500")) {
        assertEquals(0, app.awaitExit(), app::describe);
        assertTrue(otlp.httpEndpoint().startsWith("https://"));
        assertEverySpanOnce(otlp, 50, app);
        assertTrue(app.output().contains("ca=custom"), "the start-up line says a CA is configured\n" + app.describe());
      }
      otlp.clear();
      try (ChildJvm app = app(otlp.grpcEndpoint())
          .env("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
          .env("OTEL_EXPORTER_OTLP_CERTIFICATE", otlp.certificatePem().toString())
          // a client identity too: the PEM key and certificate are read and presented
          .env("OTEL_EXPORTER_OTLP_CLIENT_KEY", TestCertificate.other().privateKeyPem().toString())
          .env("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", TestCertificate.other().certificatePem().toString())
          .start(SteadyLoadApp.class, "50", "500")) {
        assertEquals(0, app.awaitExit(), app::describe);
        assertEverySpanOnce(otlp, 50, app);
        assertTrue(app.output().contains("client-cert"), app.describe());
      }
    }
  }

  @Test
  void tlsWithTheWrongCertificateIsRefusedAndTheApplicationRunsOn() {
    try (OtlpReceiver otlp = OtlpReceiver.startTls();
        ChildJvm app = app(otlp.httpEndpoint())
            .env("OTEL_EXPORTER_OTLP_CERTIFICATE", TestCertificate.other().certificatePem().toString())
            .env("WEFT_SHUTDOWN_TIMEOUT", "1000")
            .start(SteadyLoadApp.class, "3000", "500")) {
      app.awaitOutput("[weft] cannot export traces");
      assertEquals(0, app.awaitExit(), app::describe);
      assertTrue(app.output().contains("load done calls=3000"), app.describe());
      assertEquals(0, otlp.spans().size(), "nothing is sent to a collector the agent cannot trust");
      assertTrue(otlp.tlsHandshakeFailures() > 0, "the agent tried and refused the handshake");
      assertTrue(app.output().contains("[weft] cannot export traces to " + otlp.httpEndpoint() + "/v1/traces: SSLHandshakeException"),
          app.describe());
      assertTrue(app.output().contains("[weft] exit: 6000 spans could not be delivered"), app.describe());
    }
  }
}
