package io.weft.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Figure 4, for both agents: the highest span rate one application thread can hold for a few seconds without the
 * agent dropping a span on its way to the receiver, and the heap each 1,000 queued spans take.
 */
final class PipelineSuite {
  /** Rates tried in order until the first loss; then one step between the last clean rate and it. */
  private static final long[] RATES = {5_000, 10_000, 25_000, 50_000, 100_000, 200_000, 400_000, 800_000, 1_600_000};
  private static final int CEILING_BATCH = 512;
  private static final int BISECTIONS = 2; // paces 2.5x apart end 1.26x apart: the figure is within 26 %
  private static final Pattern PRODUCED = Pattern.compile("produced=(\\d+) seconds=([0-9.]+)");
  private static final Pattern QUEUED = Pattern.compile("queued=(\\d+) heap-before=(\\d+) heap-after=(\\d+)");
  private static final Agent[] AGENTS = {Agent.WEFT, Agent.OTEL};

  /** A step's outcome: the rate asked, the rate the thread reached, spans made and spans received. */
  private record Step(long asked, double achieved, long produced, long received) {
    long lost() {
      return produced - received;
    }

    boolean producerBound() {
      return achieved < 0.9 * asked;
    }
  }

  private final Harness harness;
  private final Map<Agent, Stats> sustained = StartupSuite.stats();
  private final Map<Agent, Boolean> bound = new EnumMap<>(Agent.class);
  private final Map<Agent, List<String>> firstLoss = new EnumMap<>(Agent.class);
  private final Map<Agent, Stats> kibPerThousand = StartupSuite.stats();
  private double ceiling = Double.NaN;

  PipelineSuite(Harness harness) {
    this.harness = harness;
    for (Agent agent : AGENTS) {
      bound.put(agent, false);
      firstLoss.put(agent, new ArrayList<>());
    }
  }

  void run(Report report) throws Exception {
    Bench.log("pipeline: the receiver's own ceiling");
    measureCeiling();
    int rounds = harness.settings.pipelineRounds();
    for (int round = 1; round <= rounds; round++) {
      for (Agent agent : AGENTS) {
        Bench.log("pipeline round " + round + "/" + rounds + ": highest rate without a drop, " + agent.label);
        search(agent);
      }
    }
    int memoryRounds = harness.settings.memoryRounds();
    for (int round = 1; round <= memoryRounds; round++) {
      for (Agent agent : AGENTS) {
        Bench.log("pipeline round " + round + "/" + memoryRounds + ": memory of queued spans, " + agent.label);
        queueMemory(agent);
      }
    }
    write(report);
  }

  /** One JVM: warm the exporter up, then paces up to the first loss and one step between. */
  private void search(Agent agent) throws Exception {
    try (Child app = Child.start(harness.command(agent, "pipeline", Map.of(), List.of(),
        "io.weft.bench.app.PipelineApp", "rates"), harness.log("pipeline-" + agent.name().toLowerCase()))) {
      Steps steps = new Steps(agent, app);
      steps.warmUp();
      Step clean = null;
      Step lossy = null;
      for (long rate : RATES) {
        Step step = steps.run(rate);
        if (step.lost() > 0) {
          lossy = step;
          break;
        }
        clean = step;
        if (step.producerBound()) {
          break; // the thread cannot go faster, and nothing was lost: the pipeline was never the limit
        }
      }
      for (int i = 0; i < BISECTIONS && clean != null && lossy != null; i++) {
        Step middle = steps.run(Math.round(Math.sqrt((double) clean.asked() * lossy.asked())));
        if (middle.lost() > 0) {
          lossy = middle;
        } else {
          clean = middle;
        }
      }
      app.send("exit");
      sustained.get(agent).add(clean == null ? 0 : clean.achieved());
      if (clean != null && clean.producerBound() && lossy == null) {
        bound.put(agent, true);
      }
      if (lossy != null) {
        firstLoss.get(agent).add(Report.num(lossy.achieved(), 0) + " spans/s lost "
            + Report.percent((double) lossy.lost() / lossy.produced(), 1));
      }
    }
  }

  /** Commands to one running application, each followed by waiting for the receiver to be quiet. */
  private final class Steps {
    private final Agent agent;
    private final Child app;
    private int answers;

    Steps(Agent agent, Child app) {
      this.agent = agent;
      this.app = app;
    }

    void warmUp() throws Exception {
      command("warm " + harness.settings.pipelineWarmUpSeconds());
    }

    Step run(long rate) throws Exception {
      Step step = command("rate " + rate + " " + harness.settings.pipelineStepSeconds());
      step = new Step(rate, step.achieved(), step.produced(), step.received());
      Bench.log("  " + agent.label + " asked " + rate + "/s: made " + step.produced() + " at "
          + Report.num(step.achieved(), 0) + "/s, received " + step.received()
          + (step.lost() > 0 ? ", lost " + step.lost() : ""));
      return step;
    }

    private Step command(String command) throws Exception {
      long before = harness.receiver.awaitQuiet(Settings.QUIET, Settings.QUIET_LIMIT);
      app.send(command);
      Matcher produced = app.awaitOutput(PRODUCED, ++answers, Duration.ofSeconds(120));
      long received = harness.receiver.awaitQuiet(Settings.QUIET, Settings.QUIET_LIMIT) - before;
      long made = Long.parseLong(produced.group(1));
      return new Step(0, made / Double.parseDouble(produced.group(2)), made, received);
    }
  }

  /**
   * What the receiver decodes per second from one connection sending 512-span requests back to back, as one
   * batch exporter does: a pipeline figure near this is the receiver's limit, not the agent's.
   */
  private void measureCeiling() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(harness.receiver.endpoint() + "/v1/traces"))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(OtlpBody.traces(CEILING_BATCH)))
        .build();
    long before = harness.receiver.awaitQuiet(Settings.QUIET, Settings.QUIET_LIMIT);
    long sent = post(client, request, harness.settings.pipelineWarmUpSeconds());
    long start = System.nanoTime();
    long measured = post(client, request, harness.settings.pipelineStepSeconds());
    double seconds = (System.nanoTime() - start) / 1e9;
    long received = harness.receiver.awaitQuiet(Settings.QUIET, Settings.QUIET_LIMIT) - before;
    if (received != (sent + measured) * CEILING_BATCH) {
      throw new IllegalStateException("the receiver counted " + received + " spans of "
          + (sent + measured) * CEILING_BATCH + " sent");
    }
    ceiling = measured * CEILING_BATCH / seconds;
    Bench.log("  receiver ceiling " + Report.num(ceiling, 0) + " spans/s");
  }

  private static long post(HttpClient client, HttpRequest request, double seconds) throws Exception {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long requests = 0;
    while (System.nanoTime() < end) {
      int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status != 200) {
        throw new IllegalStateException("the receiver answered " + status);
      }
      requests++;
    }
    return requests;
  }

  private void queueMemory(Agent agent) throws Exception {
    int spans = harness.settings.memorySpans();
    int queue = 5 * spans; // far above what is made: nothing may be dropped
    Map<String, String> overrides = Map.of(
        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + Harness.freePort(), // nobody listens there
        "OTEL_BSP_MAX_QUEUE_SIZE", Integer.toString(queue),
        "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", Integer.toString(queue), // no batch is ever full: nothing leaves
        "OTEL_BSP_SCHEDULE_DELAY", "3600000");
    Child app = Child.start(harness.command(agent, "queue", overrides, List.of("-Xms2g", "-Xmx2g"),
        "io.weft.bench.app.PipelineApp", "queue", Integer.toString(spans)),
        harness.log("queue-" + agent.name().toLowerCase()));
    int exit = app.waitFor(Duration.ofSeconds(180));
    Matcher queued = QUEUED.matcher(app.output());
    if (exit != 0 || !queued.find()) {
      throw new IllegalStateException("queue application failed (exit " + exit + "):\n" + app.output());
    }
    double bytes = Long.parseLong(queued.group(3)) - Long.parseLong(queued.group(2));
    kibPerThousand.get(agent).add(bytes / Long.parseLong(queued.group(1)) * 1000 / 1024);
  }

  private void write(Report report) {
    List<List<String>> rows = new ArrayList<>();
    List<String> rates = new ArrayList<>(List.of("highest rate without a drop (spans/s)"));
    List<String> losses = new ArrayList<>(List.of("first rate with drops"));
    List<String> memory = new ArrayList<>(List.of("heap per 1,000 queued spans (KiB)"));
    for (Agent agent : AGENTS) {
      double median = sustained.get(agent).median();
      rates.add(median == 0 ? "< " + Report.num(RATES[0], 0) : (bound.get(agent) ? "≥ " : "")
          + Report.num(median, 0) + (bound.get(agent) ? " (producer-bound)" : ""));
      losses.add(firstLoss.get(agent).isEmpty() ? "none" : String.join("; ", firstLoss.get(agent)));
      memory.add(Report.num(kibPerThousand.get(agent).median(), 0));
    }
    rows.add(rates);
    rows.add(losses);
    rows.add(memory);
    rows.add(List.of("receiver ceiling, one connection, 512-span requests (spans/s)", Report.num(ceiling, 0),
        Report.num(ceiling, 0)));
    Settings settings = harness.settings;
    report.section("4. Pipeline", "**Rate.** One JVM per agent and round. Its one thread first makes spans as "
        + "fast as it can for " + settings.pipelineWarmUpSeconds() + " s (warming the exporter up; drops "
        + "expected, not counted). Then, per step, it calls a traced method (one root span per call) at a fixed "
        + "pace for " + settings.pipelineStepSeconds() + " s and idles; the harness waits until the receiver has "
        + "been quiet for " + Settings.QUIET.toMillis() + " ms (the batch delay is 1 s, queue 2,048, batch 512: "
        + "the defaults) and counts: spans made minus spans received is what the agent dropped. Paces climb "
        + "5,000, 10,000, 25,000, 50,000, … 1,600,000/s until the first loss, then two steps, each at the geometric mean of the last clean "
        + "and the first lossy pace; the figure is the rate the thread actually held at the highest pace without a loss "
        + "(median of " + settings.pipelineRounds() + " round(s)). \"Producer-bound\": the thread could not make "
        + "spans faster and nothing was lost, so the exporter's limit is higher still. \"< 5,000\": spans were "
        + "lost at the lowest pace. Weft runs with its defaults: when its batch thread has shown no progress "
        + "for 0.25 ms with the queue full (kept off the CPU), the producing thread encodes one batch in its place "
        + "(`WEFT_BSP_HELP_WHEN_STARVED`); a pace its batch thread cannot keep up with while running still drops. "
        + "The receiver ceiling is measured first: the harness posts a hand-encoded "
        + "512-span request back to back on one connection, as one batch exporter does; a rate near it is the "
        + "receiver's limit, not the agent's.\n\n"
        + "**Memory.** " + settings.memorySpans() + " spans made as fast as possible while the agent cannot "
        + "export (collector endpoint a closed port, batch size = queue size = " + 5 * settings.memorySpans()
        + ", delay 1 h, so every span stays queued); heap used after `System.gc()` (least of three, `-Xmx2g`) "
        + "after the spans minus before them, per 1,000 spans (median of " + settings.memoryRounds()
        + " round(s)). It counts every byte the agent keeps per queued span, including the queue's share.\n\n"
        + Report.table(List.of("", Agent.WEFT.label, Agent.OTEL.label), rows));

    double rate = sustained.get(Agent.WEFT).median();
    report.target("Pipeline: spans/s before the first drop", "≥ 200,000 on 2 cores",
        (rate == 0 ? "< " + Report.num(RATES[0], 0) : (bound.get(Agent.WEFT) ? "≥ " : "") + Report.num(rate, 0))
            + (rate > 0.8 * ceiling ? " (near the receiver's ceiling of " + Report.num(ceiling, 0) + ")" : ""),
        Report.atLeast(rate, 200_000, 0, " spans/s"));
    double kib = kibPerThousand.get(Agent.WEFT).median();
    report.target("Pipeline: memory per 1,000 queued spans", "≤ 1 MiB", Report.num(kib, 0) + " KiB",
        Report.atMost(kib, 1024, 0, " KiB"));
    for (Agent agent : AGENTS) {
      report.raw("pipeline sustained spans/s, " + agent.label + ": " + sustained.get(agent).samples("%.0f"));
      report.raw("KiB per 1,000 queued spans, " + agent.label + ": " + kibPerThousand.get(agent).samples("%.1f"));
    }
  }
}
