package io.weft.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.weft.receiver.ExportListener;
import io.weft.receiver.OtlpReceiver;
import io.weft.receiver.ReceivedSpan;
import io.weft.smoke.app.safety.ConcurrencyApp;
import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.Jdk;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 200 threads make traced calls, each running a JDBC statement on H2, for a few seconds: the application
 * finishes (no deadlock; a thread dump if it does not), every span arrives (exactly one method span and
 * one statement span per call the application counted) and each statement span is the child of its call's.
 */
class ConcurrencyIT {

  private static final int THREADS = 200;
  private static final String WORK = "LoadWorker.unitOfWork";

  /** What the test keeps of each span: the receiver only forwards, so 40,000 spans cost a few MB. */
  record Seen(String traceId, String spanId, String parentSpanId, String name, SpanKind kind) {}

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void twoHundredThreadsLoseNoSpanAndKeepEveryParent(Jdk jdk) {
    ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    ExportListener keep = new ExportListener() {
      @Override
      public void spansReceived(List<ReceivedSpan> spans) {
        for (ReceivedSpan s : spans) {
          seen.add(new Seen(s.traceId(), s.spanId(), s.parentSpanId(), s.name(), s.kind()));
        }
      }
    };
    Path h2 = ChildJvm.libs("jdbc").stream().filter(p -> p.getFileName().toString().startsWith("h2-")).findFirst().orElseThrow();
    try (OtlpReceiver otlp = OtlpReceiver.forward(0, -1, keep);
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.app.safety.LoadWorker[unitOfWork]")
            .env("OTEL_BSP_MAX_QUEUE_SIZE", "100000") // large enough that nothing is dropped: the count must be exact
            .env("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "2048")
            .env("WEFT_SHUTDOWN_TIMEOUT", "60s")
            .classpath(h2)
            .jvmArg("-Xmx384m")
            .start(ConcurrencyApp.class, String.valueOf(THREADS), "3000", "100")) {
      assertEquals(0, exitOrThreadDump(app, jdk, Duration.ofSeconds(120)), app::describe);
      Matcher result = Pattern.compile("calls (\\d+) rows (\\d+)").matcher(app.output());
      assertTrue(result.find(), app.describe());
      long calls = Long.parseLong(result.group(1));
      assertEquals(calls, Long.parseLong(result.group(2)), "every call inserted its row");
      assertTrue(calls >= THREADS, "every thread made calls: " + calls);

      // all were flushed before the JVM exited; the poll only covers the receiver finishing its last request
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (seen.stream().filter(s -> s.name().equals(WORK)).count() < calls && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      }
      Map<String, Seen> work = new HashMap<>();
      Map<String, Integer> statementsPerCall = new HashMap<>();
      for (Seen s : seen) {
        if (s.name().equals(WORK)) {
          assertEquals(null, work.put(s.spanId(), s), "span ids are unique: " + s);
          assertEquals("", s.parentSpanId(), "each call is a root: " + s);
          statementsPerCall.putIfAbsent(s.spanId(), 0);
        }
      }
      long inserts = 0;
      for (Seen s : seen) {
        if (s.kind() == SpanKind.SPAN_KIND_CLIENT && s.name().startsWith("INSERT")) {
          inserts++;
          Seen parent = work.get(s.parentSpanId());
          if (parent == null || !parent.traceId().equals(s.traceId())) {
            fail("statement span without its call as parent: " + s + "\n" + app.describe());
          }
          statementsPerCall.merge(s.parentSpanId(), 1, Integer::sum);
        }
      }
      assertEquals(calls, work.size(), "one method span per call; kinds seen " + countByName(seen) + "\n" + app.describe());
      assertEquals(calls, inserts, "one statement span per call; kinds seen " + countByName(seen));
      assertEquals(Map.of(1, work.size()), statementsPerCall.values().stream()
          .collect(Collectors.groupingBy(n -> n, Collectors.summingInt(n -> 1))), "exactly one statement under each call");
      assertTrue(app.output().lines().noneMatch(l -> l.startsWith("[weft]") && !l.startsWith("[weft] Weft ")),
          "nothing but the start-up line from the agent (no drops, no internal errors)\n" + app.describe());
    }
  }

  private static Map<String, Long> countByName(ConcurrentLinkedQueue<Seen> seen) {
    return seen.stream().collect(Collectors.groupingBy(Seen::name, Collectors.counting()));
  }

  /** The exit code; if the deadline passes, fails with the child's threads, which show a deadlock if there is one. */
  private static int exitOrThreadDump(ChildJvm app, Jdk jdk, Duration deadline) {
    try {
      return app.awaitExit(deadline);
    } catch (AssertionError timeout) {
      throw new AssertionError(timeout.getMessage() + "\n--- threads:\n" + threadDump(app, jdk), timeout);
    }
  }

  private static String threadDump(ChildJvm app, Jdk jdk) {
    try {
      Process jcmd = new ProcessBuilder(jdk.home().resolve("bin").resolve("jcmd").toString(),
          String.valueOf(app.pid()), "Thread.print").redirectErrorStream(true).start();
      String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      jcmd.waitFor(30, TimeUnit.SECONDS);
      return dump;
    } catch (IOException e) {
      return "<no thread dump: " + e + ">";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "<interrupted>";
    }
  }
}
