package io.weft.smoke;

import static io.weft.receiver.SpanMatchers.kind;
import static io.weft.receiver.SpanMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.weft.receiver.LogMatchers;
import io.weft.receiver.OtlpReceiver;
import io.weft.smoke.app.safety.HostSafetyApp;
import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.Jdk;
import io.weft.smoke.support.Jdks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent never hurts its host, even when its own code fails: the host-safety application (traced
 * methods, servlet requests on Tomcat 11, JDBC on H2, exit code 7) prints exactly the same results and
 * exceptions and exits the same without the agent, with it, and with {@code -Dweft.test.fault} making the
 * agent's span and attribute code throw; each failing place is reported in one {@code [weft]} line.
 */
class HostSafetyIT {

  static final String INCLUDE = "io.weft.smoke.app.safety.Ledger[*];io.weft.smoke.app.servlet.Work[compute]";

  /** The JVM's one line about the bridge on the bootstrap class path (README), printed whenever the agent runs. */
  private static final String CDS_WARNING = "Sharing is only supported for boot loader classes because bootstrap classpath has been appended";
  private static final Pattern INTERNAL_ERROR = Pattern.compile("^\\[weft\\] internal error in (.+?) \\(contained; .*$");

  /** Each JDK's output without the agent, the reference every run is compared with. */
  private static final Map<String, List<String>> baselines = new ConcurrentHashMap<>();

  static Stream<Arguments> jdksAndFaults() {
    List<Arguments> cases = new ArrayList<>();
    Jdks.all().forEach(jdk -> {
      for (String fault : List.of("off", "spans", "attributes", "export", "logs", "all")) {
        // "all" adds nothing JDK-specific to the others; the export pipeline and the log records are the same code on every JDK
        if (!(fault.equals("all") || fault.equals("export") || fault.equals("logs")) || jdk.equals(Jdks.current())) {
          cases.add(Arguments.of(jdk, fault));
        }
      }
    });
    return cases.stream();
  }

  @ParameterizedTest(name = "JDK {0}, -Dweft.test.fault={1}")
  @MethodSource("jdksAndFaults")
  void theApplicationCannotTellTheAgentFailed(Jdk jdk, String fault) {
    List<String> baseline = baselines.computeIfAbsent(jdk.name(), name -> baseline(jdk));
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = app(ChildJvm.withAgent(jdk, otlp).env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", INCLUDE), fault)) {
      assertEquals(7, app.awaitExit(Duration.ofSeconds(90)), "the exit code is the application's\n" + app.describe());
      String out = app.output();
      assertEquals(baseline, applicationLines(out), "the application's own output, line by line\n" + app.describe());

      List<String> weft = out.lines().filter(l -> l.startsWith("[weft] ")).toList();
      Set<String> failedPlaces = new TreeSet<>();
      List<String> other = new ArrayList<>();
      for (String line : weft) {
        Matcher internal = INTERNAL_ERROR.matcher(line);
        if (internal.matches()) {
          assertTrue(line.contains("FaultInjection$InjectedFault: fault injected at"),
              "only injected faults, no failure of ours they caused: " + line + "\n" + app.describe());
          assertTrue(failedPlaces.add(internal.group(1)), "one line per failing place: " + line + "\n" + app.describe());
        } else {
          other.add(line);
        }
      }
      // the start-up line, the switch's own line, and for a failing export the exit line counting what it dropped
      assertEquals(fault.equals("off") ? 1 : fault.equals("export") ? 3 : 2, other.size(), other.toString());
      if (fault.equals("export")) {
        assertTrue(other.get(2).matches("\\[weft\\] exit: every waiting span was delivered; dropped during the run: encoding_failed=\\d+"),
            other.toString());
        assertEquals(List.of(), otlp.spans(), "every batch failed to encode: nothing was sent, and the count says so");
      }
      // the start-up line comes once the bridges are live, and a woven call may already have run by then: any order
      assertEquals(1, other.stream().filter(line -> line.startsWith("[weft] Weft ")).count(), other.toString());
      assertEquals(expectedPlaces(fault), failedPlaces, "where the agent's own code failed\n" + app.describe());
      if (fault.equals("off")) {
        // the same run with working instrumentation: every kind of span is there, so the faults had something to break
        otlp.awaitSpan(named("Ledger.total"));
        otlp.awaitSpan(named("Ledger.audit"));
        otlp.awaitSpan(kind(SpanKind.SPAN_KIND_SERVER).and(named("GET /app/fail")));
        otlp.awaitSpan(kind(SpanKind.SPAN_KIND_CLIENT).and(named("SELECT accounts")));
        otlp.awaitLog(LogMatchers.scope("safety.app"));
      } else {
        assertEquals(1, other.stream().filter(line -> line.contains("-Dweft.test.fault=" + fault + ": the agent's own code throws on purpose"))
            .count(), other.toString());
      }
    }
  }

  private static Set<String> expectedPlaces(String fault) {
    switch (fault) {
      case "off":
        return Set.of();
      case "export":
        return Set.of("span export");
      case "logs":
        return Set.of("log records (java.util.logging)");
      case "attributes":
        return Set.of("method span end", "async method span end", "jdbc span end", "servlet span end", "servlet async listener");
      case "all": // no span starts, so no end is reached
        return Set.of("method span start", "jdbc span start", "servlet span start", "log records (java.util.logging)");
      default: // spans
        return Set.of("method span start", "jdbc span start", "servlet span start");
    }
  }

  private static List<String> baseline(Jdk jdk) {
    try (ChildJvm app = app(ChildJvm.withoutAgent(jdk), "off")) {
      assertEquals(7, app.awaitExit(Duration.ofSeconds(90)), app::describe);
      List<String> lines = applicationLines(app.output());
      assertTrue(lines.contains("audit threw io.weft.smoke.app.safety.Ledger$LedgerException: books do not balance: 3 != 4"
          + " (thrown in <clinit>) same instance true"), app.describe());
      assertTrue(lines.contains("GET /app/fail -> 500"), app.describe());
      assertEquals("host safety app done", lines.get(lines.size() - 1), app.describe());
      return lines;
    }
  }

  private static ChildJvm app(ChildJvm.Builder builder, String fault) {
    if (!fault.equals("off")) {
      builder.property("weft.test.fault", fault);
    }
    Path h2 = ChildJvm.libs("jdbc").stream().filter(p -> p.getFileName().toString().startsWith("h2-")).findFirst().orElseThrow();
    return builder.libs("tomcat11").classpath(h2)
        .jvmArg("-Xmx256m")
        .jvmArg("-XX:TieredStopAtLevel=1")
        .start(HostSafetyApp.class);
  }

  /** What the application printed: everything but the agent's lines and the JVM's warning about the bridge. */
  private static List<String> applicationLines(String output) {
    return output.lines().filter(l -> !l.startsWith("[weft] ") && !l.contains(CDS_WARNING)).toList();
  }
}
