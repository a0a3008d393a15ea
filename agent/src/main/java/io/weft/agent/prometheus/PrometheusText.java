package io.weft.agent.prometheus;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.metrics.data.SumData;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes metrics in Prometheus' text exposition format (version 0.0.4), as the OpenTelemetry specification maps
 * them ("Prometheus and OpenMetrics Compatibility"):
 * <ul>
 *   <li>names: characters outside {@code [a-zA-Z0-9_:]} become {@code _}, runs of {@code _} one; the unit as a
 *       word ({@code s} → {@code _seconds}, {@code By} → {@code _bytes}, {@code {request}} dropped, {@code 1} →
 *       {@code _ratio} on gauges) unless the name ends with it; {@code _total} on monotonic sums;</li>
 *   <li>monotonic cumulative sums are counters, other sums and gauges gauges, histograms {@code _bucket} (with
 *       cumulative counts and a last {@code le="+Inf"}), {@code _sum} and {@code _count}; delta points and
 *       other kinds are left out (Weft's exporter asks for cumulative points, and makes no other kind);</li>
 *   <li>attributes are labels, with the scope as {@code otel_scope_name} and {@code otel_scope_version}; keys
 *       are cleaned as names are, and attributes whose keys clean to the same label have their values joined
 *       with {@code ;} in the order of their keys;</li>
 *   <li>the resource is one {@code target_info} gauge of value 1 whose labels are its attributes.</li>
 * </ul>
 * Two metrics of the same Prometheus name and different types cannot share a family: the later one is left out
 * and named once to {@code warn}. Exemplars are not written: the 0.0.4 format has none. One caller at a time.
 */
final class PrometheusText {

  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final Map<String, String> UNITS = new HashMap<>();
  private static final Map<String, String> PER_UNITS = new HashMap<>();

  static {
    String[] units = {
        "d", "days", "h", "hours", "min", "minutes", "s", "seconds", "ms", "milliseconds", "us", "microseconds",
        "ns", "nanoseconds", "By", "bytes", "KiBy", "kibibytes", "MiBy", "mebibytes", "GiBy", "gibibytes",
        "TiBy", "tebibytes", "KBy", "kilobytes", "MBy", "megabytes", "GBy", "gigabytes", "TBy", "terabytes",
        "m", "meters", "V", "volts", "A", "amperes", "J", "joules", "W", "watts", "g", "grams", "Cel", "celsius",
        "Hz", "hertz", "%", "percent"};
    for (int i = 0; i < units.length; i += 2) {
      UNITS.put(units[i], units[i + 1]);
    }
    String[] perUnits = {"s", "second", "m", "minute", "h", "hour", "d", "day", "w", "week", "mo", "month", "y", "year"};
    for (int i = 0; i < perUnits.length; i += 2) {
      PER_UNITS.put(perUnits[i], perUnits[i + 1]);
    }
  }

  private final Consumer<String> warn;
  private final Map<String, String> warned = new HashMap<>();

  PrometheusText(Consumer<String> warn) {
    this.warn = warn;
  }

  /** One family: its type and help, and the sample lines written so far. */
  private static final class Family {
    final String type;
    final String help;
    final StringBuilder samples = new StringBuilder(256);

    Family(String type, String help) {
      this.type = type;
      this.help = help;
    }
  }

  /** The text of one scrape: {@code target_info} for {@code resource}, then each metric's family. */
  String write(Attributes resource, Collection<MetricData> metrics) {
    Map<String, Family> families = new LinkedHashMap<>();
    for (MetricData metric : metrics) {
      String type = typeOf(metric);
      if (type == null) {
        continue;
      }
      String name = metricName(metric.getName(), metric.getUnit(), type);
      Family family = families.get(name);
      if (family == null) {
        family = new Family(type, metric.getDescription());
        families.put(name, family);
      } else if (!family.type.equals(type)) {
        String problem = metric.getName() + " as a " + type + " named " + name + ", already a " + family.type;
        if (warned.put(name, problem) == null) {
          warn.accept("the Prometheus endpoint leaves out " + problem + ": one name cannot have two types");
        }
        continue;
      }
      writeSamples(family.samples, name, type, metric);
    }
    StringBuilder out = new StringBuilder(1024);
    if (!resource.isEmpty()) {
      out.append("# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info");
      writeLabels(out, resource, null, null, null);
      out.append(" 1\n");
    }
    for (Map.Entry<String, Family> entry : families.entrySet()) {
      Family family = entry.getValue();
      if (family.help != null && !family.help.isEmpty()) {
        out.append("# HELP ").append(entry.getKey()).append(' ');
        escape(out, family.help, false);
        out.append('\n');
      }
      out.append("# TYPE ").append(entry.getKey()).append(' ').append(family.type).append('\n');
      out.append(family.samples);
    }
    return out.toString();
  }

  /** counter, gauge or histogram; null for what the format cannot carry as is (delta points, other kinds). */
  private static String typeOf(MetricData metric) {
    switch (metric.getType()) {
      case LONG_GAUGE:
      case DOUBLE_GAUGE:
        return "gauge";
      case LONG_SUM:
      case DOUBLE_SUM: {
        SumData<?> sum = metric.getType() == MetricDataType.LONG_SUM
            ? metric.getLongSumData() : metric.getDoubleSumData();
        if (sum.getAggregationTemporality() != AggregationTemporality.CUMULATIVE) {
          return null;
        }
        return sum.isMonotonic() ? "counter" : "gauge";
      }
      case HISTOGRAM:
        return metric.getHistogramData().getAggregationTemporality() == AggregationTemporality.CUMULATIVE ? "histogram" : null;
      default:
        return null;
    }
  }

  private void writeSamples(StringBuilder out, String name, String type, MetricData metric) {
    InstrumentationScopeInfo scope = metric.getInstrumentationScopeInfo();
    if (type.equals("histogram")) {
      for (HistogramPointData point : metric.getHistogramData().getPoints()) {
        List<Double> boundaries = point.getBoundaries();
        List<Long> counts = point.getCounts();
        long cumulative = 0;
        for (int i = 0; i < counts.size(); i++) {
          cumulative += counts.get(i);
          out.append(name).append("_bucket");
          writeLabels(out, point.getAttributes(), scope, "le", i < boundaries.size() ? number(boundaries.get(i)) : "+Inf");
          out.append(' ').append(cumulative).append('\n');
        }
        out.append(name).append("_sum");
        writeLabels(out, point.getAttributes(), scope, null, null);
        out.append(' ').append(number(point.getSum())).append('\n');
        out.append(name).append("_count");
        writeLabels(out, point.getAttributes(), scope, null, null);
        out.append(' ').append(point.getCount()).append('\n');
      }
      return;
    }
    for (PointData point : metric.getData().getPoints()) {
      out.append(name);
      writeLabels(out, point.getAttributes(), scope, null, null);
      out.append(' ');
      if (point instanceof LongPointData) {
        out.append(((LongPointData) point).getValue());
      } else {
        out.append(number(((DoublePointData) point).getValue()));
      }
      out.append('\n');
    }
  }

  /**
   * {@code {k="v",...}}: the attributes (in key order, as {@link Attributes} keeps them), the scope's labels, and
   * one more label; nothing when all are empty.
   */
  private static void writeLabels(StringBuilder out, Attributes attributes, InstrumentationScopeInfo scope, String extraKey,
      String extraValue) {
    List<String> keys = new ArrayList<>(attributes.size() + 3);
    List<String> values = new ArrayList<>(attributes.size() + 3);
    for (Map.Entry<AttributeKey<?>, Object> attribute : attributes.asMap().entrySet()) {
      add(keys, values, labelName(attribute.getKey().getKey()), value(attribute.getValue()));
    }
    if (scope != null) {
      add(keys, values, "otel_scope_name", scope.getName());
      if (scope.getVersion() != null && !scope.getVersion().isEmpty()) {
        add(keys, values, "otel_scope_version", scope.getVersion());
      }
    }
    if (extraKey != null) {
      add(keys, values, extraKey, extraValue);
    }
    if (keys.isEmpty()) {
      return;
    }
    out.append('{');
    for (int i = 0; i < keys.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(keys.get(i)).append("=\"");
      escape(out, values.get(i), true);
      out.append('"');
    }
    out.append('}');
  }

  /** Adds a label, or joins its value to an earlier one that cleaned to the same name. */
  private static void add(List<String> keys, List<String> values, String key, String value) {
    int earlier = keys.indexOf(key);
    if (earlier >= 0) {
      values.set(earlier, values.get(earlier) + ";" + value);
    } else {
      keys.add(key);
      values.add(value);
    }
  }

  /** An attribute's value as a label's: arrays as JSON arrays, as the attribute specification writes them. */
  private static String value(Object value) {
    if (!(value instanceof List)) {
      return String.valueOf(value);
    }
    StringBuilder json = new StringBuilder().append('[');
    List<?> list = (List<?>) value;
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) {
        json.append(',');
      }
      Object element = list.get(i);
      if (element instanceof String) {
        json.append('"');
        for (int c = 0; c < ((String) element).length(); c++) {
          char ch = ((String) element).charAt(c);
          if (ch == '"' || ch == '\\') {
            json.append('\\').append(ch);
          } else if (ch < 0x20) {
            json.append(String.format("\\u%04x", (int) ch));
          } else {
            json.append(ch);
          }
        }
        json.append('"');
      } else {
        json.append(element);
      }
    }
    return json.append(']').toString();
  }

  /** The Prometheus name of a metric: cleaned, with its unit's word and its type's suffix. */
  static String metricName(String name, String unit, String type) {
    String base = clean(name, true);
    boolean counter = type.equals("counter");
    if (counter && base.endsWith("_total")) {
      base = base.substring(0, base.length() - "_total".length());
    }
    String word = unitWord(unit, type.equals("gauge"));
    if (!word.isEmpty() && !base.endsWith("_" + word) && !base.equals(word)) {
      base = base + "_" + word;
    }
    return counter ? base + "_total" : base;
  }

  /** A label name: {@code [a-zA-Z_][a-zA-Z0-9_]*}, a leading digit kept behind {@code key_}. */
  static String labelName(String key) {
    String cleaned = clean(key, false);
    return !cleaned.isEmpty() && cleaned.charAt(0) >= '0' && cleaned.charAt(0) <= '9' ? "key_" + cleaned : cleaned;
  }

  /** Characters outside the format's set as {@code _}, runs of {@code _} as one. */
  private static String clean(String name, boolean metric) {
    StringBuilder out = new StringBuilder(name.length() + 1);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (metric && c == ':');
      char next = ok ? c : '_';
      if (next == '_' && out.length() > 0 && out.charAt(out.length() - 1) == '_') {
        continue;
      }
      out.append(next);
    }
    if (out.length() == 0) {
      return "_";
    }
    if (metric && out.charAt(0) >= '0' && out.charAt(0) <= '9') {
      out.insert(0, '_');
    }
    return out.toString();
  }

  /**
   * The unit as Prometheus writes it: {@code ms} → {@code milliseconds}, {@code By/s} → {@code bytes_per_second},
   * annotations in braces dropped, {@code 1} → {@code ratio} on a gauge and nothing on others; an unknown unit
   * cleaned as a name.
   */
  static String unitWord(String unit, boolean gauge) {
    if (unit == null) {
      return "";
    }
    String plain = unit.replaceAll("\\{[^}]*}", "").trim();
    if (plain.isEmpty()) {
      return "";
    }
    if (plain.equals("1")) {
      return gauge ? "ratio" : "";
    }
    int slash = plain.indexOf('/');
    if (slash >= 0) {
      String main = word(plain.substring(0, slash), UNITS);
      String per = word(plain.substring(slash + 1), PER_UNITS);
      if (per.isEmpty()) {
        return main;
      }
      return main.isEmpty() ? "per_" + per : main + "_per_" + per;
    }
    return word(plain, UNITS);
  }

  private static String word(String unit, Map<String, String> words) {
    String trimmed = unit.trim();
    if (trimmed.isEmpty() || trimmed.equals("1")) {
      return "";
    }
    String word = words.get(trimmed);
    if (word != null) {
      return word;
    }
    String cleaned = clean(trimmed, false);
    // strip the underscores cleaning left at either end: "m³" is "m", not "m_"
    int start = 0;
    int end = cleaned.length();
    while (start < end && cleaned.charAt(start) == '_') {
      start++;
    }
    while (end > start && cleaned.charAt(end - 1) == '_') {
      end--;
    }
    return cleaned.substring(start, end);
  }

  /** A sample value or bucket bound as Prometheus reads it: {@code +Inf}, {@code -Inf}, {@code NaN} or Java's digits. */
  static String number(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    return Double.toString(value);
  }

  /** Escapes {@code \} and line feeds, and in label values {@code "} too. */
  private static void escape(StringBuilder out, String text, boolean labelValue) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        out.append("\\\\");
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '"' && labelValue) {
        out.append("\\\"");
      } else {
        out.append(c);
      }
    }
  }
}
