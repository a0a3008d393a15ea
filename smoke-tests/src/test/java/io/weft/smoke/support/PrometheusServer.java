package io.weft.smoke.support;

import io.weft.receiver.OtlpReceiver;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Prometheus server (Debian's {@code prometheus} package, which {@code .ci/run} installs) scraping one
 * target every second, in its own temporary storage, asked through its HTTP API. Without the binary a test
 * using it is skipped with the reason, except under CI, where it fails.
 */
public final class PrometheusServer implements AutoCloseable {

  private static final Pattern VALUE = Pattern.compile("\"value\":\\[[0-9.e+]+,\"([^\"]*)\"\\]");

  private final Process process;
  private final Path log;
  private final URI base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private PrometheusServer(Process process, Path log, URI base) {
    this.process = process;
    this.log = log;
    this.base = base;
  }

  /** The binary, or a skipped test (a failed one under CI) saying how to get it. */
  public static Path binary() {
    for (String candidate : List.of("/usr/bin/prometheus", "/usr/local/bin/prometheus")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return Path.of(candidate);
      }
    }
    String why = "no Prometheus server at /usr/bin/prometheus (apt-get install prometheus)";
    if (System.getenv("CI") != null) {
      throw new IllegalStateException(why + ": CI installs it and requires it");
    }
    Assumptions.abort(why);
    return null;
  }

  /** Starts scraping {@code target} ({@code host:port}, path {@code /metrics}) as job {@code job}, once a second. */
  public static PrometheusServer scraping(String target, String job, Path dir) throws IOException, InterruptedException {
    Path binary = binary();
    int port = OtlpReceiver.freePort();
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, String.join("\n",
        "global:",
        "  scrape_interval: 1s",
        "  scrape_timeout: 1s",
        "scrape_configs:",
        "  - job_name: " + job,
        "    static_configs:",
        "      - targets: ['" + target + "']",
        ""));
    Path log = dir.resolve("prometheus.log");
    List<String> command = new ArrayList<>(List.of(binary.toString(),
        "--config.file=" + config,
        "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port,
        "--log.level=warn"));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    PrometheusServer server = new PrometheusServer(process, log, URI.create("http://127.0.0.1:" + port));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        if (server.get("/-/ready").statusCode() == 200) {
          return server;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (!process.isAlive() || System.nanoTime() > deadline) {
        String why = "Prometheus did not become ready: " + server.describe();
        server.close();
        throw new IllegalStateException(why);
      }
      Thread.sleep(100);
    }
  }

  /** The value of an instant query's first series, or null while it has none. */
  public String value(String promql) throws IOException, InterruptedException {
    String body = query(promql);
    Matcher matcher = VALUE.matcher(body);
    return matcher.find() ? matcher.group(1) : null;
  }

  /** The raw JSON answer of an instant query. */
  public String query(String promql) throws IOException, InterruptedException {
    HttpResponse<String> response = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    if (response.statusCode() != 200) {
      throw new IllegalStateException("query " + promql + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  /** Polls {@code promql} until its value is {@code expected}, or fails with the last answer and the target's state. */
  public void awaitValue(String promql, String expected, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last;
    do {
      last = query(promql);
      Matcher matcher = VALUE.matcher(last);
      if (matcher.find() && matcher.group(1).equals(expected)) {
        return;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("Prometheus never had " + promql + " = " + expected + "; last answer " + last
        + "\ntargets: " + targets() + "\n" + describe());
  }

  /** The scrape targets' state, as Prometheus reports it (health, last error). */
  public String targets() throws IOException, InterruptedException {
    return get("/api/v1/targets").body();
  }

  private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  public String describe() {
    try {
      return "prometheus log:\n" + Files.readString(log);
    } catch (IOException e) {
      return "prometheus log unreadable: " + e;
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
