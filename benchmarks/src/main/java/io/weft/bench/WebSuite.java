package io.weft.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
  /** The garbage collector's threads (G1's workers, refinement and marking) and the VM thread, which runs its pauses. */
  private static final List<String> GC_THREADS = List.of("GC Thread", "G1 ", "VM Thread");
  /** Tomcat's connector: the request threads (http-nio-...-exec-N), the poller and the acceptor. */
  private static final List<String> REQUEST_THREADS = List.of("http-nio");
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
    final Stats gcMicrosPerRequest = new Stats();
    final Stats requestThreadMicrosPerRequest = new Stats();
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
    // one receiver per exporting agent: their JVMs run side by side, and each agent's spans are counted apart
    Map<Agent, Receiver> receivers = new LinkedHashMap<>();
    try {
      for (Agent agent : Agent.values()) {
        if (agent != Agent.NONE) {
          receivers.put(agent, Receiver.start(harness.java, harness.receiverJar,
              harness.log("web-receiver-" + agent.name().toLowerCase(Locale.ROOT))));
        }
      }
      for (int round = 1; round <= rounds; round++) {
        Bench.log("web round " + round + "/" + rounds + ": the three JVMs side by side");
        round(round, receivers);
      }
    } finally {
      for (Receiver receiver : receivers.values()) {
        receiver.close();
      }
    }
    write(report);
  }

  /** One JVM of the web application, with or without an agent, and what it exports to. */
  private static final class App {
    final Agent agent;
    final Child child;
    final int port;
    final Receiver receiver;

    App(Agent agent, Child child, int port, Receiver receiver) {
      this.agent = agent;
      this.child = child;
      this.port = port;
      this.receiver = receiver;
    }
  }

  /**
   * The three JVMs of one round, started together and warmed one after the other; then per endpoint, slices of
   * load taken in turn (A B C, B C A, C A B, ...), so a phase of the host falls on all three alike.
   */
  private void round(int round, Map<Agent, Receiver> receivers) throws Exception {
    Settings settings = harness.settings;
    List<App> apps = new ArrayList<>();
    try {
      List<Integer> ports = new ArrayList<>();
      for (Agent agent : Agent.values()) {
        int port = Harness.freePort();
        while (ports.contains(port)) {
          port = Harness.freePort(); // a port handed out twice would have two JVMs race for it
        }
        ports.add(port);
        Receiver receiver = receivers.get(agent);
        Map<String, String> endpoint = receiver == null ? Map.of()
            : Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint());
        apps.add(new App(agent, Child.start(harness.command(agent, "web", endpoint, List.of(),
            "io.weft.bench.app.WebApp", Integer.toString(port)),
            harness.log("web-" + agent.name().toLowerCase(Locale.ROOT))), port, receiver));
      }
      for (App app : apps) {
        Harness.awaitFirstAnswer(app.child, app.port, "/plain");
      }
      for (App app : apps) {
        // every endpoint under load before any is measured, long enough for the JIT to be done with the woven
        // code (its compiler threads' CPU counts as the application's): after 16 s of load on /db the C2
        // compiler still took 0.9-1.4 µs a request with Weft against 0.4 without an agent, after 30 s the same 0.4
        for (String endpoint : ENDPOINTS) {
          wrk.run(app.port, endpoint, settings.webConnections(), settings.webStartWarmup());
        }
        settleSeconds.get(app.agent).add(settle(app.child, app.port) / 1000.0);
      }
      // each round starts at another endpoint, so no endpoint is always measured first
      List<String> order = new ArrayList<>(ENDPOINTS);
      Collections.rotate(order, -(round - 1));
      for (String endpoint : order) {
        endpoint(endpoint, apps);
      }
    } finally {
      for (App app : apps) {
        app.child.close();
      }
    }
  }

  private void endpoint(String endpoint, List<App> apps) throws Exception {
    Settings settings = harness.settings;
    Map<Agent, Totals> totals = new LinkedHashMap<>();
    for (App app : apps) {
      Totals t = new Totals();
      totals.put(app.agent, t);
      if (app.receiver != null) {
        // spans one request makes when nothing is dropped: a few requests one at a time, then a quiet receiver
        long before = quiet(app.receiver);
        for (int i = 0; i < settings.calibrationRequests(); i++) {
          int status = Harness.get(app.port, endpoint);
          if (status != 200) {
            throw new IllegalStateException(endpoint + " answered " + status + "; output in " + app.child.log());
          }
        }
        long after = quiet(app.receiver);
        t.expectedSpans = (double) (after - before) / settings.calibrationRequests();
        t.spansBefore = after; // every request from here on counts, warm-up slices too
      }
    }
    for (int slice = 0; slice < settings.webSlices(); slice++) {
      // the agents take turns, each starting a turn in its own place: none always follows the same one
      List<App> turn = new ArrayList<>(apps);
      Collections.rotate(turn, -slice);
      for (App app : turn) {
        Figures f = figures.get(endpoint).get(app.agent);
        Totals t = totals.get(app.agent);
        // a short warm-up first: the JVM idled while the others ran (and the previous one's exporter had its
        // tail of spans to send, which lands here)
        Wrk.Result warm = wrk.run(app.port, endpoint, settings.webConnections(), settings.webSliceWarmup());
        long cpuBefore = app.child.cpuMillis();
        long receiverBefore = app.receiver == null ? 0 : app.receiver.cpuMillis();
        Map<Long, Long> jitBefore = app.child.threadTicks(JIT_THREADS);
        Map<Long, Long> exportBefore = app.child.threadTicks(EXPORT_THREADS);
        Map<Long, Long> gcBefore = app.child.threadTicks(GC_THREADS);
        Map<Long, Long> requestThreadsBefore = app.child.threadTicks(REQUEST_THREADS);
        HostCpu hostBefore = HostCpu.now();
        Wrk.Result result = wrk.run(app.port, endpoint, settings.webConnections(), settings.webSlice());
        f.stolenPercent.add(100 * HostCpu.now().stolenSince(hostBefore));
        t.requests += result.requests();
        t.cpuMillis += app.child.cpuMillis() - cpuBefore;
        t.receiverMillis += app.receiver == null ? 0 : app.receiver.cpuMillis() - receiverBefore;
        t.jitMillis += Child.millisBetween(jitBefore, app.child.threadTicks(JIT_THREADS));
        t.exportMillis += Child.millisBetween(exportBefore, app.child.threadTicks(EXPORT_THREADS));
        t.gcMillis += Child.millisBetween(gcBefore, app.child.threadTicks(GC_THREADS));
        t.requestThreadMillis += Child.millisBetween(requestThreadsBefore, app.child.threadTicks(REQUEST_THREADS));
        f.rps.add(result.requestsPerSecond());
        f.p50.add(result.p50Micros() / 1000);
        f.p99.add(result.p99Micros() / 1000);
        f.errors += warm.socketErrors() + warm.non2xx() + result.socketErrors() + result.non2xx();
        t.allRequests += warm.requests() + result.requests();
      }
    }
    for (int slice = 0; slice < settings.webSlices(); slice++) {
      List<App> turn = new ArrayList<>(apps);
      Collections.rotate(turn, -slice);
      for (App app : turn) {
        Figures f = figures.get(endpoint).get(app.agent);
        // the same endpoint, warm, at a part of its capacity: a request's latency without the queue of a
        // saturated server, where any CPU an agent adds lengthens every wait. Saturating load right before it,
        // for every agent: a JVM that idled had a paced p50 of 0.40-0.41 ms against 0.30-0.36 ms straight after
        // load (no agent, /plain)
        Wrk.Result warm = wrk.run(app.port, endpoint, settings.webConnections(), settings.webSliceWarmup());
        HostCpu pacedBefore = HostCpu.now();
        Wrk.Result paced = wrk.runPaced(app.port, endpoint, settings.webPacedConnections(), settings.webPacedSlice());
        f.pacedStolenPercent.add(100 * HostCpu.now().stolenSince(pacedBefore));
        f.pacedRps.add(paced.requestsPerSecond());
        f.pacedP50.add(paced.p50Micros() / 1000);
        f.pacedP99.add(paced.p99Micros() / 1000);
        f.errors += warm.socketErrors() + warm.non2xx() + paced.socketErrors() + paced.non2xx();
        totals.get(app.agent).allRequests += warm.requests() + paced.requests();
      }
    }
    for (App app : apps) {
      Figures f = figures.get(endpoint).get(app.agent);
      Totals t = totals.get(app.agent);
      f.rssMib.add(app.child.rssKib() / 1024.0);
      f.cpuMicrosPerRequest.add(t.cpuMillis * 1000.0 / t.requests);
      f.jitMicrosPerRequest.add(t.jitMillis * 1000.0 / t.requests);
      f.exportMicrosPerRequest.add(t.exportMillis * 1000.0 / t.requests);
      f.gcMicrosPerRequest.add(t.gcMillis * 1000.0 / t.requests);
      f.requestThreadMicrosPerRequest.add(t.requestThreadMillis * 1000.0 / t.requests);
      f.receiverMicrosPerRequest.add(t.receiverMillis * 1000.0 / t.requests);
      if (app.receiver != null) {
        long spans = quiet(app.receiver) - t.spansBefore;
        f.expectedSpans.add(t.expectedSpans);
        f.deliveredSpans.add((double) spans / t.allRequests);
        f.delivered.add(spans / (t.expectedSpans * t.allRequests));
      }
    }
  }

  /**
   * One endpoint and agent in one round: what its measured slices add up to, and for span delivery every request
   * of its load (warm-ups and paced slices too) against the spans its receiver had before it.
   */
  private static final class Totals {
    double expectedSpans;
    long spansBefore;
    long allRequests;
    long requests;
    long cpuMillis;
    long receiverMillis;
    long jitMillis;
    long exportMillis;
    long gcMillis;
    long requestThreadMillis;
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

  private static long quiet(Receiver receiver) throws InterruptedException {
    return receiver.awaitQuiet(Settings.QUIET, Settings.QUIET_LIMIT);
  }

  private void write(Report report) {
    Settings settings = harness.settings;
    StringBuilder body = new StringBuilder("The three JVMs (no agent, Weft, the OpenTelemetry agent) run side by "
        + "side, each agent exporting to a receiver of its own, and take the load in turns: " + settings.webRounds()
        + " round(s) of three fresh JVMs. A round warms each JVM in turn: " + settings.webStartWarmup().toSeconds()
        + " s of load on every endpoint, then 2 s on each in turn until the JIT compilers took under 1 % of a "
        + "core over a turn, at most " + settings.webSettleLimit().toSeconds() + " s more, so that the JIT has "
        + "compiled the woven code (how long each JVM took is in the raw figures; a JVM with an agent often takes "
        + "the whole limit, with a trickle of compilations left; the JIT's tail is below). Then per endpoint "
        + "(each round starts at another): " + settings.calibrationRequests() + " sequential requests to each "
        + "agent's JVM (to learn the spans a request makes when nothing is dropped), and " + settings.webSlices()
        + " slices of saturating load per JVM, the JVMs taking turns (A B C, B C A, C A B, ...): each slice "
        + settings.webSliceWarmup().toSeconds() + " s of warm-up load (the JVM idled while the others ran), then "
        + settings.webSlice().toSeconds() + " s measured, `wrk -t1 -c" + settings.webConnections() + "`, closed "
        + "loop, so the application runs saturated on a 2-core machine it shares with wrk, the receivers and the "
        + "agents' exporters. Slices, not one long run per JVM: this host's speed drifts by 20 % and more over "
        + "minutes, and JVMs measured minutes apart compared the host's phases as much as the agents (the earlier "
        + "reports' rounds differed by up to 1.5× for the same JVM); slices a few seconds apart, taken in turns, "
        + "put each phase on all three alike. Requests/s, p50 and p99 are medians over the slices of all rounds; "
        + "their spread (highest slice over lowest) shows how much the host still moved. The throughput and p99 "
        + "targets are judged on each agent's slice over no agent's of the same turn (the median of those ratios, "
        + "with their range): the medians of each JVM's slices can come from different phases of the host. CPU per request is the "
        + "application JVM's user+sys time over its measured slices divided by their requests (median of the "
        + "rounds); of it, Tomcat's connector threads (the request threads, where the agents' advice runs, its "
        + "poller and acceptor), the garbage collector's threads with the VM thread that runs its pauses, the JIT "
        + "compilers' threads and the agent's batch and export threads (Weft's `weft-*`; "
        + "the OpenTelemetry SDK's batch span processor, metric reader and OkHttp threads), from /proc per "
        + "thread. The receiver's CPU is its own process's over the same slices: it runs on the same two cores, "
        + "and a collector on another machine would not. Spans delivered: what the agent's receiver decoded from "
        + "the first warm-up slice to the end of the endpoint's load (waiting until it had been quiet for "
        + Settings.QUIET.toMillis() + " ms) over every request of those slices × spans per request. The CPU "
        + "stolen is the share of the machine's CPU time the hypervisor gave to other guests during the measured "
        + "slices (steal, from /proc/stat); a slice with a steal of 30 % or more measured the host more than the "
        + "agent. Then the same turns paced: " + settings.webSliceWarmup().toSeconds() + " s of saturating load "
        + "(a JVM that idled first had a higher paced p50), then " + settings.webPacedSlice().toSeconds()
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
      rows.add(cells("requests/s, spread of the slices (max / min)", byAgent, f -> spread(f.rps)));
      rows.add(List.of("requests/s over no agent's in the same turn, slice by slice: median (lowest-highest)", "",
          "", "", pairs(Stats.ratios(weft.rps, none.rps)), pairs(Stats.ratios(otel.rps, none.rps))));
      rows.add(row("p50 latency (ms)", none.p50, weft.p50, otel.p50, 2));
      rows.add(row("p99 latency (ms)", none.p99, weft.p99, otel.p99, 2));
      rows.add(cells("p99, spread of the slices (max / min)", byAgent, f -> spread(f.p99)));
      rows.add(List.of("p99 over no agent's in the same turn, slice by slice: median (lowest-highest)", "", "", "",
          pairs(Stats.ratios(weft.p99, none.p99)), pairs(Stats.ratios(otel.p99, none.p99))));
      rows.add(cells("CPU stolen by the hypervisor during the slices (%)", byAgent, f -> stolen(f.stolenPercent)));
      rows.add(row("paced: requests/s", none.pacedRps, weft.pacedRps, otel.pacedRps, 0));
      rows.add(row("paced: p50 latency (ms)", none.pacedP50, weft.pacedP50, otel.pacedP50, 2));
      rows.add(row("paced: p99 latency (ms)", none.pacedP99, weft.pacedP99, otel.pacedP99, 2));
      rows.add(cells("paced p99, spread of the slices (max / min)", byAgent, f -> spread(f.pacedP99)));
      rows.add(List.of("paced p99 over no agent's in the same turn, slice by slice: median (lowest-highest)", "", "",
          "", pairs(Stats.ratios(weft.pacedP99, none.pacedP99)), pairs(Stats.ratios(otel.pacedP99, none.pacedP99))));
      rows.add(cells("paced: CPU stolen by the hypervisor (%)", byAgent, f -> stolen(f.pacedStolenPercent)));
      rows.add(row("CPU per request (µs)", none.cpuMicrosPerRequest, weft.cpuMicrosPerRequest,
          otel.cpuMicrosPerRequest, 0));
      // no ratios: a tenth of a microsecond over another is noise, not a multiple
      rows.add(cells("… of which Tomcat's request, poller and acceptor threads (µs)", byAgent,
          f -> Report.num(f.requestThreadMicrosPerRequest.median(), 1)));
      rows.add(cells("… of which the garbage collector and the VM thread (µs)", byAgent,
          f -> Report.num(f.gcMicrosPerRequest.median(), 1)));
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

      // the slice-by-slice ratios: two slices of one turn are seconds apart, the medians of each JVM's slices
      // may come from different phases of the host (in the 15:32 run /plain's were 0.87× against 0.94×; in
      // the 17:28 run /chain's p99 1.29× against 1.13×, while at 16:03 /chain's was 1.11× against 1.17×)
      double throughput = turnByTurn(weft.rps, none.rps);
      double p99 = turnByTurn(weft.p99, none.p99);
      double pacedP99 = turnByTurn(weft.pacedP99, none.pacedP99);
      double delivered = weft.delivered.median();
      report.target("Web `" + endpoint + "`: throughput (slice by slice, median)", "≥ 0.90 × no agent",
          Report.ratio(throughput, 0.90),
          Report.atLeast(throughput, 0.90, 2, "×"));
      report.target("Web `" + endpoint + "`: p99 (slice by slice, median)", "≤ 1.2 × no agent",
          Report.ratio(p99, 1.2), Report.atMost(p99, 1.2, 2, "×"));
      report.target("Web `" + endpoint + "`: p99, paced (" + settings.webThinkMillis()
          + " ms think time; slice by slice, median)", "≤ 1.2 × no agent", Report.ratio(pacedP99, 1.2),
          Report.atMost(pacedP99, 1.2, 2, "×"));
      report.target("Web `" + endpoint + "`: spans delivered", "≥ 99 %", Report.percent(delivered, 1),
          Report.atLeast(100 * delivered, 99, 1, " points"));

      for (Agent agent : Agent.values()) {
        Figures f = byAgent.get(agent);
        report.raw("web " + endpoint + ", " + agent.label + ": requests/s " + f.rps.samples("%.0f")
            + "; p50 ms " + f.p50.samples("%.2f") + "; p99 ms " + f.p99.samples("%.2f") + "; paced requests/s "
            + f.pacedRps.samples("%.0f") + ", p50 ms " + f.pacedP50.samples("%.2f") + ", p99 ms "
            + f.pacedP99.samples("%.2f") + "; CPU stolen % " + f.stolenPercent.samples("%.1f") + ", paced "
            + f.pacedStolenPercent.samples("%.1f") + "; CPU µs/request "
            + f.cpuMicrosPerRequest.samples("%.0f") + " (request threads " + f.requestThreadMicrosPerRequest.samples("%.1f")
            + ", GC " + f.gcMicrosPerRequest.samples("%.1f") + ", JIT " + f.jitMicrosPerRequest.samples("%.1f")
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

  /** The median and, where the slices differ, their range: one slow slice is what matters here. */
  private static String stolen(Stats stats) {
    if (Double.isNaN(stats.median())) {
      return "?";
    }
    String median = Report.num(stats.median(), 1);
    return stats.max() - stats.min() < 0.5 ? median
        : median + " (" + Report.num(stats.min(), 1) + "-" + Report.num(stats.max(), 1) + ")";
  }

  /** The median of {@code agent}'s slices over no agent's of the same turn; the ratio of medians without pairs. */
  private static double turnByTurn(Stats agent, Stats none) {
    Stats pairs = Stats.ratios(agent, none);
    return pairs.isEmpty() ? agent.median() / none.median() : pairs.median();
  }

  private static String pairs(Stats ratios) {
    return ratios.isEmpty() ? "" : Report.ratio(ratios.median()) + " (" + Report.ratio(ratios.min()) + "-"
        + Report.ratio(ratios.max()) + ")";
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
