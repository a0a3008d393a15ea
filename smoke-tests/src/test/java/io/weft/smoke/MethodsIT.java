package io.weft.smoke;

import static io.weft.receiver.SpanMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status.StatusCode;
import io.weft.receiver.HistogramPointView;
import io.weft.receiver.LogMatchers;
import io.weft.receiver.OtlpReceiver;
import io.weft.receiver.ReceivedLog;
import io.weft.receiver.ReceivedMetric;
import io.weft.receiver.ReceivedSpan;
import io.weft.smoke.app.AttachApp;
import io.weft.smoke.app.ExternalAnnotationsApp;
import io.weft.smoke.app.MethodsApp;
import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.Jdk;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Configured-method tracing end to end: every selection rule, errors, nesting, async, class loaders, attach. */
class MethodsIT {

  private static final String APP = "io.weft.smoke.app.";
  static final String INCLUDE = String.join(";",
      APP + "Shop[*]",
      APP + "Repository[load]",
      APP + "AbstractHandler[handle]",
      APP + "Pricing[apply]",
      APP + "Versioned[compareTo]",
      APP + "service.*Service[get*]",
      APP + "Plugin[run]");

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void everySelectionRuleGivesTheRightSpans(Jdk jdk) throws Exception {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", INCLUDE)
            .env("WEFT_METHODS_EXCLUDE", APP + "Shop[secret*]")
            .env("OTEL_INSTRUMENTATION_OPENTELEMETRY_INSTRUMENTATION_ANNOTATIONS_EXCLUDE_METHODS", APP + "Annotated[excluded]")
            .libs("annotations")
            .start(MethodsApp.class)) {
      assertEquals(0, app.awaitExit(), app::describe);
      String out = app.output();
      assertTrue(out.contains("caught bad order true"), "the application's exception passes unchanged\n" + out);
      assertTrue(out.contains("async failed async failure"), out);

      // nesting: instance -> private -> static
      ReceivedSpan place = otlp.awaitSpan(named("Shop.placeOrder"));
      ReceivedSpan price = otlp.awaitSpan(named("Shop.price"));
      ReceivedSpan tax = otlp.awaitSpan(named("Shop.tax"));
      assertTrue(place.isRoot());
      assertEquals(SpanKind.SPAN_KIND_INTERNAL, place.kind());
      assertEquals(place.spanId(), price.parentSpanId());
      assertEquals(price.spanId(), tax.parentSpanId());
      assertEquals(place.traceId(), tax.traceId());
      assertEquals(APP + "Shop.placeOrder", place.stringAttr("code.function.name"));

      assertEquals(2, otlp.awaitSpans(named("Shop.find"), 2).size(), "overloads are traced each");

      ReceivedSpan fail = otlp.awaitSpan(named("Shop.fail"));
      assertEquals(StatusCode.STATUS_CODE_ERROR, fail.statusCode());
      assertEquals("java.lang.IllegalArgumentException", fail.stringAttr("error.type"));
      assertEquals("java.lang.IllegalArgumentException", fail.eventAttr("exception", "exception.type"));
      assertEquals("bad order", fail.eventAttr("exception", "exception.message"));
      assertTrue(String.valueOf(fail.eventAttr("exception", "exception.stacktrace")).contains("Shop.fail"));

      List<ReceivedSpan> recursion = otlp.awaitSpans(named("Shop.recurse"), 3);
      assertEquals(3, recursion.size());
      assertEquals(1, recursion.stream().filter(ReceivedSpan::isRoot).count(), "recursive calls nest");

      List<ReceivedSpan> async = otlp.awaitSpans(named("Shop.later"), 2);
      ReceivedSpan asyncOk = async.stream().filter(s -> s.statusCode() != StatusCode.STATUS_CODE_ERROR).findFirst().orElseThrow();
      ReceivedSpan asyncFailed = async.stream().filter(s -> s.statusCode() == StatusCode.STATUS_CODE_ERROR).findFirst().orElseThrow();
      assertTrue(asyncOk.durationNanos() >= 140_000_000L, "the span ends when the future completes: " + asyncOk);
      assertEquals("java.lang.IllegalStateException", asyncFailed.stringAttr("error.type"));

      ReceivedSpan load = otlp.awaitSpan(named("JdbcRepository.load"));
      assertEquals(APP + "JdbcRepository.load", load.stringAttr("code.function.name"));
      assertNotNull(otlp.awaitSpan(named("GreetingHandler.handle")));
      assertTrue(out.contains("priced 42"), "lambdas keep working next to the agent\n" + out);
      assertNotNull(otlp.awaitSpan(named("Pricing.apply")), "the lambda implementing a named interface");
      assertTrue(out.contains("surcharged 15") && out.contains("tripled 42") && out.contains("discounted 44"), out);
      // three lambdas (plain, capturing a local, capturing this in Shop.discounted); the method reference adds none
      List<ReceivedSpan> priced = otlp.awaitSpans(named("Pricing.apply"), 3);
      for (ReceivedSpan span : priced) {
        assertEquals(APP + "Pricing.apply", span.stringAttr("code.function.name"));
        assertEquals(SpanKind.SPAN_KIND_INTERNAL, span.kind());
      }
      ReceivedSpan discounted = otlp.awaitSpan(named("Shop.discounted"));
      assertEquals(1, priced.stream().filter(s -> s.parentSpanId().equals(discounted.spanId())).count(),
          "the lambda called inside a traced method nests under it: " + priced);
      assertEquals(2, priced.stream().filter(ReceivedSpan::isRoot).count(), "main is not traced: " + priced);
      assertNotNull(otlp.awaitSpan(named("OrderService.getOrder")));
      assertNotNull(otlp.awaitSpan(named("UserService.getUser")));
      assertNotNull(otlp.awaitSpan(named("Annotated.work")));
      ReceivedSpan custom = otlp.awaitSpan(named("custom-name"));
      assertEquals(SpanKind.SPAN_KIND_CLIENT, custom.kind());
      ReceivedSpan plugin = otlp.awaitSpan(named("Plugin.run"));
      assertTrue(app.output().contains("(loader isolated)"), "the plugin really came from the custom loader");
      assertEquals(APP + "Plugin.run", plugin.stringAttr("code.function.name"));

      // the child has exited and flushed: what is absent now is absent for good
      List<String> names = otlp.spans().stream().map(ReceivedSpan::name).collect(Collectors.toList());
      assertEquals(1, names.stream().filter("Versioned.compareTo"::equals).count(), "a bridge method gives no second span: " + names);
      assertEquals(3, names.stream().filter("Pricing.apply"::equals).count(),
          "one span per lambda call; a method reference (Prices::triple) is not woven: " + names);
      for (String absent : List.of("Shop.secretStuff", "UserService.deleteUser", "JdbcRepository.notInTheInterface", "Annotated.plain", "Annotated.excluded", "Shop.<init>", "MethodsApp.main", "Prices.triple")) {
        assertFalse(names.contains(absent), absent + " must not be traced: " + names);
      }
      assertFalse(names.stream().anyMatch(n -> n.contains("<init>") || n.contains("lambda$")), names.toString());

      // identity of the process on every span
      assertEquals("smoke-app", place.serviceName());
      assertEquals((long) app.pid(), place.resourceAttr("process.pid"));
      assertEquals("weft", place.resourceAttr("telemetry.distro.name"));
      assertEquals("opentelemetry", place.resourceAttr("telemetry.sdk.name"));
      assertEquals("java", place.resourceAttr("telemetry.sdk.language"));
      assertEquals("linux", place.resourceAttr("os.type"));
      assertNotNull(place.resourceAttr("host.name"));
      assertNotNull(place.resourceAttr("host.arch"));
      assertNotNull(place.resourceAttr("process.runtime.version"));
      assertEquals(jdk.java().toString(), place.resourceAttr("process.executable.path"), "the launcher the child was started with");
      assertNull(place.resourceAttr("process.command_args"), "a command line may hold secrets: not sent");
      assertTrue(String.valueOf(place.resourceAttr("service.instance.id")).matches("[0-9a-f-]{36}"));

      // the duration histogram, per method, with error.type on failures
      ReceivedMetric duration = otlp.awaitMetric("weft.method.duration");
      assertEquals("s", duration.unit());
      HistogramPointView placed = point(duration, APP + "Shop.placeOrder", null);
      assertEquals(1, placed.count());
      HistogramPointView failed = point(duration, APP + "Shop.fail", "java.lang.IllegalArgumentException");
      assertEquals(1, failed.count());
      // the exemplar is the call's own span (its scope is closed when the duration is recorded)
      ReceivedMetric exemplified = otlp.awaitMetric(m -> m.name().equals("weft.method.duration")
          && m.histogramPoints().stream().anyMatch(p -> (APP + "Shop.placeOrder").equals(p.attr("code.function.name"))
              && !p.exemplarSpanIds().isEmpty()));
      assertEquals(List.of(place.spanId()), point(exemplified, APP + "Shop.placeOrder", null).exemplarSpanIds());
    }
  }

  /**
   * OTEL_METRICS_EXEMPLAR_FILTER: always_off keeps even a sampled call's measurement out of the method metric's
   * exemplars; always_on keeps one when no call is sampled (always_off sampler), naming no span.
   */
  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void theExemplarFilterDecidesWhichCallsAreExemplars(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.app.HelloApp[greet]")
            .env("OTEL_METRICS_EXEMPLAR_FILTER", "always_off")
            .start(io.weft.smoke.app.HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      assertNotNull(otlp.awaitSpan(named("HelloApp.greet")), "sampled");
      HistogramPointView point = greetPoint(otlp);
      assertEquals(1, point.count());
      assertEquals(0, point.exemplarCount(), "always_off");
    }
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.app.HelloApp[greet]")
            .env("OTEL_TRACES_SAMPLER", "always_off")
            .env("OTEL_METRICS_EXEMPLAR_FILTER", "ALWAYS_ON")
            .start(io.weft.smoke.app.HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      HistogramPointView point = greetPoint(otlp);
      assertEquals(1, point.exemplarCount(), "always_on: the call not sampled is one");
      assertEquals(List.of(), point.exemplarSpanIds(), "it names no span");
      assertEquals(List.of(), otlp.spans());
      assertFalse(app.output().contains("OTEL_METRICS_EXEMPLAR_FILTER"), app::describe);
    }
  }

  /**
   * OTEL_JAVAAGENT_EXCLUDE_CLASS_LOADERS: a configured method of a class the excluded loader defines is not woven (by
   * prefix here: the application class loader); naming another loader leaves it traced.
   */
  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void classesOfAnExcludedClassLoaderAreNotWoven(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.app.HelloApp[greet]")
            .env("OTEL_JAVAAGENT_EXCLUDE_CLASS_LOADERS", "com.acme.PluginLoader, jdk.internal.loader.ClassLoaders$App*")
            .start(io.weft.smoke.app.HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      assertTrue(app.output().contains("hello from app hi weft"), app::describe);
      // the child has exited: what it exported at exit is in
      assertEquals(List.of(), otlp.spans());
      assertTrue(otlp.metrics().stream().noneMatch(m -> m.name().equals("weft.method.duration")), otlp.metrics()::toString);
    }
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.app.HelloApp[greet]")
            .env("OTEL_JAVAAGENT_EXCLUDE_CLASS_LOADERS", "com.acme.PluginLoader")
            .start(io.weft.smoke.app.HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      assertNotNull(otlp.awaitSpan(named("HelloApp.greet")));
    }
  }

  private static HistogramPointView greetPoint(OtlpReceiver otlp) {
    ReceivedMetric metric = otlp.awaitMetric(m -> m.name().equals("weft.method.duration") && m.histogramPoints().stream()
        .anyMatch(p -> "io.weft.smoke.app.HelloApp.greet".equals(p.attr("code.function.name"))));
    return metric.histogramPoints().stream()
        .filter(p -> "io.weft.smoke.app.HelloApp.greet".equals(p.attr("code.function.name"))).findFirst().orElseThrow();
  }

  /**
   * OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN=logs: a traced method's exception becomes one {@code exception} log record in
   * its span's context (ERROR: nothing of the process encloses the call), the span keeps its status and error.type but
   * no event; the same for a method whose future fails. Not sampled (always_off, no method metric), the record is
   * still made, in no span's context, and no span is (the switch under the OpenTelemetry agent's name there).
   */
  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void exceptionsBecomeLogRecordsWhenOptedIn(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", INCLUDE)
            .env("OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN", "logs")
            .libs("annotations")
            .start(MethodsApp.class)) {
      assertEquals(0, app.awaitExit(), app::describe);
      assertTrue(app.output().contains("caught bad order true"), app::describe);
      ReceivedSpan fail = otlp.awaitSpan(named("Shop.fail"));
      assertEquals(StatusCode.STATUS_CODE_ERROR, fail.statusCode());
      assertEquals("java.lang.IllegalArgumentException", fail.stringAttr("error.type"));
      assertNull(fail.event("exception"), "logs only");
      ReceivedLog record = otlp.awaitLog(log -> fail.spanId().equals(log.spanId()));
      assertEquals("exception", record.eventName());
      assertEquals(17, record.severityNumber(), "ERROR: a root span");
      assertEquals("io.weft.methods", record.scopeName());
      assertEquals(fail.traceId(), record.traceId());
      assertEquals("java.lang.IllegalArgumentException", record.attribute("exception.type"));
      assertEquals("bad order", record.attribute("exception.message"));
      assertTrue(record.attribute("exception.stacktrace").contains("Shop.fail"), record::toString);

      ReceivedSpan asyncFailed = otlp.awaitSpans(named("Shop.later"), 2).stream()
          .filter(s -> s.statusCode() == StatusCode.STATUS_CODE_ERROR).findFirst().orElseThrow();
      ReceivedLog asyncRecord = otlp.awaitLog(log -> asyncFailed.spanId().equals(log.spanId()));
      assertEquals("java.lang.IllegalStateException", asyncRecord.attribute("exception.type"));
      assertEquals("async failure", asyncRecord.attribute("exception.message"));
      assertEquals(2, otlp.logs().stream().filter(log -> "exception".equals(log.eventName())).count(),
          () -> "one record per failed call: " + otlp.logs());
    }
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", INCLUDE)
            .env("OTEL_SEMCONV_EXCEPTION_SIGNAL_PREVIEW", "logs") // the OpenTelemetry agent's name for the switch
            .env("OTEL_TRACES_SAMPLER", "always_off")
            .env("WEFT_METHODS_METRIC_ENABLED", "false")
            .libs("annotations")
            .start(MethodsApp.class)) {
      assertEquals(0, app.awaitExit(), app::describe);
      ReceivedLog record = otlp.awaitLog(log -> "bad order".equals(log.attribute("exception.message")));
      assertEquals("exception", record.eventName());
      assertEquals("", record.spanId(), "no span: the call was not sampled, nothing encloses it");
      assertEquals(List.of(), otlp.spans());
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void attachingToARunningJvmRetransformsLoadedClasses(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withoutAgent(jdk)
            .property("jdk.attach.allowAttachSelf", "true")
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.httpEndpoint())
            .env("OTEL_BSP_SCHEDULE_DELAY", "100")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", APP + "AttachApp$Worker[work]")
            .libs("jdbc")
            .start(AttachApp.class, ChildJvm.agentJar().toString(), "jdbc")) {
      assertEquals(0, app.awaitExit(), app::describe);
      assertTrue(app.output().contains("(attached)"), app.describe());
      ReceivedSpan work = otlp.awaitSpan(named("AttachApp$Worker.work"));
      assertEquals(APP + "AttachApp$Worker.work", work.stringAttr("code.function.name"));
      assertEquals(1, otlp.spans().stream().filter(s -> s.name().equals("AttachApp$Worker.work")).count(),
          "only the call after attaching is traced");
      ReceivedLog logged = otlp.awaitLog(LogMatchers.scope("attach.app"));
      assertEquals("work 2", logged.body());
      assertEquals(work.traceId(), logged.traceId());
      assertEquals(1, otlp.logs().stream().filter(l -> l.scopeName().equals("attach.app")).count(), "the line before the attach is not");
      // the JDBC instrumentation's type instrumentations, made on first need at a JVM's start, are made at once at an
      // attach, for the statement classes already loaded to be retransformed
      ReceivedSpan select = otlp.awaitSpan(span -> span.scopeName().equals("io.weft.jdbc"));
      assertEquals("SELECT", select.name(), select::toString);
      assertEquals("SELECT ?", select.stringAttr("db.query.text"), "sanitized");
      assertEquals(work.spanId(), select.parentSpanId(), "the statement runs inside the traced call");
      assertEquals(1, otlp.spans().stream().filter(s -> s.scopeName().equals("io.weft.jdbc")).count(),
          "the statement before the attach is not traced");
    }
  }

  /**
   * {@code java -jar weft-agent.jar attach <pid> <settings...>}: the agent jar's own command loads it into a running JVM,
   * with one setting per argument or several in one; {@code list} names that JVM; a mistyped command or process id is one
   * line and an exit code, never an exception.
   */
  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void theAgentJarAttachesItselfToARunningJvm(Jdk jdk) throws Exception {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withoutAgent(jdk).start(io.weft.smoke.app.TickingApp.class)) {
      app.awaitOutput("READY");
      String pid = String.valueOf(app.pid());
      Cli list = cli(jdk, "list");
      assertEquals(0, list.exit, list.output);
      assertTrue(list.output.lines().anyMatch(l -> l.equals(pid + " io.weft.smoke.app.TickingApp")), list.output);

      Cli attach = cli(jdk, "attach", pid, "otel.exporter.otlp.endpoint=" + otlp.httpEndpoint() + ",otel.bsp.schedule.delay=100",
          "otel.service.name=ticking", "otel.instrumentation.methods.include=" + APP + "TickingApp$Ticker[tick]");
      assertEquals(0, attach.exit, attach.output);
      assertTrue(attach.output.contains("loaded into process " + pid), attach.output);
      ReceivedSpan tick = otlp.awaitSpan(named("TickingApp$Ticker.tick"));
      assertEquals("ticking", tick.serviceName());
      // the start-up thread prints its line after the tracer is live, so a span can arrive before it: awaited
      assertTrue(app.awaitOutput("started (attached)").output().contains("[weft] Weft "), app.describe());
      // again: the command sees the running agent and loads nothing
      Cli again = cli(jdk, "attach", pid, "otel.service.name=other");
      assertEquals(1, again.exit, again.output);
      assertTrue(again.output.matches("\\[weft\\] Weft \\S+ is already running in process " + pid
          + ": nothing was loaded, and a running agent's settings cannot change\\R"), again.output);
      assertFalse(app.output().contains("is already running"), "nothing reached the other JVM: " + app.describe());

      Cli usage = cli(jdk);
      assertEquals(0, usage.exit, usage.output);
      assertTrue(usage.output.contains("java -jar weft-agent.jar attach <pid> [<settings>]"), usage.output);
      Cli notAPid = cli(jdk, "attach", "orders");
      assertEquals(2, notAPid.exit, notAPid.output);
      assertTrue(notAPid.output.startsWith("[weft] 'orders' is not a process id\n"), notAPid.output);
      Cli noSuchJvm = cli(jdk, "attach", "2147483646");
      assertEquals(1, noSuchJvm.exit, noSuchJvm.output);
      assertTrue(noSuchJvm.output.startsWith("[weft] cannot attach to process 2147483646: "), noSuchJvm.output);
      assertEquals(1, noSuchJvm.output.lines().count(), noSuchJvm.output);
      // a runtime without the attach API (a JRE linked without jdk.attach): one line, never a linkage error
      Cli noAttachApi = cliOn(jdk, List.of("--limit-modules", "java.base"), "attach", pid);
      assertEquals(1, noAttachApi.exit, noAttachApi.output);
      assertTrue(noAttachApi.output.startsWith("[weft] this Java runtime (") && noAttachApi.output.contains("has no jdk.attach module"),
          noAttachApi.output);
      assertEquals(1, noAttachApi.output.lines().count(), noAttachApi.output);
      assertTrue(app.isAlive(), "the service runs on");
    }
  }

  private record Cli(int exit, String output) {}

  private static Cli cli(Jdk jdk, String... args) throws Exception {
    return cliOn(jdk, List.of(), args);
  }

  /** {@code java -jar weft-agent.jar <args>} on the child's JDK: exit code, standard output and error together. */
  private static Cli cliOn(Jdk jdk, List<String> jvmArgs, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(jdk.java().toString()));
    command.addAll(jvmArgs);
    command.addAll(List.of("-jar", ChildJvm.agentJar().toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the command did not end: " + output);
    return new Cli(process.exitValue(), output);
  }

  /**
   * The configured methods and {@code @WithSpan} have switches of their own, each defaulting to the common default, as the
   * OpenTelemetry agent's {@code methods} and {@code opentelemetry-instrumentation-annotations}: the common default off with
   * the annotations' switch on traces {@code @WithSpan} alone, and either switch off leaves the other working.
   */
  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void theConfiguredMethodsAndWithSpanHaveSwitchesOfTheirOwn(Jdk jdk) {
    Map<String, List<String>> cases = new java.util.LinkedHashMap<>();
    cases.put("OTEL_INSTRUMENTATION_COMMON_DEFAULT_ENABLED=false OTEL_INSTRUMENTATION_OPENTELEMETRY_INSTRUMENTATION_ANNOTATIONS_ENABLED=true",
        List.of("Annotated.excluded", "Annotated.work", "custom-name"));
    cases.put("OTEL_INSTRUMENTATION_METHODS_ENABLED=false", List.of("Annotated.excluded", "Annotated.work", "custom-name"));
    cases.put("OTEL_INSTRUMENTATION_COMMON_DEFAULT_ENABLED=false OTEL_INSTRUMENTATION_METHODS_ENABLED=true", List.of("Shop.placeOrder"));
    cases.put("OTEL_INSTRUMENTATION_OPENTELEMETRY_INSTRUMENTATION_ANNOTATIONS_ENABLED=false", List.of("Shop.placeOrder"));
    for (Map.Entry<String, List<String>> c : cases.entrySet()) {
      try (OtlpReceiver otlp = OtlpReceiver.start()) {
        ChildJvm.Builder builder = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", APP + "Shop[placeOrder]")
            .libs("annotations");
        for (String setting : c.getKey().split(" ")) {
          builder.env(setting.substring(0, setting.indexOf('=')), setting.substring(setting.indexOf('=') + 1));
        }
        try (ChildJvm app = builder.start(MethodsApp.class)) {
          assertEquals(0, app.awaitExit(), app::describe);
          otlp.awaitSpan(named(c.getValue().get(0)));
          // the JVM has exited and flushed: these are all
          assertEquals(c.getValue(), otlp.spans().stream().map(ReceivedSpan::name).sorted().distinct().collect(Collectors.toList()),
              c.getKey() + "\n" + app.describe());
        }
      }
    }
  }

  /**
   * Other agents' annotations (New Relic's, Datadog's @Trace) are traced as @WithSpan is, by the OpenTelemetry agent's
   * list; exclude-methods leaves one out; include replaces the list (a malformed entry is one line); the switch ends it.
   */
  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void otherAgentsAnnotationsAreTracedAsWithSpanIs(Jdk jdk) {
    String app = APP + "ExternalAnnotationsApp";
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm child = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_EXTERNAL_ANNOTATIONS_EXCLUDE_METHODS", app + "[excluded]")
            .start(ExternalAnnotationsApp.class)) {
      assertEquals(7, child.awaitExit(), child::describe);
      assertTrue(child.output().contains("external 21 300 -4 5"), child::describe);
      ReceivedSpan outer = otlp.awaitSpan(named("ExternalAnnotationsApp.outer"));
      ReceivedSpan inner = otlp.awaitSpan(named("ExternalAnnotationsApp.newRelic"));
      assertEquals(outer.spanId(), inner.parentSpanId(), "nested calls nest");
      assertEquals(SpanKind.SPAN_KIND_INTERNAL, inner.kind());
      assertEquals(app + ".newRelic", inner.stringAttr("code.function.name"));
      otlp.awaitSpan(named("ExternalAnnotationsApp.datadog"));
      // the JVM has exited and flushed: these are all
      assertEquals(List.of("ExternalAnnotationsApp.datadog", "ExternalAnnotationsApp.newRelic", "ExternalAnnotationsApp.outer"),
          otlp.spans().stream().map(ReceivedSpan::name).sorted().collect(Collectors.toList()));
    }
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm child = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_EXTERNAL_ANNOTATIONS_INCLUDE", APP + "Timed;not an annotation")
            .start(ExternalAnnotationsApp.class)) {
      assertEquals(7, child.awaitExit(), child::describe);
      otlp.awaitSpan(named("ExternalAnnotationsApp.timed"));
      assertEquals(List.of("ExternalAnnotationsApp.timed"), otlp.spans().stream().map(ReceivedSpan::name).collect(Collectors.toList()),
          "the list replaced, not extended");
      assertEquals(1, child.output().lines().filter(l -> l.startsWith("[weft] OTEL_INSTRUMENTATION_EXTERNAL_ANNOTATIONS_INCLUDE: "
          + "'not an annotation' is not a fully qualified annotation name")).count(), child::describe);
    }
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm child = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_EXTERNAL_ANNOTATIONS_ENABLED", "false")
            .start(ExternalAnnotationsApp.class)) {
      assertEquals(7, child.awaitExit(), child::describe);
      assertEquals(List.of(), otlp.spans(), "nothing woven: no SDK, no span");
      assertFalse(child.output().contains("[weft]"), child::describe);
    }
  }

  private static HistogramPointView point(ReceivedMetric metric, String function, String errorType) {
    return metric.histogramPoints().stream()
        .filter(p -> function.equals(p.attr("code.function.name")))
        .filter(p -> errorType == null ? p.attr("error.type") == null : errorType.equals(p.attr("error.type")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no point for " + function + " error.type=" + errorType + " in " + metric.histogramPoints()));
  }
}
