package io.weft.agent.otel;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Collection;
import java.util.Collections;
import java.util.Locale;

/**
 * {@code OTEL_PROPAGATORS=xray}: AWS X-Ray's {@code X-Amzn-Trace-Id} header,
 * {@code Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1}, as load balancers, API
 * Gateway and X-Ray SDKs write it. The root's two hex parts (the epoch seconds and 96 random bits) are the
 * 128-bit trace id; {@code Sampled=1} is sampled, anything else ({@code 0}, {@code ?}, missing) not, as the
 * OpenTelemetry agent's propagator reads it. The fields may come in any order with spaces around them; other
 * fields ({@code Lineage}, a load balancer's {@code Self}) are skipped, and a header that is malformed, longer
 * than {@link #MAX_HEADER} characters or without both a root and a parent gives no parent. Written back in the
 * canonical form for outgoing requests. Baggage in the header's other fields is not read.
 */
final class XrayPropagator implements TextMapPropagator {

  static final String HEADER = "X-Amzn-Trace-Id";
  /** Longer headers are not parsed: real ones are under 256 characters, a few fields each. */
  static final int MAX_HEADER = 1024;
  private static final XrayPropagator INSTANCE = new XrayPropagator();

  private XrayPropagator() {}

  static XrayPropagator getInstance() {
    return INSTANCE;
  }

  @Override
  public Collection<String> fields() {
    return Collections.singletonList(HEADER);
  }

  @Override
  public <C> void inject(Context context, C carrier, TextMapSetter<C> setter) {
    if (context == null || setter == null) {
      return;
    }
    SpanContext span = Span.fromContext(context).getSpanContext();
    if (!span.isValid()) {
      return;
    }
    String traceId = span.getTraceId();
    setter.set(carrier, HEADER, "Root=1-" + traceId.substring(0, 8) + "-" + traceId.substring(8) + ";Parent=" + span.getSpanId()
        + ";Sampled=" + (span.isSampled() ? "1" : "0"));
  }

  @Override
  public <C> Context extract(Context context, C carrier, TextMapGetter<C> getter) {
    if (context == null) {
      context = Context.root();
    }
    if (getter == null) {
      return context;
    }
    String header = getter.get(carrier, HEADER);
    SpanContext parent = header == null ? null : parse(header);
    return parent == null ? context : context.with(Span.wrap(parent));
  }

  /** The remote parent the header names, or null when it names none (malformed, too long, incomplete). */
  static SpanContext parse(String header) {
    if (header.length() > MAX_HEADER) {
      return null;
    }
    String traceId = null;
    String spanId = null;
    boolean sampled = false;
    int at = 0;
    while (at <= header.length()) {
      int end = header.indexOf(';', at);
      if (end < 0) {
        end = header.length();
      }
      String field = header.substring(at, end).trim();
      at = end + 1;
      int equals = field.indexOf('=');
      if (equals <= 0) {
        if (!field.isEmpty()) {
          return null; // not key=value: not an X-Ray header
        }
        continue;
      }
      String key = field.substring(0, equals).trim();
      String value = field.substring(equals + 1).trim();
      if (key.equals("Root")) {
        traceId = traceId(value);
        if (traceId == null) {
          return null;
        }
      } else if (key.equals("Parent")) {
        spanId = value.length() == 16 && hex(value) ? value.toLowerCase(Locale.ROOT) : null;
        if (spanId == null) {
          return null;
        }
      } else if (key.equals("Sampled")) {
        sampled = value.equals("1");
      }
    }
    if (traceId == null || spanId == null) {
      return null;
    }
    SpanContext parent = SpanContext.createFromRemoteParent(traceId, spanId,
        sampled ? TraceFlags.getSampled() : TraceFlags.getDefault(), TraceState.getDefault());
    return parent.isValid() ? parent : null; // all-zero ids are no parent
  }

  /** {@code 1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy} as 32 lower-case hex characters; null when it is not that. */
  private static String traceId(String root) {
    if (root.length() != 35 || !root.startsWith("1-") || root.charAt(10) != '-') {
      return null;
    }
    String id = root.substring(2, 10) + root.substring(11);
    return hex(id) ? id.toLowerCase(Locale.ROOT) : null;
  }

  private static boolean hex(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "XrayPropagator";
  }
}
