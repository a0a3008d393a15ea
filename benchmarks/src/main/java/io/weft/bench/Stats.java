package io.weft.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Samples of one figure for one agent; the tables show the median. */
final class Stats {
  private final List<Double> values = new ArrayList<>();

  void add(double value) {
    values.add(value);
  }

  boolean isEmpty() {
    return values.isEmpty();
  }

  int size() {
    return values.size();
  }

  double median() {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  double min() {
    return values.isEmpty() ? Double.NaN : Collections.min(values);
  }

  double max() {
    return values.isEmpty() ? Double.NaN : Collections.max(values);
  }

  /**
   * The ratio of each sample of {@code over} to the sample of {@code under} taken at the same index (the web
   * figure's slices of one turn, seconds apart); as many as both have.
   */
  static Stats ratios(Stats over, Stats under) {
    Stats ratios = new Stats();
    for (int i = 0; i < Math.min(over.values.size(), under.values.size()); i++) {
      ratios.add(over.values.get(i) / under.values.get(i));
    }
    return ratios;
  }

  /**
   * The difference of each sample of {@code over} from the sample of {@code under} taken at the same index (the
   * start-up figure's runs of one round, seconds apart); as many as both have.
   */
  static Stats differences(Stats over, Stats under) {
    Stats differences = new Stats();
    for (int i = 0; i < Math.min(over.values.size(), under.values.size()); i++) {
      differences.add(over.values.get(i) - under.values.get(i));
    }
    return differences;
  }

  /** Every sample, in the order taken, for the raw-data section. */
  String samples(String format) {
    List<String> parts = new ArrayList<>();
    for (double value : values) {
      parts.add(String.format(Locale.ROOT, format, value));
    }
    return String.join(", ", parts);
  }
}
