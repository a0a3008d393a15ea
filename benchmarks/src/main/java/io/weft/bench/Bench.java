package io.weft.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;

/**
 * The overhead benchmark: no agent, Weft and the OpenTelemetry Java agent, in interleaved rounds, on loopback,
 * exporting to weft-receiver; writes a Markdown report of medians and ratios. Started by benchmarks/run.sh,
 * which builds the jars and passes their paths.
 */
public final class Bench {
  static final Set<String> FIGURES = Set.of("jars", "startup", "calls", "web", "pipeline");
  private static final String USAGE = "usage: Bench --weft-agent JAR --otel-agent JAR --receiver JAR --results DIR"
      + " [--spring-boot-app JAR] [--quick] [--only jars,startup,calls,web,pipeline] [--commit TEXT]";

  private Bench() {}

  static void log(String message) {
    System.out.println("[bench] " + message);
    System.out.flush();
  }

  public static void main(String[] args) throws Exception {
    Settings settings = Settings.forFullRun();
    Path weftJar = null;
    Path otelJar = null;
    Path receiverJar = null;
    Path springBootJar = null;
    Path results = null;
    String commit = "unknown";
    boolean otherJdk = false;
    Set<String> only = new LinkedHashSet<>(List.of("jars", "startup", "calls", "web", "pipeline"));
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> settings = Settings.forQuickRun();
        case "--weft-agent" -> weftJar = Path.of(args[++i]).toAbsolutePath();
        case "--otel-agent" -> otelJar = Path.of(args[++i]).toAbsolutePath();
        case "--receiver" -> receiverJar = Path.of(args[++i]).toAbsolutePath();
        case "--spring-boot-app" -> springBootJar = Path.of(args[++i]).toAbsolutePath();
        case "--results" -> results = Path.of(args[++i]).toAbsolutePath();
        case "--commit" -> commit = args[++i];
        case "--other-jdk" -> otherJdk = true;
        case "--only" -> {
          only.clear();
          for (String figure : args[++i].split(",")) {
            if (!FIGURES.contains(figure.trim())) {
              throw new IllegalArgumentException("unknown figure " + figure + "; " + USAGE);
            }
            only.add(figure.trim());
          }
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i] + "; " + USAGE);
      }
    }
    for (Path jar : new Path[] {weftJar, otelJar, receiverJar}) {
      if (jar == null || !Files.isRegularFile(jar)) {
        throw new IllegalArgumentException("missing jar " + jar + "; " + USAGE);
      }
    }
    if (results == null) {
      throw new IllegalArgumentException(USAGE);
    }
    if (springBootJar != null && !Files.isRegularFile(springBootJar)) {
      throw new IllegalArgumentException("missing jar " + springBootJar + "; " + USAGE);
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path benchJar = Path.of(Bench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path logs = benchJar.getParent().resolve("bench-logs");
    Files.createDirectories(logs);
    try (var files = Files.list(logs)) {
      for (Path old : files.toList()) {
        Files.delete(old);
      }
    }
    Files.createDirectories(results);

    long started = System.nanoTime();
    LocalDateTime startedAt = LocalDateTime.now();
    String loadAtStart = loadAverage();
    Report report = new Report();
    List<String> loads = new ArrayList<>();
    log("logs of every process: " + logs);
    try (Receiver receiver = Receiver.start(java, receiverJar, logs.resolve("receiver.log"))) {
      log("receiver at " + receiver.endpoint());
      Harness harness = new Harness(settings, java, benchJar, weftJar, otelJar, receiverJar, springBootJar, logs,
          receiver);
      if (only.contains("jars")) {
        jars(report, weftJar, otelJar);
      }
      run("startup", only, loads, report, () -> new StartupSuite(harness).run(report));
      run("calls", only, loads, report, () -> new CallCostSuite(harness).run(report));
      run("web", only, loads, report, () -> new WebSuite(harness).run(report));
      run("pipeline", only, loads, report, () -> new PipelineSuite(harness).run(report));
    }
    double minutes = (System.nanoTime() - started) / 60e9;

    String kind = settings.quick() ? "quick smoke run: too short to quote"
        : only.size() < FIGURES.size() ? "some figures: " + String.join(", ", only) : "full run";
    String preamble = preamble(kind, settings, startedAt, minutes, commit, weftJar, loadAtStart, loads);
    String text = report.render(preamble);
    String suffix = settings.quick() ? "-quick" : only.size() < FIGURES.size() ? "-partial" : "";
    // a run on another JDK (run.sh --jdk) is named for it and is never latest.md, which is the default JDK's
    String jdk = otherJdk ? "-jdk" + Runtime.version().feature() : "";
    Path file = results.resolve(LocalDate.now() + jdk + suffix + ".md");
    Files.writeString(file, text, StandardCharsets.UTF_8);
    if (suffix.isEmpty() && jdk.isEmpty()) {
      Files.writeString(results.resolve("latest.md"), text, StandardCharsets.UTF_8);
    }
    System.out.println();
    System.out.println(text);
    log("written to " + file + (suffix.isEmpty() && jdk.isEmpty() ? " and latest.md" : " (not latest.md: "
        + (settings.quick() ? "a quick run" : !suffix.isEmpty() ? "some figures only" : "another JDK") + ")"));
  }

  private interface Figure {
    void run() throws Exception;
  }

  /** Runs one figure; a failure is reported in its place and the other figures still run. */
  private static void run(String name, Set<String> only, List<String> loads, Report report, Figure figure) {
    if (!only.contains(name)) {
      return;
    }
    String load = loadAverage();
    HostCpu host = HostCpu.now();
    long start = System.nanoTime();
    try {
      figure.run();
      log(name + " done in " + Math.round((System.nanoTime() - start) / 1e9) + " s");
    } catch (Exception | AssertionError e) {
      log(name + " FAILED: " + e);
      e.printStackTrace(System.out);
      report.section(name + ": FAILED", "```\n" + e + "\n```\n\nSee `benchmarks/target/bench-logs/`.");
      report.target(name, "—", "failed", "❌ not measured");
    } finally {
      double stolen = HostCpu.now().stolenSince(host);
      loads.add(name + " " + load + (Double.isNaN(stolen) ? "" : ", " + Report.num(100 * stolen, 1) + " % stolen"));
    }
  }

  private static void jars(Report report, Path weftJar, Path otelJar) throws IOException {
    double weft = Files.size(weftJar) / 1048576.0;
    double otel = Files.size(otelJar) / 1048576.0;
    report.section("5. Jar size", Report.table(List.of("", Agent.WEFT.label, Agent.OTEL.label),
        List.of(List.of("jar (MiB)", Report.num(weft, 2), Report.num(otel, 2)),
            List.of("jar (bytes)", Report.num(Files.size(weftJar), 0), Report.num(Files.size(otelJar), 0)))));
    report.target("Jar size", "≤ 8 MiB", Report.num(weft, 2) + " MiB", Report.atMost(weft, 8, 2, " MiB"));
  }

  private static String preamble(String kind, Settings settings, LocalDateTime startedAt, double minutes, String commit,
      Path weftJar, String loadAtStart, List<String> loads) throws IOException {
    String weftVersion;
    try (JarFile jar = new JarFile(weftJar.toFile())) {
      weftVersion = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
    }
    String otelVersion = otelVersion();
    StringBuilder config = new StringBuilder();
    for (Map.Entry<String, String> setting
        : Harness.sharedConfig("weft-bench-<application>", "http://127.0.0.1:<receiver port>").entrySet()) {
      config.append("- `").append(setting.getKey()).append('=').append(setting.getValue()).append("`\n");
    }
    return "# Weft overhead, " + startedAt.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")) + " ("
        + kind + ")\n\n"
        + "Weft " + weftVersion + " at commit " + commit + " against the OpenTelemetry Java agent " + otelVersion
        + " and against no agent. Made by `benchmarks/run.sh" + (settings.quick() ? " --quick" : "") + "` in "
        + Report.num(minutes, 1) + " minutes; the method is in [benchmarks/README.md](../README.md).\n\n"
        + "**Machine:** " + machine() + ", JDK " + System.getProperty("java.runtime.version") + ". "
        + "**It is shared and has 2 cores:** other engineers' builds and tests ran alongside, so every figure "
        + "is noisy (1-minute load average " + loadAtStart + " at the start; for each figure, the load average "
        + "at its start and the share of the machine's CPU time the hypervisor gave to other guests while it ran "
        + "(steal): " + String.join("; ", loads) + "; load average at the end " + loadAverage()
        + "). Compare the agents within one "
        + "report, not across reports, and rerun on a quiet machine before quoting a number.\n\n"
        + "**Settings:** " + settings.describe() + ".\n\n"
        + "**Both agents get the same configuration** (as `-D` system properties; the endpoint is the local "
        + "weft-receiver, which decodes every export and counts the spans):\n\n" + config
        + "\nThe OTel agent otherwise runs with its defaults (all its instrumentations on, Tomcat's and JDBC's "
        + "included), as Weft does.";
  }

  private static String otelVersion() {
    try (var in = Bench.class.getResourceAsStream("/META-INF/MANIFEST.MF")) {
      return in == null ? "?" : new java.util.jar.Manifest(in).getMainAttributes().getValue("Otel-Javaagent-Version");
    } catch (IOException e) {
      return "?";
    }
  }

  private static String machine() {
    String cpu = "unknown CPU";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          cpu = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
    } catch (IOException e) {
      // not Linux: leave it unknown
    }
    long memory = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getTotalMemorySize();
    return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
        + Report.num(memory / 1073741824.0, 0) + " GiB, " + System.getProperty("os.name") + " "
        + System.getProperty("os.version");
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }
}
