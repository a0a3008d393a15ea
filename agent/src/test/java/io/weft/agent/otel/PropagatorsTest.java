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
        "ottrace", Map.of("ot-tracer-traceid", TRACE, "ot-tracer-spanid", PARENT, "ot-tracer-sampled", "true"));
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
  void everyAcceptedNameButNoneIsAPropagator() {
    List<String> names = Arrays.stream(SdkFactory.PROPAGATORS).filter(n -> !n.equals("none")).toList();
    assertEquals(List.of("tracecontext", "baggage", "b3", "b3multi", "jaeger", "ottrace"), names);
    // the fields every propagator reads, in one composite
    List<String> fields = List.copyOf(SdkFactory.propagators(names).getTextMapPropagator().fields());
    for (String field : List.of("traceparent", "baggage", "b3", "X-B3-TraceId", "uber-trace-id", "ot-tracer-traceid")) {
      assertEquals(true, fields.contains(field), field + " in " + fields);
    }
  }
}
