package io.weft.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The load generator: wrk, one thread, a fixed number of connections for a fixed time, closed loop; saturating
 * (each connection sends its next request as soon as the answer is in) or paced (each waits a fixed think time
 * first, so the application is busy only part of the time and its latency is its own, not a queue's).
 */
final class Wrk {
  /** What one run reports; latencies in microseconds. */
  record Result(long requests, double seconds, long socketErrors, long non2xx, double p50Micros, double p99Micros) {
    double requestsPerSecond() {
      return requests / seconds;
    }
  }

  private final Harness harness;
  private final Path script;
  private final Path pacedScript;

  Wrk(Harness harness) throws IOException {
    this.harness = harness;
    this.script = harness.logs.resolve("wrk-report.lua");
    this.pacedScript = harness.logs.resolve("wrk-paced.lua");
    try (InputStream in = Wrk.class.getResourceAsStream("wrk-report.lua")) {
      byte[] report = in.readAllBytes();
      Files.write(script, report);
      Files.writeString(pacedScript, new String(report, StandardCharsets.UTF_8)
          + "-- paced: each connection waits this many milliseconds after an answer before its next request\n"
          + "delay = function() return " + harness.settings.webThinkMillis() + " end\n");
    }
  }

  /** Saturating load: each connection's next request goes as soon as the answer is in. */
  Result run(int port, String path, int connections, Duration duration) throws Exception {
    return run(port, path, connections, duration, false);
  }

  /** Paced load: each connection waits {@code webThinkMillis} after an answer before its next request. */
  Result runPaced(int port, String path, int connections, Duration duration) throws Exception {
    return run(port, path, connections, duration, true);
  }

  private Result run(int port, String path, int connections, Duration duration, boolean paced) throws Exception {
    Child wrk = Child.start(List.of("wrk", "-t1", "-c" + connections, "-d" + duration.toSeconds() + "s",
        "--timeout", "10s", "-s", (paced ? pacedScript : script).toString(), "http://127.0.0.1:" + port + path),
        harness.log("wrk" + path.replace('/', '-') + (paced ? "-paced" : "")));
    int exit = wrk.waitFor(duration.plusSeconds(60));
    for (String line : wrk.output().split("\n")) {
      if (line.startsWith("weft-bench-wrk ")) {
        Map<String, Double> values = new HashMap<>();
        for (String pair : line.substring("weft-bench-wrk ".length()).trim().split(" ")) {
          String[] kv = pair.split("=");
          values.put(kv[0], Double.parseDouble(kv[1]));
        }
        return new Result(values.get("requests").longValue(), values.get("duration_us") / 1e6,
            values.get("socket_errors").longValue(), values.get("non2xx").longValue(), values.get("p50_us"),
            values.get("p99_us"));
      }
    }
    throw new IllegalStateException("wrk (exit " + exit + ") printed no result line:\n" + wrk.output());
  }
}
