package io.weft.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Figure 1: a hello-world JVM from exec to exit under /usr/bin/time (wall, user+sys CPU, peak RSS), and the
 * Tomcat application from exec to its first 200 (wall; CPU and peak RSS read from /proc at that moment), and the same
 * for an executable Spring Boot application when the harness has one.
 */
final class StartupSuite {
  private static final String TIME_FORMAT = "weft-bench-time %e %U %S %M";

  private final Harness harness;
  private final Map<Agent, Stats> helloWall = stats();
  private final Map<Agent, Stats> helloCpu = stats();
  private final Map<Agent, Stats> helloRss = stats();
  private final FirstAnswer tomcat = new FirstAnswer("Tomcat");
  private final FirstAnswer springBoot = new FirstAnswer("Spring Boot");

  StartupSuite(Harness harness) {
    this.harness = harness;
  }

  void run(Report report) throws Exception {
    int rounds = harness.settings.startupRounds();
    // a first round that is not counted, so the counted ones do not depend on what is in the page cache yet (the
    // agents' jars, the JDK's files); in a run that counted it, it was 0.30 s over no agent, the next four 0.14-0.17 s
    for (int round = 0; round <= rounds; round++) {
      Bench.log(round == 0 ? "start-up warm-up round (not counted)" : "start-up round " + round + "/" + rounds);
      for (Agent agent : Agent.values()) {
        hello(agent, round > 0);
      }
      for (Agent agent : Agent.values()) {
        int port = Harness.freePort();
        tomcat.measure(agent, round > 0, harness.command(agent, "tomcat", Map.of(), List.of(),
            "io.weft.bench.app.WebApp", Integer.toString(port)), "tomcat-start", port, "/plain");
      }
      if (harness.springBootJar != null) {
        // Spring Boot 4 (Spring MVC on its embedded Tomcat, a JdbcTemplate whose pool connects on first use)
        for (Agent agent : Agent.values()) {
          int port = Harness.freePort();
          springBoot.measure(agent, round > 0, harness.jarCommand(agent, "spring-boot", harness.springBootJar,
              "--server.port=" + port), "spring-boot-start", port, "/shop/hello");
        }
      }
    }
    write(report);
  }

  private void hello(Agent agent, boolean counted) throws Exception {
    List<String> command = new ArrayList<>(List.of("/usr/bin/time", "-f", TIME_FORMAT));
    command.addAll(harness.command(agent, "hello", Map.of(), List.of(), "io.weft.bench.app.HelloApp"));
    Child child = Child.start(command, harness.log("hello-" + agent.name().toLowerCase()));
    int exit = child.waitFor(Duration.ofMinutes(2));
    double wall = (System.nanoTime() - child.startNanos()) / 1e9;
    String output = child.output();
    if (exit != 0 || !output.contains("hello, world")) {
      throw new IllegalStateException("hello world with " + agent.label + " failed (exit " + exit + "):\n" + output);
    }
    String[] time = null;
    for (String line : output.split("\n")) {
      if (line.startsWith("weft-bench-time ")) {
        time = line.split(" ");
      }
    }
    if (time == null) {
      throw new IllegalStateException("no /usr/bin/time line in " + child.log());
    }
    if (!counted) {
      return;
    }
    helloWall.get(agent).add(wall);
    helloCpu.get(agent).add(Double.parseDouble(time[2]) + Double.parseDouble(time[3]));
    helloRss.get(agent).add(Double.parseDouble(time[4]) / 1024);
  }

  /** An application from exec to its first 200: wall, and CPU and peak RSS read from /proc at that moment. */
  private final class FirstAnswer {
    final String name;
    final Map<Agent, Stats> wall = stats();
    final Map<Agent, Stats> cpu = stats();
    final Map<Agent, Stats> rss = stats();

    FirstAnswer(String name) {
      this.name = name;
    }

    void measure(Agent agent, boolean counted, List<String> command, String log, int port, String path)
        throws Exception {
      try (Child child = Child.start(command, harness.log(log + "-" + agent.name().toLowerCase()))) {
        long nanos = Harness.awaitFirstAnswer(child, port, path);
        if (!counted) {
          return;
        }
        cpu.get(agent).add(child.cpuMillis() / 1000.0);
        rss.get(agent).add(child.peakRssKib() / 1024.0);
        wall.get(agent).add(nanos / 1e9);
      }
    }

    void addRows(List<List<String>> rows) {
      rows.add(row(name + " to first answer: wall (s)", wall, 3));
      rows.add(roundByRound(name + " to first answer: wall over no agent's of the same round (s): median "
          + "(lowest-highest)", wall));
      rows.add(row(name + " to first answer: CPU user+sys (s)", cpu, 2));
      rows.add(row(name + " to first answer: peak RSS (MiB)", rss, 1));
    }

    void addRaw(Report report, Agent agent) {
      report.raw(name + " wall s, " + agent.label + ": " + wall.get(agent).samples("%.3f"));
      report.raw(name + " CPU s, " + agent.label + ": " + cpu.get(agent).samples("%.2f"));
      report.raw(name + " peak RSS MiB, " + agent.label + ": " + rss.get(agent).samples("%.1f"));
    }
  }

  private void write(Report report) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(row("Hello world: wall (s)", helloWall, 3));
    rows.add(roundByRound("Hello world: wall over no agent's of the same round (s): median (lowest-highest)", helloWall));
    rows.add(row("Hello world: CPU user+sys (s)", helloCpu, 2));
    rows.add(row("Hello world: peak RSS (MiB)", helloRss, 1));
    tomcat.addRows(rows);
    boolean boot = harness.springBootJar != null;
    if (boot) {
      springBoot.addRows(rows);
    }
    report.section("1. Start-up", "Medians of " + harness.settings.startupRounds() + " runs per agent, interleaved, after one round that is "
        + "not counted (it fills the page cache). Hello world: "
        + "one traced call, exported before exit; wall from exec to exit, CPU and peak RSS from `/usr/bin/time`. "
        + "Tomcat 11 (embedded, three servlets, H2 filled at start): wall from exec to the first `200` on "
        + "`/plain` (polled every 5 ms); CPU and peak RSS (VmHWM) from `/proc` at that moment. "
        + (boot ? "Spring Boot 4.0 (the smoke tests' executable jar, `java -jar`: Spring MVC on its embedded Tomcat under "
            + "/shop, a HikariCP pool that connects on first use; some 7,300 classes loaded by then): the same, on `/shop/hello`; no "
            + "target, a real framework's start for scale. " : "")
        + "The wall targets are "
        + "judged round by round, as the web figure's turn by turn: each agent's run minus no agent's of the same "
        + "round, seconds apart (the median of those differences, with their range); the host's speed drifts over "
        + "the minutes a figure takes, so the medians of each agent's runs can come from different phases of it.\n\n"
        + Report.table(List.of("", Agent.NONE.label, Agent.WEFT.label, Agent.OTEL.label, "Weft − none",
            "OTel − none"), rows));

    Stats helloWallRounds = Stats.differences(helloWall.get(Agent.WEFT), helloWall.get(Agent.NONE));
    Stats tomcatWallRounds = Stats.differences(tomcat.wall.get(Agent.WEFT), tomcat.wall.get(Agent.NONE));
    double helloWallDelta = helloWallRounds.median();
    double helloRssDelta = delta(helloRss);
    double tomcatWallDelta = tomcatWallRounds.median();
    report.target("Start-up: hello world wall (round by round, median)", "≤ +0.15 s over no agent",
        Report.signed(helloWallDelta, 3) + " s", Report.atMost(helloWallDelta, 0.15, 3, " s"));
    report.target("Start-up: hello world peak RSS", "≤ +40 MiB over no agent",
        Report.signed(helloRssDelta, 1) + " MiB", Report.atMost(helloRssDelta, 40, 1, " MiB"));
    report.target("Start-up: Tomcat first answer (round by round, median)", "≤ +0.3 s over no agent",
        Report.signed(tomcatWallDelta, 3) + " s", Report.atMost(tomcatWallDelta, 0.3, 3, " s"));

    for (Agent agent : Agent.values()) {
      report.raw("hello wall s, " + agent.label + ": " + helloWall.get(agent).samples("%.3f"));
      report.raw("hello CPU s, " + agent.label + ": " + helloCpu.get(agent).samples("%.2f"));
      report.raw("hello peak RSS MiB, " + agent.label + ": " + helloRss.get(agent).samples("%.1f"));
      tomcat.addRaw(report, agent);
      if (boot) {
        springBoot.addRaw(report, agent);
      }
    }
  }

  private static List<String> row(String name, Map<Agent, Stats> stats, int decimals) {
    double none = stats.get(Agent.NONE).median();
    double weft = stats.get(Agent.WEFT).median();
    double otel = stats.get(Agent.OTEL).median();
    return List.of(name, Report.num(none, decimals), Report.num(weft, decimals), Report.num(otel, decimals),
        Report.signed(weft - none, decimals), Report.signed(otel - none, decimals));
  }

  private static List<String> roundByRound(String name, Map<Agent, Stats> stats) {
    return List.of(name, "", "", "", spread(Stats.differences(stats.get(Agent.WEFT), stats.get(Agent.NONE))),
        spread(Stats.differences(stats.get(Agent.OTEL), stats.get(Agent.NONE))));
  }

  private static String spread(Stats differences) {
    return Report.signed(differences.median(), 3) + " (" + Report.signed(differences.min(), 3) + " to "
        + Report.signed(differences.max(), 3) + ")";
  }

  private static double delta(Map<Agent, Stats> stats) {
    return stats.get(Agent.WEFT).median() - stats.get(Agent.NONE).median();
  }

  static Map<Agent, Stats> stats() {
    Map<Agent, Stats> map = new EnumMap<>(Agent.class);
    for (Agent agent : Agent.values()) {
      map.put(agent, new Stats());
    }
    return map;
  }
}
