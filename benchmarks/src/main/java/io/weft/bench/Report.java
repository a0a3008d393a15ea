package io.weft.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The Markdown results: a targets summary, one section per figure, and every raw sample at the end. */
final class Report {
  private final List<List<String>> targets = new ArrayList<>();
  private final StringBuilder sections = new StringBuilder();
  private final StringBuilder raw = new StringBuilder();

  /** One row of the summary: the figure, the target as the issue states it, what was measured, ✅ or ❌. */
  void target(String figure, String target, String measured, String verdict) {
    targets.add(List.of(figure, target, measured, verdict));
  }

  void section(String title, String body) {
    sections.append("## ").append(title).append("\n\n").append(body.strip()).append("\n\n");
  }

  void raw(String line) {
    raw.append("- ").append(line).append('\n');
  }

  String render(String preamble) {
    return preamble.strip() + "\n\n## Targets\n\n"
        + table(List.of("Figure", "Target", "Weft measured", "Met"), targets, false) + "\n"
        + sections
        + "## Raw samples\n\nIn the order taken (rounds interleave the agents).\n\n" + raw;
  }

  /** A Markdown table: the first column left-aligned, the others right-aligned (numbers). */
  static String table(List<String> header, List<List<String>> rows) {
    return table(header, rows, true);
  }

  private static String table(List<String> header, List<List<String>> rows, boolean numbers) {
    StringBuilder text = new StringBuilder();
    text.append("| ").append(String.join(" | ", header)).append(" |\n|");
    for (int i = 0; i < header.size(); i++) {
      text.append(i == 0 || !numbers ? "---|" : "---:|");
    }
    text.append('\n');
    for (List<String> row : rows) {
      text.append("| ").append(String.join(" | ", row)).append(" |\n");
    }
    return text.toString();
  }

  static String num(double value, int decimals) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return "—";
    }
    return String.format(Locale.ROOT, "%,." + decimals + "f", value);
  }

  static String signed(double value, int decimals) {
    if (Double.isNaN(value)) {
      return "—";
    }
    return (value >= 0 ? "+" : "") + num(value, decimals);
  }

  static String ratio(double value) {
    return Double.isNaN(value) || Double.isInfinite(value) ? "—" : num(value, 2) + "×";
  }

  /** A ratio next to its target: with a third decimal where two would print it as the limit itself. */
  static String ratio(double value, double limit) {
    return Double.isNaN(value) || Double.isInfinite(value) ? "—" : num(value, decimalsApart(value - limit, 2)) + "×";
  }

  /** {@code decimals}, or up to three more where fewer would print a non-zero {@code gap} as zero. */
  static int decimalsApart(double gap, int decimals) {
    int shown = decimals;
    while (shown < decimals + 3 && gap != 0 && Math.abs(gap) < 0.5 * Math.pow(10, -shown)) {
      shown++;
    }
    return shown;
  }

  static String percent(double fraction, int decimals) {
    return Double.isNaN(fraction) ? "—" : num(100 * fraction, decimals) + " %";
  }

  /** ✅ when {@code value <= limit}, else ❌ with how far over, in the figure's unit. */
  static String atMost(double value, double limit, int decimals, String unit) {
    if (Double.isNaN(value)) {
      return "— not measured";
    }
    return value <= limit ? "✅" : "❌ " + num(value - limit, decimalsApart(value - limit, decimals)) + unit + " over";
  }

  /** ✅ when {@code value >= limit}, else ❌ with how far short, in the figure's unit. */
  static String atLeast(double value, double limit, int decimals, String unit) {
    if (Double.isNaN(value)) {
      return "— not measured";
    }
    return value >= limit ? "✅" : "❌ " + num(limit - value, decimalsApart(limit - value, decimals)) + unit + " short";
  }
}
