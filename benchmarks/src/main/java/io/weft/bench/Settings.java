package io.weft.bench;

import java.time.Duration;

/** Rounds and durations: a full run (about 40 minutes, the web figure 24 of them) or {@code --quick} (a smoke check). */
record Settings(
    boolean quick,
    int startupRounds,
    int callRounds,
    int jmhWarmupIterations,
    Duration jmhIteration,
    int jmhMeasurementIterations,
    int webRounds,
    Duration webStartWarmup,
    Duration webSettleLimit,
    int webSlices,
    Duration webSliceWarmup,
    Duration webSlice,
    int webConnections,
    int webPacedConnections,
    int webThinkMillis,
    Duration webPacedSlice,
    int calibrationRequests,
    int pipelineRounds,
    double pipelineWarmUpSeconds,
    double pipelineStepSeconds,
    int memoryRounds,
    int memorySpans) {

  static final Duration QUIET = Duration.ofMillis(1600); // batch delay 1000 ms, plus one export and a tick
  static final Duration QUIET_LIMIT = Duration.ofSeconds(60);

  static Settings forFullRun() {
    return new Settings(false, 10, 3, 5, Duration.ofSeconds(1), 5, 2, Duration.ofSeconds(10), Duration.ofSeconds(30),
        5, Duration.ofSeconds(2), Duration.ofSeconds(4), 16, 32, 1, Duration.ofSeconds(3), 50, 2, 3.0, 3.0, 3, 200_000);
  }

  static Settings forQuickRun() {
    return new Settings(true, 1, 1, 2, Duration.ofMillis(500), 2, 1, Duration.ofSeconds(1), Duration.ZERO,
        1, Duration.ofSeconds(1), Duration.ofSeconds(2), 16, 32, 1, Duration.ofSeconds(2), 10, 1, 1.0, 1.0, 1, 50_000);
  }

  String describe() {
    return (quick ? "quick" : "full") + ": start-up " + startupRounds + " rounds; JMH " + callRounds
        + " round(s) of one fork, " + jmhWarmupIterations + " warm-up + " + jmhMeasurementIterations
        + " measured iterations of " + jmhIteration.toMillis() + " ms; web " + webRounds + " round(s), "
        + webConnections + " connections, " + webStartWarmup.toSeconds() + " s warm-up per endpoint at start (then up to " + webSettleLimit.toSeconds()
        + " s more until the JIT settles), "
        + "per endpoint " + webSlices + " slice(s) per agent, taken in turn, of " + webSliceWarmup.toSeconds()
        + " s warm-up + " + webSlice.toSeconds() + " s measured, then as many of " + webSliceWarmup.toSeconds()
        + " s warm-up + " + webPacedSlice.toSeconds() + " s paced (" + webPacedConnections
        + " connections, " + webThinkMillis + " ms think time); pipeline " + pipelineRounds + " round(s), " + pipelineWarmUpSeconds
        + " s warm-up, " + pipelineStepSeconds + " s steps; queue memory " + memoryRounds + " round(s) of " + memorySpans + " spans";
  }
}
