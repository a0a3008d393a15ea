package io.weft.bench;

import io.weft.bench.jmh.Handoff;
import io.weft.bench.jmh.SqlSanitizerBenchmark;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Figures 2 and 6 with JMH: one call of a traced method without an agent and under each agent sampled, not
 * sampled, sampled with the traces exporter off and with the methods instrumentation off (time and bytes allocated
 * per call, {@code -prof gc}); then,
 * without an agent, a bare SDK span (the allocation budget) and Weft's SQL sanitizer.
 */
final class CallCostSuite {
  private static final String PACKAGE = "io\\.weft\\.bench\\.jmh\\.";
  private static final List<String> FORK_JVM_ARGS = List.of("-Xms1g", "-Xmx1g");
  private static final int CORES = Math.max(2, Runtime.getRuntime().availableProcessors());

  /** One fork configuration of the traced-call benchmark. */
  private record Variant(String label, Agent agent, Map<String, String> overrides, int threads) {
    Variant(String label, Agent agent, Map<String, String> overrides) {
      this(label, agent, overrides, 1);
    }
  }

  private static final List<Variant> VARIANTS = List.of(
      new Variant("no agent", Agent.NONE, Map.of()),
      new Variant("sampled, exported", Agent.WEFT, Map.of()),
      new Variant("not sampled (always_off)", Agent.WEFT, Map.of("OTEL_TRACES_SAMPLER", "always_off")),
      new Variant("methods instrumentation disabled", Agent.WEFT, Map.of("OTEL_INSTRUMENTATION_METHODS_ENABLED", "false")),
      new Variant("sampled, exported", Agent.OTEL, Map.of()),
      new Variant("not sampled (always_off)", Agent.OTEL, Map.of("OTEL_TRACES_SAMPLER", "always_off")),
      new Variant("methods instrumentation disabled", Agent.OTEL, Map.of("OTEL_INSTRUMENTATION_METHODS_ENABLED", "false")),
      // Weft only: the OTel agent has no method metric, so its always_off row is already this case
      new Variant("not sampled, no method metric", Agent.WEFT,
          Map.of("OTEL_TRACES_SAMPLER", "always_off", "WEFT_METHODS_METRIC_ENABLED", "false")),
      // the same method called on every core at once: what the agents' shared state costs (cache lines
      // moving between cores), which one thread never shows
      new Variant("no agent", Agent.NONE, Map.of(), CORES),
      new Variant("not sampled (always_off)", Agent.WEFT, Map.of("OTEL_TRACES_SAMPLER", "always_off"), CORES),
      new Variant("not sampled (always_off)", Agent.OTEL, Map.of("OTEL_TRACES_SAMPLER", "always_off"), CORES),
      // sampled with nothing exported: the call path alone, without the export threads and the receiver
      // competing with the calling thread for the two cores
      new Variant("sampled, traces exporter off", Agent.WEFT, Map.of("OTEL_TRACES_EXPORTER", "none")),
      new Variant("sampled, traces exporter off", Agent.OTEL, Map.of("OTEL_TRACES_EXPORTER", "none")));

  /** The task hand-over figure's forks: Weft with its executors instrumentation on and off, beside the others. */
  private static final List<Variant> HANDOFF_VARIANTS = List.of(
      new Variant("no agent", Agent.NONE, Map.of()),
      new Variant("executors on (default)", Agent.WEFT, Map.of()),
      new Variant("executors off", Agent.WEFT, Map.of("OTEL_INSTRUMENTATION_EXECUTORS_ENABLED", "false")),
      new Variant("default", Agent.OTEL, Map.of()));
  private static final List<String> HANDOFF_BENCHMARKS = List.of("outsideSpan", "insideSpan");

  /** The log call figure's forks: each agent with its log records exported and with them off. */
  private static final List<Variant> LOG_VARIANTS = List.of(
      new Variant("no agent", Agent.NONE, Map.of()),
      new Variant("log records exported", Agent.WEFT, Map.of("OTEL_LOGS_EXPORTER", "otlp")),
      new Variant("OTEL_LOGS_EXPORTER=none", Agent.WEFT, Map.of()),
      new Variant("log records exported", Agent.OTEL, Map.of("OTEL_LOGS_EXPORTER", "otlp")),
      new Variant("OTEL_LOGS_EXPORTER=none", Agent.OTEL, Map.of()));

  /** The servlet request figure's forks: each agent exporting its spans, and with its traces exporter off. */
  private static final List<Variant> SERVLET_VARIANTS = List.of(
      new Variant("no agent", Agent.NONE, Map.of()),
      new Variant("spans exported", Agent.WEFT, Map.of()),
      new Variant("traces exporter off", Agent.WEFT, Map.of("OTEL_TRACES_EXPORTER", "none")),
      new Variant("spans exported", Agent.OTEL, Map.of()),
      new Variant("traces exporter off", Agent.OTEL, Map.of("OTEL_TRACES_EXPORTER", "none")));

  private final Harness harness;
  private final Map<Variant, Stats> servletNanos = new LinkedHashMap<>();
  private final Map<Variant, Stats> servletBytes = new LinkedHashMap<>();
  private final Map<Variant, Stats> logNanos = new LinkedHashMap<>();
  private final Map<Variant, Stats> logBytes = new LinkedHashMap<>();
  /** Hand-over ns and B per operation ({@link Handoff#TASKS} tasks), by variant, then benchmark. */
  private final Map<Variant, Map<String, Stats>> handoffNanos = new LinkedHashMap<>();
  private final Map<Variant, Map<String, Stats>> handoffBytes = new LinkedHashMap<>();
  private final Map<Variant, Stats> nanos = new LinkedHashMap<>();
  private final Map<Variant, Stats> bytes = new LinkedHashMap<>();
  private final Map<String, double[]> reference = new LinkedHashMap<>(); // benchmark -> {ns, B}

  CallCostSuite(Harness harness) {
    this.harness = harness;
    for (Variant variant : VARIANTS) {
      nanos.put(variant, new Stats());
      bytes.put(variant, new Stats());
    }
    for (Variant variant : SERVLET_VARIANTS) {
      servletNanos.put(variant, new Stats());
      servletBytes.put(variant, new Stats());
    }
    for (Variant variant : LOG_VARIANTS) {
      logNanos.put(variant, new Stats());
      logBytes.put(variant, new Stats());
    }
    for (Variant variant : HANDOFF_VARIANTS) {
      handoffNanos.put(variant, new LinkedHashMap<>());
      handoffBytes.put(variant, new LinkedHashMap<>());
      for (String benchmark : HANDOFF_BENCHMARKS) {
        handoffNanos.get(variant).put(benchmark, new Stats());
        handoffBytes.get(variant).put(benchmark, new Stats());
      }
    }
  }

  void run(Report report) throws Exception {
    int rounds = harness.settings.callRounds();
    for (int round = 1; round <= rounds; round++) {
      for (Variant variant : VARIANTS) {
        Bench.log("JMH round " + round + "/" + rounds + ": traced call, " + variant.agent().label + ", "
            + variant.label() + (variant.threads() > 1 ? ", " + variant.threads() + " threads" : ""));
        for (RunResult result : jmh(PACKAGE + "TracedCallBenchmark\\.tracedCall$", variant.agent(),
            variant.overrides(), variant.threads(), "jmh-traced-" + variant.agent().name().toLowerCase())) {
          nanos.get(variant).add(result.getPrimaryResult().getScore());
          bytes.get(variant).add(allocated(result));
        }
      }
    }
    for (int round = 1; round <= rounds; round++) {
      for (Variant variant : HANDOFF_VARIANTS) {
        Bench.log("JMH round " + round + "/" + rounds + ": task hand-over, " + variant.agent().label + ", " + variant.label());
        for (RunResult result : jmh(PACKAGE + "TaskHandoffBenchmark\\.", variant.agent(), variant.overrides(), 1,
            "jmh-handoff-" + variant.agent().name().toLowerCase())) {
          String benchmark = result.getParams().getBenchmark().replaceFirst(".*\\.", "");
          handoffNanos.get(variant).get(benchmark).add(result.getPrimaryResult().getScore());
          handoffBytes.get(variant).get(benchmark).add(allocated(result));
        }
      }
    }
    for (int round = 1; round <= rounds; round++) {
      for (Variant variant : LOG_VARIANTS) {
        Bench.log("JMH round " + round + "/" + rounds + ": log call, " + variant.agent().label + ", " + variant.label());
        for (RunResult result : jmh(PACKAGE + "LogCallBenchmark\\.", variant.agent(), variant.overrides(), 1,
            "jmh-log-" + variant.agent().name().toLowerCase())) {
          logNanos.get(variant).add(result.getPrimaryResult().getScore());
          logBytes.get(variant).add(allocated(result));
        }
      }
    }
    for (int round = 1; round <= rounds; round++) {
      for (Variant variant : SERVLET_VARIANTS) {
        Bench.log("JMH round " + round + "/" + rounds + ": servlet request, " + variant.agent().label + ", " + variant.label());
        for (RunResult result : jmh(PACKAGE + "ServletRequestBenchmark\\.", variant.agent(), variant.overrides(), 1,
            "jmh-servlet-" + variant.agent().name().toLowerCase())) {
          servletNanos.get(variant).add(result.getPrimaryResult().getScore());
          servletBytes.get(variant).add(allocated(result));
        }
      }
    }
    Bench.log("JMH, no agent: bare SDK span and SQL sanitizer");
    for (RunResult result : jmh(PACKAGE + "(SpanBaselineBenchmark|SqlSanitizerBenchmark)\\.", Agent.NONE,
        Map.of(), 1, "jmh-reference")) {
      reference.put(result.getParams().getBenchmark().replaceFirst(".*\\.jmh\\.", ""),
          new double[] {result.getPrimaryResult().getScore(), allocated(result)});
    }
    write(report);
  }

  private Collection<RunResult> jmh(String include, Agent agent, Map<String, String> overrides, int threads,
      String logName) throws Exception {
    Settings settings = harness.settings;
    Options options = new OptionsBuilder()
        .include(include)
        .forks(1)
        .threads(threads)
        .warmupIterations(settings.jmhWarmupIterations())
        .warmupTime(TimeValue.milliseconds(settings.jmhIteration().toMillis()))
        .measurementIterations(settings.jmhMeasurementIterations())
        .measurementTime(TimeValue.milliseconds(settings.jmhIteration().toMillis()))
        .jvm(harness.java.toString())
        .jvmArgs(FORK_JVM_ARGS.toArray(String[]::new))
        .jvmArgsAppend(harness.agentArgs(agent, "jmh", overrides).toArray(String[]::new))
        .addProfiler(GCProfiler.class)
        .shouldFailOnError(true)
        .output(harness.log(logName).toString())
        .build();
    Collection<RunResult> results = new Runner(options).run();
    if (results.isEmpty()) {
      throw new IllegalStateException("JMH ran nothing for " + include);
    }
    return results;
  }

  /** {@code gc.alloc.rate.norm}: bytes allocated per operation (older JMH prefixes the label with a dot). */
  private static double allocated(RunResult result) {
    for (Map.Entry<String, Result> secondary : result.getSecondaryResults().entrySet()) {
      if (secondary.getKey().endsWith("gc.alloc.rate.norm")) {
        return secondary.getValue().getScore();
      }
    }
    return Double.NaN;
  }

  private void write(Report report) {
    Variant none = VARIANTS.get(0);
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of(none.label(), ns(none), b(none), ns(none), b(none)));
    for (int i = 1; i <= 3; i++) {
      Variant weft = VARIANTS.get(i);
      Variant otel = VARIANTS.get(i + 3);
      rows.add(List.of(weft.label(), ns(weft), b(weft), ns(otel), b(otel)));
    }
    Variant weftUnexported = VARIANTS.get(11);
    Variant otelUnexported = VARIANTS.get(12);
    rows.add(2, List.of(weftUnexported.label() + " (`OTEL_TRACES_EXPORTER=none`)", ns(weftUnexported), b(weftUnexported),
        ns(otelUnexported), b(otelUnexported)));
    Variant noMetric = VARIANTS.get(7);
    rows.add(List.of(noMetric.label() + " (`WEFT_METHODS_METRIC_ENABLED=false`)", ns(noMetric), b(noMetric),
        "(has no method metric)", ""));
    Variant noneAllCores = VARIANTS.get(8);
    Variant weftAllCores = VARIANTS.get(9);
    Variant otelAllCores = VARIANTS.get(10);
    rows.add(List.of("no agent, " + CORES + " threads at once", ns(noneAllCores), b(noneAllCores), ns(noneAllCores),
        b(noneAllCores)));
    rows.add(List.of("not sampled (always_off), " + CORES + " threads at once", ns(weftAllCores), b(weftAllCores),
        ns(otelAllCores), b(otelAllCores)));
    double[] span = reference.getOrDefault("SpanBaselineBenchmark.sdkSpan", new double[] {Double.NaN, Double.NaN});
    rows.add(List.of("bare SDK span, no agent (reference)", Report.num(span[0], 1), Report.num(span[1], 0), "", ""));

    double[] shortSql = reference.getOrDefault("SqlSanitizerBenchmark.shortStatement",
        new double[] {Double.NaN, Double.NaN});
    double[] longSql = reference.getOrDefault("SqlSanitizerBenchmark.statement10Kb",
        new double[] {Double.NaN, Double.NaN});

    report.section("2. Per-call cost of a traced method (JMH)", "`Traced.work(int)` (one multiply-add) called "
        + "in a loop on one thread, " + harness.settings.callRounds() + " round(s) of one fork per variant, "
        + "medians of the rounds' scores. Bytes per call from `-prof gc` (`gc.alloc.rate.norm`). "
        + "Sampled spans are exported to the receiver, as fast as each agent's exporter goes: Weft's delivers "
        + "most of them, the OpenTelemetry agent's far fewer, and the rest are dropped at the full queue. On 2 "
        + "cores an exporter that keeps up takes CPU from the calling thread, so the \"sampled, exported\" row "
        + "(the target's) includes that; the row below it turns the traces exporter off, leaving the call path "
        + "alone (spans are still made, ended and recorded). The reference row "
        + "starts, makes current and ends one SDK span with `code.function.name` and a processor that keeps "
        + "nothing: \"the span\" a traced call may allocate. Weft times every call, sampled or not, for its "
        + "`weft.method.duration` histogram (two clock reads and one recording); the last Weft row turns that "
        + "metric off, so a call that is not sampled reads no clock and records nothing. The last two rows call the "
        + "method on " + CORES + " threads at once, one per core: what an agent's state shared between threads costs "
        + "when the cores write it at the same time (ns per call on each thread).\n\n"
        + Report.table(List.of("Variant", "Weft ns/call", "Weft B/call", "OTel agent ns/call", "OTel agent B/call"),
            rows));

    writeHandoff(report);
    writeLogCall(report);
    writeServletRequest(report);

    report.section("6. JDBC extra: Weft's SQL sanitizer", "`SqlSanitizer.apply` on one statement, no agent, "
        + "uncached (the tracer caches sanitized text per statement, so this is the cost of a statement's first "
        + "sight). Short: `" + SqlSanitizerBenchmark.SHORT + "`; long: a multi-row INSERT of "
        + "numbers, strings, decimals and dates, " + SqlSanitizerBenchmark.TEN_KB.length()
        + " chars.\n\n"
        + Report.table(List.of("Statement", "µs/statement", "B/statement"), List.of(
            List.of("short (" + SqlSanitizerBenchmark.SHORT.length() + " chars)",
                Report.num(shortSql[0] / 1000, 3), Report.num(shortSql[1], 0)),
            List.of("10 KB", Report.num(longSql[0] / 1000, 1), Report.num(longSql[1], 0)))));

    double weftSampled = nanos.get(VARIANTS.get(1)).median();
    double otelSampled = nanos.get(VARIANTS.get(4)).median();
    double noneNs = nanos.get(none).median();
    report.target("Traced call, sampled", "≤ 1/3 of the OTel agent's ns/call",
        Report.num(weftSampled, 1) + " ns vs " + Report.num(otelSampled, 1) + " ns ("
            + Report.ratio(weftSampled / otelSampled) + ")",
        Report.atMost(weftSampled, otelSampled / 3, 1, " ns"));
    double weftBytes = bytes.get(VARIANTS.get(1)).median();
    report.target("Traced call, allocation", "no allocation but the span (≤ bare SDK span's B/call)",
        Report.num(weftBytes, 0) + " B vs " + Report.num(span[1], 0) + " B",
        Report.atMost(weftBytes, span[1] + 0.5, 0, " B"));
    double unsampled = nanos.get(VARIANTS.get(2)).median() - noneNs;
    report.target("Traced call, not sampled (method metric on: every call timed)", "within a few (≤ 5) ns of no agent",
        Report.signed(unsampled, 1) + " ns", Report.atMost(unsampled, 5, 1, " ns"));
    double unsampledNoMetric = nanos.get(noMetric).median() - noneNs;
    report.target("Traced call, not sampled, no method metric", "within a few (≤ 5) ns of no agent",
        Report.signed(unsampledNoMetric, 1) + " ns", Report.atMost(unsampledNoMetric, 5, 1, " ns"));
    double disabled = nanos.get(VARIANTS.get(3)).median() - noneNs;
    report.target("Traced call, instrumentation disabled", "within a few (≤ 5) ns of no agent",
        Report.signed(disabled, 1) + " ns", Report.atMost(disabled, 5, 1, " ns"));

    for (Variant variant : VARIANTS) {
      report.raw("ns/call, " + variant.agent().label + ", " + variant.label()
          + (variant.threads() > 1 ? ", " + variant.threads() + " threads" : "") + ": "
          + nanos.get(variant).samples("%.2f") + "; B/call: " + bytes.get(variant).samples("%.1f"));
    }
    for (Map.Entry<String, double[]> entry : reference.entrySet()) {
      report.raw(entry.getKey() + ": " + Report.num(entry.getValue()[0], 2) + " ns, "
          + Report.num(entry.getValue()[1], 1) + " B");
    }
  }

  /**
   * Figure 2c: what turning a log line into a log record costs the line; informational, the issue sets no target
   * (Weft exports log records since it was written).
   */
  /** Figure 2d: the request thread's share of a servlet request's cost; informational, the web figure holds the targets. */
  private void writeServletRequest(Report report) {
    Variant none = SERVLET_VARIANTS.get(0);
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of(none.label(), servletCell(none), servletCell(none)));
    for (int i = 1; i <= 2; i++) {
      rows.add(List.of(SERVLET_VARIANTS.get(i).label(), servletCell(SERVLET_VARIANTS.get(i)),
          servletCell(SERVLET_VARIANTS.get(i + 2))));
    }
    double noneNs = servletNanos.get(none).median();
    double weft = servletNanos.get(SERVLET_VARIANTS.get(1)).median() - noneNs;
    double otel = servletNanos.get(SERVLET_VARIANTS.get(3)).median() - noneNs;
    double noneBytes = servletBytes.get(none).median();
    report.section("2d. A servlet request on the request thread (JMH)", "One `GET /plain` through a jakarta "
        + "`HttpServlet`'s `service` on the calling thread, without a container or a socket, "
        + harness.settings.callRounds() + " round(s) of one fork per variant, medians: what each agent's servlet "
        + "instrumentation adds to a request where the advice runs (the server span with its attributes, the incoming "
        + "context read from the headers, the context made current, `http.server.request.duration`), and, with spans "
        + "exported, what the export on the other core takes from it. The request and response are plain objects whose "
        + "getters return fields (three headers), as a container's do; the servlet sets the status. The web figure "
        + "holds the targets; this one shows the request thread's part of them without the host's noise. No target.\n\n"
        + Report.table(List.of("Variant", "Weft", "OTel agent"), rows)
        + "\nAdded per request with spans exported: Weft " + Report.signed(weft, 0) + " ns, "
        + Report.signed(servletBytes.get(SERVLET_VARIANTS.get(1)).median() - noneBytes, 0) + " B; the OTel agent "
        + Report.signed(otel, 0) + " ns, " + Report.signed(servletBytes.get(SERVLET_VARIANTS.get(3)).median() - noneBytes, 0)
        + " B" + (otel > 0 ? " (Weft's time " + Report.ratio(weft / otel) + " of the OTel agent's)" : "") + ".");
    for (Variant variant : SERVLET_VARIANTS) {
      report.raw("servlet request, " + variant.agent().label + ", " + variant.label() + ": ns/request "
          + servletNanos.get(variant).samples("%.1f") + "; B/request " + servletBytes.get(variant).samples("%.1f"));
    }
  }

  private String servletCell(Variant variant) {
    return Report.num(servletNanos.get(variant).median(), 0) + " ns, " + Report.num(servletBytes.get(variant).median(), 0) + " B";
  }

  private void writeLogCall(Report report) {
    List<List<String>> rows = new ArrayList<>();
    for (Variant variant : LOG_VARIANTS) {
      rows.add(List.of(variant.agent().label, variant.label(), Report.num(logNanos.get(variant).median(), 1),
          Report.num(logBytes.get(variant).median(), 0)));
    }
    double none = logNanos.get(LOG_VARIANTS.get(0)).median();
    double weft = logNanos.get(LOG_VARIANTS.get(1)).median() - none;
    double otel = logNanos.get(LOG_VARIANTS.get(3)).median() - none;
    report.section("2c. A log call (JMH)", "`java.util.logging` `Logger.info` of a constant message to a handler that "
        + "drops it, outside any span, " + harness.settings.callRounds() + " round(s) of one fork per variant, medians. "
        + "With log records exported, each line also becomes a record queued for the agent's batch processor (Weft's "
        + "own queue, the SDK's in the OpenTelemetry agent); at this rate the queue is often full, so many records are "
        + "dropped after they are made, and those that fit are exported on the other core: the figure is the cost of "
        + "making a record plus what exporting takes from the calling thread. No target.\n\n"
        + Report.table(List.of("Agent", "Variant", "ns/call", "B/call"), rows)
        + "\nAdded per line with records exported: Weft " + Report.signed(weft, 1) + " ns, the OTel agent "
        + Report.signed(otel, 1) + " ns" + (otel > 0 ? " (" + Report.ratio(weft / otel) + ")" : "") + ".");
    for (Variant variant : LOG_VARIANTS) {
      report.raw("log call, " + variant.agent().label + ", " + variant.label() + ": ns/call "
          + logNanos.get(variant).samples("%.2f") + "; B/call " + logBytes.get(variant).samples("%.1f"));
    }
  }

  /** Figure 2b: what carrying the context costs a task hand-over; informational, the issue sets no target. */
  private void writeHandoff(Report report) {
    List<List<String>> rows = new ArrayList<>();
    for (String benchmark : HANDOFF_BENCHMARKS) {
      List<String> row = new ArrayList<>();
      row.add(benchmark.equals("outsideSpan") ? "outside any span" : "inside a traced call (its span included)");
      for (Variant variant : HANDOFF_VARIANTS) {
        row.add(Report.num(handoffNanos.get(variant).get(benchmark).median(), 1) + " ns, "
            + Report.num(handoffBytes.get(variant).get(benchmark).median(), 0) + " B");
      }
      rows.add(row);
    }
    Variant on = HANDOFF_VARIANTS.get(1);
    Variant off = HANDOFF_VARIANTS.get(2);
    List<String> perTask = new ArrayList<>();
    perTask.add("Weft's carrying, per task (on − off) ÷ " + Handoff.TASKS);
    for (String benchmark : HANDOFF_BENCHMARKS) {
      double ns = (handoffNanos.get(on).get(benchmark).median() - handoffNanos.get(off).get(benchmark).median()) / Handoff.TASKS;
      double b = (handoffBytes.get(on).get(benchmark).median() - handoffBytes.get(off).get(benchmark).median()) / Handoff.TASKS;
      perTask.add((benchmark.equals("outsideSpan") ? "outside: " : "inside: ") + Report.signed(ns, 1) + " ns, "
          + Report.signed(b, 0) + " B");
    }
    report.section("2b. Task hand-over (JMH)", Handoff.TASKS + " tasks handed to `ExecutorService.submit` and awaited "
        + "per operation, on an executor that runs each at once on the calling thread (the hand-over itself, no "
        + "thread switch), outside any span and inside one traced call; " + harness.settings.callRounds()
        + " round(s) of one fork per variant, medians. With a span current, Weft wraps each task so that it runs "
        + "under that span; outside one, it only looks the context up. The OpenTelemetry agent's column is for "
        + "reference only: its executors instrumentation picks executor classes by name (the JDK's and a list of "
        + "known ones), so what it does for this benchmark's executor may differ from what it does on a thread "
        + "pool. No target.\n\n"
        + Report.table(List.of("Per operation", "no agent", "Weft", "Weft, `OTEL_INSTRUMENTATION_EXECUTORS_ENABLED=false`",
            "OTel agent"), rows)
        + "\n" + String.join(" · ", perTask));
    for (Variant variant : HANDOFF_VARIANTS) {
      for (String benchmark : HANDOFF_BENCHMARKS) {
        report.raw("hand-over " + benchmark + ", " + variant.agent().label + ", " + variant.label() + ": ns/op "
            + handoffNanos.get(variant).get(benchmark).samples("%.2f") + "; B/op "
            + handoffBytes.get(variant).get(benchmark).samples("%.1f"));
      }
    }
  }

  private String ns(Variant variant) {
    Stats stats = nanos.get(variant);
    return Report.num(stats.median(), 1) + (stats.size() > 1
        ? " (" + Report.num(stats.min(), 1) + "–" + Report.num(stats.max(), 1) + ")" : "");
  }

  private String b(Variant variant) {
    return Report.num(bytes.get(variant).median(), 0);
  }
}
