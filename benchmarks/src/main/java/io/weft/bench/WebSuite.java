package io.weft.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Figure 3: the Tomcat application under wrk, per endpoint and agent: throughput, p50 and p99, application CPU
 * per request (from /proc), RSS after the load, and how many of the spans the agent made reached the receiver.
 */
final class WebSuite {
  private static final List<String> ENDPOINTS = List.of("/plain", "/db", "/chain");
  /** The JIT compilers' threads, as Linux names them (15 characters). */
  private static final List<String> JIT_THREADS = List.of("C1 CompilerThre", "C2 CompilerThre");
  /**
   * The threads that batch and export telemetry: Weft's, and the OpenTelemetry SDK's (its batch span processor,
   * its metric reader, OkHttp's sender threads).
   */
  private static final List<String> EXPORT_THREADS = List.of("weft-", "BatchSpanProces", "PeriodicMetricR",
      "OkHttp");

  /** The samples of one endpoint under one agent. */
  private static final class Figures {
    final Stats rps = new Stats();
    final Stats p50 = new Stats();
    final Stats p99 = new Stats();
    final Stats pacedRps = new Stats();
    final Stats pacedP50 = new Stats();
    final Stats pacedP99 = new Stats();
    final Stats cpuMicrosPerRequest = new Stats();
    final Stats jitMicrosPerRequest = new Stats();
    final Stats exportMicrosPerRequest = new Stats();
    final Stats receiverMicrosPerRequest = new Stats();
    final Stats rssMib = new Stats();
    final Stats expectedSpans = new Stats();
    final Stats deliveredSpans = new Stats();
    final Stats delivered = new Stats();
    final Stats stolenPercent = new Stats();
    final Stats pacedStolenPercent = new Stats();
    long errors;
  }

  private final Harness harness;
  private final Map<Agent, Stats> settleSeconds = StartupSuite.stats();
  private final Wrk wrk;
  private final Map<String, Map<Agent, Figures>> figures = new LinkedHashMap<>();

  WebSuite(Harness harness) throws Exception {
    this.harness = harness;
    this.wrk = new Wrk(harness);
    for (String endpoint : ENDPOINTS) {
      Map<Agent, Figures> byAgent = new LinkedHashMap<>();
      for (Agent agent : Agent.values()) {
        byAgent.put(agent, new Figures());
      }
      figures.put(endpoint, byAgent);
    }
  }

  void run(Report report) throws Exception {
    int rounds = harness.settings.webRounds();
    for (int round = 1; round <= rounds; round++) {
      for (Agent agent : Agent.values()) {
        Bench.log("web round " + round + "/" + rounds + ": " + agent.label);
        load(agent, round);
      }
    }
    write(report);
  }

  private void load(Agent agent, int round) throws Exception {
    Settings settings = harness.settings;
    boolean counting = agent != Agent.NONE;
    int port = Harness.freePort();
    try (Child app = Child.start(harness.command(agent, "web", Map.of(), List.of(), "io.weft.bench.app.WebApp",
        Integer.toString(port)), harness.log("web-" + agent.name().toLowerCase()))) {
      Harness.awaitFirstAnswer(app, port, "/plain");
      // every endpoint under load before any is measured, long enough for the JIT to be done with the woven code
      // (its compiler threads' CPU counts as the application's): after 16 s of load on /db the C2 compiler still
      // took 0.9-1.4 µs a request with Weft against 0.4 without an agent, after 30 s the same 0.4
      for (String endpoint : ENDPOINTS) {
        wrk.run(port, endpoint, settings.webConnections(), settings.webStartWarmup());
      }
      settleSeconds.get(agent).add(settle(app, port) / 1000.0);
      // each round starts at another endpoint, so no endpoint is always measured first
      List<String> order = new ArrayList<>(ENDPOINTS);
      Collections.rotate(order, -(round - 1));
      for (String endpoint : order) {
        Figures f = figures.get(endpoint).get(agent);
        // spans one request makes when nothing is dropped: a few requests one at a time, then a quiet receiver
        long before = counting ? quiet() : 0;
        for (int i = 0; i < settings.calibrationRequests(); i++) {
          int status = Harness.get(port, endpoint);
          if (status != 200) {
            throw new IllegalStateException(endpoint + " answered " + status + "; output in " + app.log());
          }
        }
        double expected = counting ? (double) (quiet() - before) / settings.calibrationRequests() : 0;

        wrk.run(port, endpoint, settings.webConnections(), settings.webWarmup());
        long start = counting ? quiet() : 0;
        long cpuBefore = app.cpuMillis();
        long receiverBefore = harness.receiver.cpuMillis();
        Map<Long, Long> jitBefore = app.threadTicks(JIT_THREADS);
        Map<Long, Long> exportBefore = app.threadTicks(EXPORT_THREADS);
        HostCpu hostBefore = HostCpu.now();
        Wrk.Result result = wrk.run(port, endpoint, settings.webConnections(), settings.webDuration());
        f.stolenPercent.add(100 * HostCpu.now().stolenSince(hostBefore));
        long cpuAfter = app.cpuMillis();
        long receiverMillis = harness.receiver.cpuMillis() - receiverBefore;
        long jitMillis = Child.millisBetween(jitBefore, app.threadTicks(JIT_THREADS));
        long exportMillis = Child.millisBetween(exportBefore, app.threadTicks(EXPORT_THREADS));
        f.rssMib.add(app.rssKib() / 1024.0);
        long spans = counting ? quiet() - start : 0;

        f.rps.add(result.requestsPerSecond());
        f.p50.add(result.p50Micros() / 1000);
        f.p99.add(result.p99Micros() / 1000);
        f.cpuMicrosPerRequest.add((cpuAfter - cpuBefore) * 1000.0 / result.requests());
        f.jitMicrosPerRequest.add(jitMillis * 1000.0 / result.requests());
        f.exportMicrosPerRequest.add(exportMillis * 1000.0 / result.requests());
        f.receiverMicrosPerRequest.add(receiverMillis * 1000.0 / result.requests());
        f.errors += result.socketErrors() + result.non2xx();
        if (counting) {
          f.expectedSpans.add(expected);
          f.deliveredSpans.add((double) spans / result.requests());
          f.delivered.add(spans / (expected * result.requests()));
        }

        // the same endpoint, warm, at a part of its capacity: a request's latency without the queue of a
        // saturated server, where any CPU an agent adds lengthens every wait. Saturating load right before it,
        // for every agent: the agents' JVMs just idled while the receiver went quiet, and a paced run after
        // 3 s of idling had a p50 of 0.40-0.41 ms against 0.30-0.36 ms straight after load (no agent, /plain)
        wrk.run(port, endpoint, settings.webConnections(), settings.webWarmup());
        HostCpu pacedBefore = HostCpu.now();
        Wrk.Result paced = wrk.runPaced(port, endpoint, settings.webPacedConnections(), settings.webPacedDuration());
        f.pacedStolenPercent.add(100 * HostCpu.now().stolenSince(pacedBefore));
        f.pacedRps.add(paced.requestsPerSecond());
        f.pacedP50.add(paced.p50Micros() / 1000);
        f.pacedP99.add(paced.p99Micros() / 1000);
        f.errors += paced.socketErrors() + paced.non2xx();
      }
    }
  }

  /**
   * More load, a short slice on each endpoint in turn, until the compiler threads took under 1 % of a core over a
   * whole turn, or {@code webSettleLimit}: on a slow host the fixed warm-up was not enough (in the 22:14 run the
   * JIT still took 2.0-2.6 µs a `/chain` request of the measured load in two of Weft's three rounds). Returns
   * how long it took, in ms; the same rule for every agent.
   */
  private long settle(Child app, int port) throws Exception {
    Settings settings = harness.settings;
    long began = System.nanoTime();
    long deadline = began + settings.webSettleLimit().toNanos();
    Duration slice = Duration.ofSeconds(2);
    while (System.nanoTime() < deadline) {
      Map<Long, Long> before = app.threadTicks(JIT_THREADS);
      for (String endpoint : ENDPOINTS) {
        wrk.run(port, endpoint, settings.webConnections(), slice);
      }
      long jitMillis = Child.millisBetween(before, app.threadTicks(JIT_THREADS));
      if (jitMillis * 100 < slice.toMillis() * ENDPOINTS.size()) {
        break;
      }
    }
    return (System.nanoTime() - began) / 1_000_000;
  }

  private long quiet() throws InterruptedException {
    return harness.receiver.awaitQuiet(Settings.QUIET, Settings.QUIET_LIMIT);
  }

  private void write(Report report) {
    Settings settings = harness.settings;
    StringBuilder body = new StringBuilder("Each agent in its own JVM, rounds interleaved (" + settings.webRounds()
        + "); per endpoint " + settings.calibrationRequests() + " sequential requests (to learn the spans a "
        + "request makes when nothing is dropped), " + settings.webWarmup().toSeconds() + " s of warm-up load (after "
        + settings.webStartWarmup().toSeconds() + " s of load on every endpoint at the JVM's start, then 2 s on each "
        + "in turn until the JIT compilers took under 1 % of a core over a turn, at most "
        + settings.webSettleLimit().toSeconds() + " s more, so that the JIT has compiled the woven code (how long "
        + "each JVM took is in the raw figures; a JVM with an agent often takes the whole limit, with a trickle of "
        + "compilations left), the JIT's tail below; each round starts at another endpoint), then "
        + settings.webDuration().toSeconds() + " s measured: `wrk -t1 -c" + settings.webConnections()
        + "`, closed loop, so the application runs saturated on a 2-core machine it shares with wrk, the "
        + "receiver and the agents' exporters. CPU per request is the application JVM's user+sys time over the "
        + "measured load divided by the requests; of it, the JIT compilers' threads and the agent's batch and "
        + "export threads (Weft's `weft-*`; the OpenTelemetry SDK's batch span processor, metric reader and OkHttp "
        + "threads), from /proc per thread. The receiver's CPU is its own process's over the same load: it "
        + "runs on the same two cores, and a collector on another machine would not. Spans delivered: what the receiver decoded after the load "
        + "(waiting until it had been quiet for " + Settings.QUIET.toMillis() + " ms) over requests × spans per "
        + "request. Medians of the rounds. The spread of the rounds' requests/s and p99 (highest over lowest) "
        + "shows how much the host moved the same JVM: where it exceeds the distance between a ratio and its "
        + "target, this run cannot settle that target. The CPU stolen is the share of the machine's CPU time "
        + "the hypervisor gave to other guests during the load (steal, from /proc/stat): on this host the slow "
        + "phases, with no agent at a fraction of its usual requests/s and a p99 of several ms, come with a "
        + "steal of 30-44 %: where a round's steal is that high, it measured the host more than the agents, "
        + "above all in its latencies. "
        + "Then, after " + settings.webWarmup().toSeconds()
        + " s more of that load (a JVM that idled first, as the agents' do while the receiver goes quiet, had "
        + "a higher paced p50), paced: " + settings.webPacedDuration().toSeconds()
        + " s of `wrk -t1 -c" + settings.webPacedConnections() + "` where each connection waits "
        + settings.webThinkMillis() + " ms after an answer before its next request, so the application is busy "
        + "only part of the time (the paced requests/s say how much) and a request's latency is its own work and "
        + "what the other threads take of the cores, not a queue's: at saturation any CPU an agent adds lengthens "
        + "every wait, which the throughput ratio already shows.\n\n");
    for (String endpoint : ENDPOINTS) {
      Map<Agent, Figures> byAgent = figures.get(endpoint);
      Figures none = byAgent.get(Agent.NONE);
      Figures weft = byAgent.get(Agent.WEFT);
      Figures otel = byAgent.get(Agent.OTEL);
      List<List<String>> rows = new ArrayList<>();
      rows.add(row("requests/s", none.rps, weft.rps, otel.rps, 0));
      rows.add(cells("requests/s, spread of the rounds (max / min)", byAgent, f -> spread(f.rps)));
      rows.add(row("p50 latency (ms)", none.p50, weft.p50, otel.p50, 2));
      rows.add(row("p99 latency (ms)", none.p99, weft.p99, otel.p99, 2));
      rows.add(cells("p99, spread of the rounds (max / min)", byAgent, f -> spread(f.p99)));
      rows.add(cells("CPU stolen by the hypervisor during the load (%)", byAgent, f -> stolen(f.stolenPercent)));
      rows.add(row("paced: requests/s", none.pacedRps, weft.pacedRps, otel.pacedRps, 0));
      rows.add(row("paced: p50 latency (ms)", none.pacedP50, weft.pacedP50, otel.pacedP50, 2));
      rows.add(row("paced: p99 latency (ms)", none.pacedP99, weft.pacedP99, otel.pacedP99, 2));
      rows.add(cells("paced p99, spread of the rounds (max / min)", byAgent, f -> spread(f.pacedP99)));
      rows.add(cells("paced: CPU stolen by the hypervisor (%)", byAgent, f -> stolen(f.pacedStolenPercent)));
      rows.add(row("CPU per request (µs)", none.cpuMicrosPerRequest, weft.cpuMicrosPerRequest,
          otel.cpuMicrosPerRequest, 0));
      // no ratios: a tenth of a microsecond over another is noise, not a multiple
      rows.add(cells("… of which the JIT compilers (µs)", byAgent, f -> Report.num(f.jitMicrosPerRequest.median(), 1)));
      rows.add(List.of("… of which the agent's batch and export threads (µs)", "",
          Report.num(weft.exportMicrosPerRequest.median(), 1), Report.num(otel.exportMicrosPerRequest.median(), 1),
          "", ""));
      rows.add(List.of("the receiver's CPU per request (µs, its own JVM)", "",
          Report.num(weft.receiverMicrosPerRequest.median(), 1),
          Report.num(otel.receiverMicrosPerRequest.median(), 1), "", ""));
      rows.add(row("RSS after load (MiB)", none.rssMib, weft.rssMib, otel.rssMib, 0));
      rows.add(List.of("spans per request, nothing dropped", "", Report.num(weft.expectedSpans.median(), 2),
          Report.num(otel.expectedSpans.median(), 2), "", ""));
      rows.add(List.of("spans delivered per request", "", Report.num(weft.deliveredSpans.median(), 2),
          Report.num(otel.deliveredSpans.median(), 2), "", ""));
      rows.add(List.of("share of spans delivered", "", Report.percent(weft.delivered.median(), 1),
          Report.percent(otel.delivered.median(), 1), "", ""));
      if (none.errors + weft.errors + otel.errors > 0) {
        rows.add(List.of("failed requests (all rounds)", Long.toString(none.errors), Long.toString(weft.errors),
            Long.toString(otel.errors), "", ""));
      }
      body.append("### `").append(endpoint).append("`\n\n")
          .append(Report.table(List.of("", Agent.NONE.label, Agent.WEFT.label, Agent.OTEL.label, "Weft / none",
              "OTel / none"), rows))
          .append('\n');

      double throughput = weft.rps.median() / none.rps.median();
      double p99 = weft.p99.median() / none.p99.median();
      double pacedP99 = weft.pacedP99.median() / none.pacedP99.median();
      double delivered = weft.delivered.median();
      report.target("Web `" + endpoint + "`: throughput", "≥ 0.90 × no agent", Report.ratio(throughput, 0.90),
          Report.atLeast(throughput, 0.90, 2, "×"));
      report.target("Web `" + endpoint + "`: p99", "≤ 1.2 × no agent", Report.ratio(p99, 1.2),
          Report.atMost(p99, 1.2, 2, "×"));
      report.target("Web `" + endpoint + "`: p99, paced (" + settings.webThinkMillis() + " ms think time)",
          "≤ 1.2 × no agent", Report.ratio(pacedP99, 1.2), Report.atMost(pacedP99, 1.2, 2, "×"));
      report.target("Web `" + endpoint + "`: spans delivered", "≥ 99 %", Report.percent(delivered, 1),
          Report.atLeast(100 * delivered, 99, 1, " points"));

      for (Agent agent : Agent.values()) {
        Figures f = byAgent.get(agent);
        report.raw("web " + endpoint + ", " + agent.label + ": requests/s " + f.rps.samples("%.0f")
            + "; p50 ms " + f.p50.samples("%.2f") + "; p99 ms " + f.p99.samples("%.2f") + "; paced requests/s "
            + f.pacedRps.samples("%.0f") + ", p50 ms " + f.pacedP50.samples("%.2f") + ", p99 ms "
            + f.pacedP99.samples("%.2f") + "; CPU stolen % " + f.stolenPercent.samples("%.1f") + ", paced "
            + f.pacedStolenPercent.samples("%.1f") + "; CPU µs/request "
            + f.cpuMicrosPerRequest.samples("%.0f") + " (JIT " + f.jitMicrosPerRequest.samples("%.1f")
            + (agent == Agent.NONE ? "" : ", export " + f.exportMicrosPerRequest.samples("%.1f")) + "); receiver "
            + "CPU µs/request " + f.receiverMicrosPerRequest.samples("%.1f") + "; RSS MiB " + f.rssMib.samples("%.0f")
            + (agent == Agent.NONE ? "" : "; spans/request expected " + f.expectedSpans.samples("%.2f")
                + ", delivered " + f.deliveredSpans.samples("%.3f")));
      }
    }
    for (Agent agent : Agent.values()) {
      report.raw("web JIT settling after the fixed warm-up, s, " + agent.label + ": " + settleSeconds.get(agent).samples("%.0f"));
    }
    report.section("3. Web workload", body.toString());
  }

  /** One cell per agent, made by {@code cell}, and no ratios. */
  private static List<String> cells(String name, Map<Agent, Figures> byAgent, Function<Figures, String> cell) {
    return List.of(name, cell.apply(byAgent.get(Agent.NONE)), cell.apply(byAgent.get(Agent.WEFT)),
        cell.apply(byAgent.get(Agent.OTEL)), "", "");
  }

  /** The median and, where the rounds differ, their range: one slow round is what matters here. */
  private static String stolen(Stats stats) {
    if (Double.isNaN(stats.median())) {
      return "?";
    }
    String median = Report.num(stats.median(), 1);
    return stats.max() - stats.min() < 0.5 ? median
        : median + " (" + Report.num(stats.min(), 1) + "-" + Report.num(stats.max(), 1) + ")";
  }

  private static String spread(Stats stats) {
    return stats.min() > 0 ? Report.ratio(stats.max() / stats.min()) : "";
  }

  private static List<String> row(String name, Stats none, Stats weft, Stats otel, int decimals) {
    return List.of(name, Report.num(none.median(), decimals), Report.num(weft.median(), decimals),
        Report.num(otel.median(), decimals), Report.ratio(weft.median() / none.median()),
        Report.ratio(otel.median() / none.median()));
  }
}
