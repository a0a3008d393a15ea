package io.weft.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The load generator: wrk, one thread, a fixed number of connections for a fixed time, closed loop. */
final class Wrk {
  /** What one run reports; latencies in microseconds. */
  record Result(long requests, double seconds, long socketErrors, long non2xx, double p50Micros, double p99Micros) {
    double requestsPerSecond() {
      return requests / seconds;
    }
  }

  private final Harness harness;
  private final Path script;

  Wrk(Harness harness) throws IOException {
    this.harness = harness;
    this.script = harness.logs.resolve("wrk-report.lua");
    try (InputStream in = Wrk.class.getResourceAsStream("wrk-report.lua")) {
      Files.write(script, in.readAllBytes());
    }
  }

  Result run(int port, String path, int connections, Duration duration) throws Exception {
    Child wrk = Child.start(List.of("wrk", "-t1", "-c" + connections, "-d" + duration.toSeconds() + "s",
        "--timeout", "10s", "-s", script.toString(), "http://127.0.0.1:" + port + path),
        harness.log("wrk" + path.replace('/', '-')));
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
