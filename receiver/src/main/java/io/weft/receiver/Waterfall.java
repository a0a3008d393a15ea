package io.weft.receiver;

import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Renders the spans of one trace as text: a header, then one line per span indented under its parent,
 * with its offset from the trace start, its duration, kind, name, error and a few telling attributes.
 */
public final class Waterfall {
  private static final List<String> KEY_ATTRIBUTES = List.of("http.request.method", "http.route",
      "http.response.status_code", "db.system.name", "db.query.text", "code.function.name");
  private static final int QUERY_TEXT_LIMIT = 80;
  private static final String BOLD = "\u001b[1m";
  private static final String RED = "\u001b[31m";
  private static final String YELLOW = "\u001b[33m";
  private static final String DIM = "\u001b[2m";
  private static final String RESET = "\u001b[0m";
  private static final Comparator<ReceivedSpan> BY_START =
      Comparator.comparingLong(ReceivedSpan::startEpochNanos).thenComparing(ReceivedSpan::spanId);

  private final boolean ansi;
  private final StringBuilder out = new StringBuilder();
  private final Map<String, List<ReceivedSpan>> childrenByParent = new HashMap<>();
  private final Set<ReceivedSpan> rendered = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
  private long traceStart;

  private Waterfall(boolean ansi) {
    this.ansi = ansi;
  }

  /** Plain text, no colour. */
  public static String render(List<ReceivedSpan> spansOfOneTrace) {
    return render(spansOfOneTrace, false);
  }

  /** With {@code ansi}, the header is bold, errors red and missing parents yellow. */
  public static String render(List<ReceivedSpan> spansOfOneTrace, boolean ansi) {
    return new Waterfall(ansi).draw(spansOfOneTrace);
  }

  private String draw(List<ReceivedSpan> spans) {
    if (spans.isEmpty()) {
      return "";
    }
    traceStart = Long.MAX_VALUE;
    long traceEnd = Long.MIN_VALUE;
    Set<String> ids = new HashSet<>();
    for (ReceivedSpan span : spans) {
      traceStart = Math.min(traceStart, span.startEpochNanos());
      traceEnd = Math.max(traceEnd, span.endEpochNanos());
      ids.add(span.spanId());
    }
    List<ReceivedSpan> topLevel = new ArrayList<>();
    for (ReceivedSpan span : spans) {
      if (span.isRoot() || !ids.contains(span.parentSpanId())) {
        topLevel.add(span);
      } else {
        childrenByParent.computeIfAbsent(span.parentSpanId(), parent -> new ArrayList<>()).add(span);
      }
    }
    childrenByParent.values().forEach(children -> children.sort(BY_START));
    topLevel.sort(Comparator.comparing((ReceivedSpan span) -> !span.isRoot()).thenComparing(BY_START));

    header(spans, topLevel, traceEnd - traceStart);
    for (ReceivedSpan span : topLevel) {
      line(span, 0);
    }
    for (ReceivedSpan span : spans) {
      if (!rendered.contains(span)) { // only a span whose parent chain loops back on itself
        line(span, 0);
      }
    }
    return out.toString();
  }

  private void header(List<ReceivedSpan> spans, List<ReceivedSpan> topLevel, long totalNanos) {
    String service = null;
    for (ReceivedSpan span : topLevel) {
      service = span.serviceName();
      if (service != null) {
        break;
      }
    }
    String text = "trace " + spans.get(0).traceId() + "  service " + (service == null ? "?" : service)
        + "  " + millis(totalNanos) + "  " + spans.size() + (spans.size() == 1 ? " span" : " spans");
    out.append(colour(BOLD, text)).append('\n');
  }

  private void line(ReceivedSpan span, int depth) {
    if (!rendered.add(span)) {
      return;
    }
    StringBuilder line = new StringBuilder();
    line.append(String.format(Locale.ROOT, "%12s %11s  ", "+" + millis(span.startEpochNanos() - traceStart),
        millis(span.durationNanos())));
    line.append("  ".repeat(depth));
    line.append(colour(DIM, String.format(Locale.ROOT, "%-8s", kind(span)))).append(' ').append(span.name());
    if (!span.isRoot() && depth == 0) {
      line.append(' ').append(colour(YELLOW, "(parent not received)"));
    }
    if (span.statusCode() == Status.StatusCode.STATUS_CODE_ERROR) {
      StringBuilder error = new StringBuilder("ERROR");
      Object errorType = span.attr("error.type");
      if (errorType != null) {
        error.append(' ').append(errorType);
      }
      if (!span.statusMessage().isEmpty()) {
        error.append(' ').append(quote(span.statusMessage()));
      }
      line.append("  ").append(colour(RED, error.toString()));
    }
    for (String key : KEY_ATTRIBUTES) {
      Object value = span.attr(key);
      if (value != null) {
        String text = value.toString().replaceAll("\\s+", " ").trim();
        if (key.equals("db.query.text")) {
          text = quote(text.length() > QUERY_TEXT_LIMIT ? text.substring(0, QUERY_TEXT_LIMIT) + "..." : text);
        }
        line.append("  ").append(key).append('=').append(text);
      }
    }
    out.append(line).append('\n');
    for (ReceivedSpan child : childrenByParent.getOrDefault(span.spanId(), List.of())) {
      line(child, depth + 1);
    }
  }

  private static String kind(ReceivedSpan span) {
    switch (span.kind()) {
      case SPAN_KIND_SERVER:
        return "SERVER";
      case SPAN_KIND_CLIENT:
        return "CLIENT";
      case SPAN_KIND_PRODUCER:
        return "PRODUCER";
      case SPAN_KIND_CONSUMER:
        return "CONSUMER";
      case SPAN_KIND_INTERNAL:
        return "INTERNAL";
      default:
        return "-";
    }
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.2fms", nanos / 1_000_000.0);
  }

  private static String quote(String text) {
    return '"' + text + '"';
  }

  private String colour(String code, String text) {
    return ansi ? code + text + RESET : text;
  }
}
