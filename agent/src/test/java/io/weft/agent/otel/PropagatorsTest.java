package io.weft.agent.otel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each name of {@code OTEL_PROPAGATORS} reads its own format, and only the listed ones are read. */
class PropagatorsTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT = "00f067aa0ba902b7";

  private static final TextMapGetter<Map<String, String>> MAP = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key.toLowerCase(java.util.Locale.ROOT));
    }
  };

  private static SpanContext parent(List<String> names, Map<String, String> headers) {
    TextMapPropagator propagator = SdkFactory.propagators(names).getTextMapPropagator();
    return Span.fromContext(propagator.extract(Context.root(), headers, MAP)).getSpanContext();
  }

  @Test
  void everyFormatGivesTheRemoteParent() {
    Map<String, Map<String, String>> formats = Map.of(
        "tracecontext", Map.of("traceparent", "00-" + TRACE + "-" + PARENT + "-01"),
        "b3", Map.of("b3", TRACE + "-" + PARENT + "-1"),
        "b3multi", Map.of("x-b3-traceid", TRACE, "x-b3-spanid", PARENT, "x-b3-sampled", "1"),
        "jaeger", Map.of("uber-trace-id", TRACE + ":" + PARENT + ":0:1"),
        "ottrace", Map.of("ot-tracer-traceid", TRACE, "ot-tracer-spanid", PARENT, "ot-tracer-sampled", "true"),
        "xray", Map.of("x-amzn-trace-id", "Root=1-" + TRACE.substring(0, 8) + "-" + TRACE.substring(8) + ";Parent=" + PARENT + ";Sampled=1"));
    for (Map.Entry<String, Map<String, String>> format : formats.entrySet()) {
      SpanContext parent = parent(List.of(format.getKey()), format.getValue());
      assertEquals(TRACE, parent.getTraceId(), format.getKey());
      assertEquals(PARENT, parent.getSpanId(), format.getKey());
      assertEquals(true, parent.isRemote() && parent.isSampled(), format.getKey());
      // and the default pair does not read the others
      if (!format.getKey().equals("tracecontext")) {
        assertFalse(parent(List.of("tracecontext", "baggage"), format.getValue()).isValid(), format.getKey());
      }
    }
  }

  @Test
  void xrayReadsTheHeaderAsLoadBalancersAndSdksWriteItAndWritesItBack() {
    String root = "Root=1-" + TRACE.substring(0, 8) + "-" + TRACE.substring(8);
    // fields in any order, spaces, upper-case hex, other fields
    SpanContext parent = XrayPropagator.parse(" Self=1-67891233-abcdef012345678912345678 ; Parent=" + PARENT.toUpperCase()
        + " ;Sampled=1; " + root.toUpperCase().replace("ROOT", "Root") + ";Lineage=a87bd80c:1|68fd508a:5;");
    assertEquals(TRACE, parent.getTraceId());
    assertEquals(PARENT, parent.getSpanId());
    assertEquals(true, parent.isRemote() && parent.isSampled());
    // Sampled=0, ? or missing: not sampled, still the parent
    for (String sampled : List.of(";Sampled=0", ";Sampled=?", "")) {
      SpanContext unsampled = XrayPropagator.parse(root + ";Parent=" + PARENT + sampled);
      assertEquals(PARENT, unsampled.getSpanId(), sampled);
      assertFalse(unsampled.isSampled(), sampled);
    }
    // no parent from what is not a whole, well-formed header
    for (String bad : List.of("", root, "Parent=" + PARENT, root + ";Parent=xyz" + PARENT.substring(3),
        "Root=2-" + TRACE.substring(0, 8) + "-" + TRACE.substring(8) + ";Parent=" + PARENT,
        "Root=1-" + TRACE + ";Parent=" + PARENT, root + "0;Parent=" + PARENT, root + ";Parent=" + PARENT + "0",
        "Root=1-00000000-000000000000000000000000;Parent=" + PARENT, root + ";Parent=0000000000000000",
        root + ";garbage;Parent=" + PARENT, root + ";Parent=" + PARENT + ";" + "x=y;".repeat(300),
        root + ";Parent=" + PARENT.substring(0, 8) + "\u0007" + PARENT.substring(9))) {
      assertEquals(null, XrayPropagator.parse(bad), bad.length() > 80 ? bad.substring(0, 80) : bad);
    }
    // written back canonical, and read again
    TextMapPropagator xray = SdkFactory.propagators(List.of("xray")).getTextMapPropagator();
    Map<String, String> headers = new java.util.HashMap<>();
    xray.inject(Context.root().with(Span.wrap(parent)), headers, (carrier, key, value) -> carrier.put(key.toLowerCase(java.util.Locale.ROOT), value));
    assertEquals(Map.of("x-amzn-trace-id", root + ";Parent=" + PARENT + ";Sampled=1"), headers);
    assertEquals(parent, parent(List.of("xray"), headers));
  }

  @Test
  void everyAcceptedNameButNoneIsAPropagator() {
    List<String> names = Arrays.stream(SdkFactory.PROPAGATORS).filter(n -> !n.equals("none")).toList();
    assertEquals(List.of("tracecontext", "baggage", "b3", "b3multi", "jaeger", "ottrace", "xray"), names);
    // the fields every propagator reads, in one composite
    List<String> fields = List.copyOf(SdkFactory.propagators(names).getTextMapPropagator().fields());
    for (String field : List.of("traceparent", "baggage", "b3", "X-B3-TraceId", "uber-trace-id", "ot-tracer-traceid", "X-Amzn-Trace-Id")) {
      assertEquals(true, fields.contains(field), field + " in " + fields);
    }
  }
}
