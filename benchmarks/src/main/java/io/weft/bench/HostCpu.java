package io.weft.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's CPU time from the first line of /proc/stat, to tell how much of it the hypervisor gave to
 * other guests (steal) while a figure was measured. On this kind of shared virtual machine the slow phases
 * seen in the web figures (no agent at 10,000-17,000 requests/s on /plain instead of 50,000-58,000, p99 of
 * 18-25 ms) came with a steal of 30-44 % during the load (2026-12-05).
 */
final class HostCpu {
  private final long[] ticks;

  private HostCpu(long[] ticks) {
    this.ticks = ticks;
  }

  /** Now; an empty snapshot where /proc/stat cannot be read (not Linux). */
  static HostCpu now() {
    try {
      return parse(Files.readAllLines(Path.of("/proc/stat")).get(0));
    } catch (IOException | RuntimeException e) {
      return new HostCpu(null);
    }
  }

  /** {@code cpu  user nice system idle iowait irq softirq steal ...}: the first eight counters. */
  static HostCpu parse(String line) {
    String[] parts = line.trim().split("\\s+");
    if (!parts[0].equals("cpu") || parts.length < 9) {
      return new HostCpu(null);
    }
    long[] ticks = new long[8];
    for (int i = 0; i < 8; i++) {
      ticks[i] = Long.parseLong(parts[i + 1]);
    }
    return new HostCpu(ticks);
  }

  /** The share of the machine's CPU time between {@code before} and this snapshot that was stolen; NaN if unknown. */
  double stolenSince(HostCpu before) {
    if (ticks == null || before.ticks == null) {
      return Double.NaN;
    }
    long total = 0;
    for (int i = 0; i < 8; i++) {
      total += ticks[i] - before.ticks[i];
    }
    return total <= 0 ? Double.NaN : (double) (ticks[7] - before.ticks[7]) / total;
  }
}
