package io.weft.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process the harness started, its output in a log file, with what Linux says about it in /proc: CPU time
 * (user + system) and resident memory, current and peak.
 */
final class Child implements AutoCloseable {
  private static final long TICKS_PER_SECOND = clockTicks();

  private final Process process;
  private final Path log;
  private final long startNanos;

  private Child(Process process, Path log, long startNanos) {
    this.process = process;
    this.log = log;
    this.startNanos = startNanos;
  }

  /** Starts the command with stdout and stderr in {@code log}, without the caller's OTEL_ and WEFT_ variables. */
  static Child start(List<String> command, Path log) {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("OTEL_") || name.startsWith("WEFT_"));
    try {
      Files.writeString(log, "", StandardCharsets.UTF_8);
      long start = System.nanoTime();
      return new Child(builder.start(), log, start);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command.get(0), e);
    }
  }

  long pid() {
    return process.pid();
  }

  long startNanos() {
    return startNanos;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for the exit; throws when the process outlives the timeout (it is then killed). */
  int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      close();
      throw new IllegalStateException("process " + pid() + " still running after " + timeout.toSeconds()
          + " s; its output is in " + log);
    }
    return process.exitValue();
  }

  /** Writes one line to the process's standard input. */
  void send(String line) throws IOException {
    process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().flush();
  }

  /**
   * The {@code nth} (from 1) match of {@code pattern} in the output, once it is there; polls the log every 20 ms
   * and throws with the output when the process dies or the timeout passes first.
   */
  Matcher awaitOutput(Pattern pattern, int nth, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Matcher matcher = pattern.matcher(output());
      int found = 0;
      while (matcher.find()) {
        if (++found == nth) {
          return matcher;
        }
      }
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException((process.isAlive() ? "no " : "process exited before ") + pattern
            + " #" + nth + " within " + timeout.toSeconds() + " s; output:\n" + output());
      }
      Thread.sleep(20);
    }
  }

  /** User plus system CPU time so far, in milliseconds (10 ms resolution on most kernels). */
  long cpuMillis() {
    return cpuMillis(pid());
  }

  /** User plus system CPU time so far of process {@code pid}, in milliseconds. */
  static long cpuMillis(long pid) {
    return ticks(read("/proc/" + pid + "/stat")) * 1000 / TICKS_PER_SECOND;
  }

  /** utime + stime, in clock ticks, from a process's or thread's {@code stat} line. */
  private static long ticks(String stat) {
    // the command name, in parentheses, may hold spaces: count fields after its closing parenthesis
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime: fields 14 and 15
  }

  /**
   * CPU ticks so far of each live thread whose name (as Linux keeps it: the first 15 characters) starts with
   * one of {@code prefixes}, by thread id. Two snapshots give the CPU those threads used in between (see
   * {@link #millisBetween}); a thread that ended in between is missing from the second and not counted.
   */
  Map<Long, Long> threadTicks(List<String> prefixes) {
    Map<Long, Long> ticks = new HashMap<>();
    Path tasks = Path.of("/proc/" + pid() + "/task");
    try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
      for (Path thread : threads) {
        String stat;
        try {
          stat = Files.readString(thread.resolve("stat"), StandardCharsets.UTF_8);
        } catch (IOException ended) {
          continue;
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (prefixes.stream().anyMatch(name::startsWith)) {
          ticks.put(Long.parseLong(thread.getFileName().toString()), ticks(stat));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + tasks, e);
    }
    return ticks;
  }

  /** Milliseconds of CPU between two {@link #threadTicks} snapshots; threads started in between count fully. */
  static long millisBetween(Map<Long, Long> before, Map<Long, Long> after) {
    long ticks = 0;
    for (Map.Entry<Long, Long> thread : after.entrySet()) {
      ticks += thread.getValue() - before.getOrDefault(thread.getKey(), 0L);
    }
    return ticks * 1000 / TICKS_PER_SECOND;
  }

  /** Resident set size now, in KiB. */
  long rssKib() {
    return status("VmRSS:");
  }

  /** Peak resident set size so far, in KiB. */
  long peakRssKib() {
    return status("VmHWM:");
  }

  private long status(String key) {
    for (String line : read("/proc/" + pid() + "/status").split("\n")) {
      if (line.startsWith(key)) {
        return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
      }
    }
    throw new IllegalStateException("no " + key + " in /proc/" + pid() + "/status");
  }

  Path log() {
    return log;
  }

  String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** SIGTERM (the agents flush on it), then SIGKILL if the process is still there after 10 s. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** SIGKILL: nothing runs in the process any more, not even the agents' shutdown hooks. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String read(String path) {
    try {
      return Files.readString(Path.of(path), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + " (has the process ended?)", e);
    }
  }

  private static long clockTicks() {
    try {
      Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      getconf.waitFor(5, TimeUnit.SECONDS);
      return Long.parseLong(out);
    } catch (IOException | NumberFormatException e) {
      return 100; // USER_HZ on every mainstream Linux configuration
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
