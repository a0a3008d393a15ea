package io.weft.smoke;

import static io.weft.receiver.SpanMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.trace.v1.Status.StatusCode;
import io.weft.receiver.OtlpReceiver;
import io.weft.receiver.ReceivedSpan;
import io.weft.smoke.app.ExecutorsApp;
import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.Jdk;
import io.weft.smoke.support.Jdks;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The trace context carried into tasks handed to executors, {@code CompletableFuture} and fork-join pools, in a
 * real JVM on each JDK: every carried task's span is a child of the span that handed it over, a task of a task
 * nests, the application's exception passes through, {@code ThreadPoolExecutor} still hands the application its
 * own task objects, and what is deliberately not carried (a periodic task, a task handed over outside any span)
 * starts traces of its own.
 */
class ExecutorsIT {

  private static final String APP = "io.weft.smoke.app.ExecutorsApp";
  private static final String INCLUDE = APP + "[request,periodic];" + APP + "$Tasks[*]";
  private static final String TASKS = "ExecutorsApp$Tasks.";
  /**
   * The JVM does not verify the JDK's own classes unless told to: with this it verifies the woven ones, every
   * method of them, as they load and as they are retransformed, so a weaving fault is a VerifyError here.
   */
  private static final String VERIFY_JDK_CLASSES = "-XX:+BytecodeVerificationLocal";

  /** Handed over inside {@code request} in ways that carry the context, on every JDK. */
  private static final List<String> CARRIED = List.of("viaSubmitCallable", "viaSubmitRunnable", "viaInvokeAll",
      "viaInvokeAny", "viaSchedule", "viaSupplyAsync", "viaRunAsync", "viaThenApplyAsync", "viaThenAcceptAsync",
      "viaThenCombineAsync", "viaWhenCompleteAsync", "viaForkJoinSubmit", "viaForkJoinExecute", "viaSingleThread",
      "viaExecute", "viaQueuedExecute", "failing");
  /** Handed over through the virtual-thread executor, on JDK 21 and later. */
  private static final List<String> CARRIED_VIRTUAL = List.of("viaVirtualSubmit", "viaVirtualExecute");

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void tasksRunUnderTheSpanThatHandedThemOver(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .jvmArg("-XX:+UnlockDiagnosticVMOptions").jvmArg(VERIFY_JDK_CLASSES)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", INCLUDE)
            .start(ExecutorsApp.class)) {
      assertEquals(0, app.awaitExit(), app::describe);
      try {
        assertCarried(otlp, app, expectedCarried(jdk));
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\n" + app.describe(), e);
      }
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void taskClassesLoadedBeforeAnAttachAreRetransformed(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withoutAgent(jdk)
            .jvmArg("-XX:+UnlockDiagnosticVMOptions").jvmArg(VERIFY_JDK_CLASSES)
            .property("jdk.attach.allowAttachSelf", "true")
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.httpEndpoint())
            .env("OTEL_BSP_SCHEDULE_DELAY", "100")
            .env("OTEL_JAVAAGENT_DEBUG", "true")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", INCLUDE)
            .start(ExecutorsApp.class, "attach", ChildJvm.agentJar().toString())) {
      assertEquals(0, app.awaitExit(), app::describe);
      try {
        assertTrue(app.output().contains("before attach 2 3 4"), "the tasks ran before the agent came");
        assertTrue(app.output().contains("(attached)"), "the agent attached");
        assertTrue(app.output().matches("(?s).*retransforming \\d+ task class\\(es\\) loaded before the agent.*"),
            "FutureTask, CompletableFuture and the fork-join adapters were loaded before: retransformed");
        assertCarried(otlp, app, expectedCarried(jdk));
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\n" + app.describe(), e);
      }
    }
  }

  @Test
  void switchedOffNothingIsCarried() {
    Jdk jdk = Jdks.current();
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", INCLUDE)
            .env("OTEL_INSTRUMENTATION_EXECUTORS_ENABLED", "false")
            .start(ExecutorsApp.class)) {
      assertEquals(0, app.awaitExit(), app::describe);
      assertTrue(app.output().contains("executors(off)"), app.describe());
      ReceivedSpan request = otlp.awaitSpan(named("ExecutorsApp.request"));
      for (String task : CARRIED) {
        ReceivedSpan span = otlp.awaitSpan(named(TASKS + task));
        assertTrue(span.isRoot(), task + " carries nothing with the instrumentation off: " + span);
        assertNotEquals(request.traceId(), span.traceId(), task);
      }
      // what proves the carrying above: the worker's pieces of the stream, every leaf of the RecursiveTask
      assertTrue(otlp.awaitSpans(named(TASKS + "viaParallelStream"), ExecutorsApp.PIECES).stream().anyMatch(ReceivedSpan::isRoot),
          "a piece the common pool's worker ran has no parent");
      assertTrue(otlp.awaitSpans(named(TASKS + "viaRecursiveTask"), 8).stream().allMatch(ReceivedSpan::isRoot));
    }
  }

  @Test
  void aCarrierThatFailsIsReportedOnceAndTheApplicationCannotTell() {
    Jdk jdk = Jdks.current();
    List<String> baseline;
    try (ChildJvm plain = ChildJvm.withoutAgent(jdk).start(ExecutorsApp.class)) {
      assertEquals(0, plain.awaitExit(), plain::describe);
      baseline = applicationLines(plain.output());
    }
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .property("weft.test.fault", "context")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", INCLUDE)
            .start(ExecutorsApp.class)) {
      assertEquals(0, app.awaitExit(), app::describe);
      try {
        assertEquals(baseline, applicationLines(app.output()), "the application's own output, line by line");
        List<String> errors = app.output().lines().filter(l -> l.startsWith("[weft] internal error")).toList();
        assertEquals(1, errors.size(), "one line for the failing place: " + errors);
        assertTrue(errors.get(0).startsWith("[weft] internal error in carrying the context (contained;"), errors.get(0));
        assertTrue(errors.get(0).contains("fault injected at context carry"), errors.get(0));
        // the spans are still made, only not carried
        ReceivedSpan request = otlp.awaitSpan(named("ExecutorsApp.request"));
        for (String task : List.of("viaSubmitCallable", "viaSupplyAsync", "viaExecute", "viaForkJoinSubmit")) {
          ReceivedSpan span = otlp.awaitSpan(named(TASKS + task));
          assertTrue(span.isRoot(), task + ": " + span);
          assertNotEquals(request.traceId(), span.traceId(), task);
        }
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\n" + app.describe(), e);
      }
    }
  }

  /** What the application printed itself: every line but the agent's. */
  private static List<String> applicationLines(String output) {
    return output.lines().filter(l -> !l.startsWith("[weft]")).toList();
  }

  private static List<String> expectedCarried(Jdk jdk) {
    List<String> carried = new ArrayList<>(CARRIED);
    if (Integer.parseInt(jdk.name()) >= 21) {
      carried.addAll(CARRIED_VIRTUAL);
    }
    return carried;
  }

  private static void assertCarried(OtlpReceiver otlp, ChildJvm app, List<String> carried) {
    String out = app.output();
    assertTrue(out.contains("executors app done"), "the application finished");
    assertTrue(out.contains("task failed java.lang.IllegalStateException: task failed on purpose"),
        "the application's exception passes through the carried task unchanged");
    assertTrue(out.contains("callbacks a1 null ab a"), "the callbacks ran with their arguments");
    assertFalse(out.contains("[weft] internal error"), "agent errors in the application's output");

    ReceivedSpan request = otlp.awaitSpan(named("ExecutorsApp.request"));
    assertTrue(request.isRoot());
    for (String task : carried) {
      ReceivedSpan span = otlp.awaitSpan(named(TASKS + task));
      assertEquals(request.traceId(), span.traceId(), task + " is in the trace of the span that handed it over");
      assertEquals(request.spanId(), span.parentSpanId(), task + "'s parent is the span that handed it over");
    }
    assertEquals(1, otlp.spans().stream().filter(named(TASKS + "viaSubmitCallable")).count(), "one span per task");

    ReceivedSpan outer = otlp.awaitSpan(named(TASKS + "viaSubmitCallable"));
    ReceivedSpan nested = otlp.awaitSpan(named(TASKS + "nested"));
    assertEquals(outer.spanId(), nested.parentSpanId(), "a task handed over by a carried task nests under it");

    // fork-join tasks: a parallel stream's pieces on the caller and the common pool's worker, a RecursiveTask's
    // leaves, whatever thread forked them
    assertTrue(out.contains("parallel stream " + (ExecutorsApp.PIECES * (ExecutorsApp.PIECES - 1) / 2) + " on several threads"),
        "the stream's pieces ran on more than one thread");
    for (ReceivedSpan piece : otlp.awaitSpans(named(TASKS + "viaParallelStream"), ExecutorsApp.PIECES)) {
      assertEquals(request.spanId(), piece.parentSpanId(), "a parallel stream's piece nests under the request: " + piece);
    }
    assertTrue(out.contains("recursive task 28"), "the RecursiveTask's sum");
    for (ReceivedSpan leaf : otlp.awaitSpans(named(TASKS + "viaRecursiveTask"), 8)) {
      assertEquals(request.spanId(), leaf.parentSpanId(), "a forked half's leaf nests under the request: " + leaf);
    }

    ReceivedSpan failing = otlp.awaitSpan(named(TASKS + "failing"));
    assertEquals(StatusCode.STATUS_CODE_ERROR, failing.statusCode());
    assertEquals("java.lang.IllegalStateException", failing.stringAttr("error.type"));

    assertTrue(out.contains("identity true true true"),
        "ThreadPoolExecutor hands the application's own task objects to remove, getQueue and beforeExecute");
    assertTrue(otlp.spans().stream().noneMatch(named(TASKS + "neverRuns")), "a removed task never ran");

    // not carried, by design: each a trace of its own
    ReceivedSpan outside = otlp.awaitSpan(named(TASKS + "viaOutside"));
    assertTrue(outside.isRoot(), "handed over where no span was current: " + outside);
    ReceivedSpan outsideExecute = otlp.awaitSpan(named(TASKS + "viaOutsideExecute"));
    assertTrue(outsideExecute.isRoot(), "executed outside any span, on the thread that ran carried tasks before: the"
        + " carried context did not stay behind: " + outsideExecute);
    ReceivedSpan periodicRoot = otlp.awaitSpan(named("ExecutorsApp.periodic"));
    List<ReceivedSpan> periodic = otlp.awaitSpans(named(TASKS + "viaPeriodic"), 2);
    for (ReceivedSpan run : periodic) {
      assertTrue(run.isRoot(), "a periodic task's runs carry nothing: " + run);
      assertNotEquals(periodicRoot.traceId(), run.traceId());
    }
  }
}
