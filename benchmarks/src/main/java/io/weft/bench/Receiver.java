package io.weft.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * weft-receiver in its counting mode, in its own JVM on 127.0.0.1: both agents export to it, and the harness
 * reads the number of spans it decoded from the totals it prints.
 */
final class Receiver implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("OTLP/HTTP (http://127\\.0\\.0\\.1:\\d+)");
  private static final Pattern COUNT = Pattern.compile("^count spans=(\\d+) metric-points=(\\d+)");
  private static final long POLL_MILLIS = 50;

  private final Process process;
  private final CountDownLatch listening = new CountDownLatch(1);
  private volatile String endpoint;
  private volatile long spans;

  private Receiver(Process process) {
    this.process = process;
  }

  static Receiver start(Path java, Path jar, Path log) throws IOException, InterruptedException {
    // a fixed, pre-touched heap: with a growing one the receiver spent more CPU per export read (fresh memory),
    // CPU the application's two cores paid for and a collector on another machine would not cost them
    ProcessBuilder builder = new ProcessBuilder(java.toString(), "-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch",
        "-jar", jar.toString(),
        "--http-port", "0", "--grpc-port", "-1", "--count").redirectErrorStream(true);
    Receiver receiver = new Receiver(builder.start());
    Thread reader = new Thread(() -> receiver.read(log), "bench-receiver-output");
    reader.setDaemon(true);
    reader.start();
    if (!receiver.listening.await(60, TimeUnit.SECONDS)) {
      receiver.close();
      throw new IllegalStateException("weft-receiver did not start within 60 s; see " + log);
    }
    if (receiver.endpoint == null) {
      throw new IllegalStateException("weft-receiver exited at start; see " + log);
    }
    return receiver;
  }

  private void read(Path log) {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
             StandardCharsets.UTF_8));
         PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
      String line;
      while ((line = lines.readLine()) != null) {
        Matcher count = COUNT.matcher(line);
        if (count.find()) {
          spans = Long.parseLong(count.group(1));
          continue; // ten lines a second under load: the log keeps everything else
        }
        out.println(line);
        Matcher listen = LISTENING.matcher(line);
        if (listen.find()) {
          endpoint = listen.group(1);
          listening.countDown();
        }
      }
    } catch (IOException e) {
      // the receiver ended; close() or the next await reports it
    } finally {
      listening.countDown();
    }
  }

  /** The receiver's CPU time so far (user plus system), in milliseconds. */
  long cpuMillis() {
    return Child.cpuMillis(process.pid());
  }

  /** {@code http://127.0.0.1:PORT}, the OTLP base endpoint both agents are given. */
  String endpoint() {
    return endpoint;
  }

  /** Spans decoded so far (the receiver prints its totals every 100 ms when they change). */
  long spans() {
    return spans;
  }

  /**
   * The span total once it has not moved for {@code quiet}: longer than the agents' batch delay, so whatever
   * was still queued has arrived. Gives up after {@code limit} and returns the total then.
   */
  long awaitQuiet(Duration quiet, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    long last = spans;
    long stableSince = System.nanoTime();
    while (true) {
      Thread.sleep(POLL_MILLIS); // polling a counter another process owns; the bound is the deadline
      long now = System.nanoTime();
      long current = spans;
      if (current != last) {
        last = current;
        stableSince = now;
      } else if (now - stableSince >= quiet.toNanos()) {
        return current;
      }
      if (now >= deadline) {
        Bench.log("receiver still receiving after " + limit.toSeconds() + " s; taking " + current);
        return current;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("weft-receiver died");
      }
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
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
