package io.weft.instrumentation.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.weft.instrumentation.MapConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The MDC map a log event gets: the span's ids in a copy, the application's map and values untouched. */
class MdcWithSpanTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";

  private final MdcWithSpan mdc = new MdcWithSpan("trace_id", "span_id", "trace_flags", false, false);

  private static Scope inSpan(TraceFlags flags) {
    return Context.root().with(Span.wrap(SpanContext.create(TRACE, SPAN, flags, TraceState.getDefault()))).makeCurrent();
  }

  @Test
  void baggageIsAddedOnlyWhenAskedForAndOnlyInsideASpan() {
    MdcWithSpan withBaggage = MdcWithSpan.from(new MapConfig(Map.of(MdcWithSpan.LOGBACK_BAGGAGE, "true")));
    Context span = Context.root().with(Span.wrap(SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault())));
    Baggage baggage = Baggage.builder().put("tenant", "acme").put("plan", "gold").build();
    try (Scope ignored = span.with(baggage).makeCurrent()) {
      assertEquals(Map.of("user", "alice", "trace_id", TRACE, "span_id", SPAN, "trace_flags", "01",
          "baggage.tenant", "acme", "baggage.plan", "gold"), withBaggage.withSpan(Map.of("user", "alice")));
      assertEquals(Map.of("trace_id", TRACE, "span_id", SPAN, "trace_flags", "01"), mdc.withSpan(Map.of()),
          "not asked for");
      assertEquals(Map.of("baggage.tenant", "mine", "trace_id", TRACE, "span_id", SPAN, "trace_flags", "01", "baggage.plan", "gold"),
          withBaggage.withSpan(Map.of("baggage.tenant", "mine")), "a value the application put there stays");
    }
    try (Scope ignored = Context.root().with(baggage).makeCurrent()) {
      Map<String, String> own = Map.of("user", "alice");
      assertSame(own, withBaggage.withSpan(own), "outside any span: as the OpenTelemetry agent, nothing is added");
    }
  }

  @Test
  void aJBossRecordGetsTheIdsInItsOwnMdcCopyNotTheThreads() {
    org.jboss.logmanager.MDC.put("user", "alice");
    try {
      org.jboss.logmanager.ExtLogRecord outside = new org.jboss.logmanager.ExtLogRecord(java.util.logging.Level.INFO, "x", "fqcn");
      mdc.recordWithSpan(outside);
      assertNull(outside.getMdc("trace_id"), "outside any span: nothing");
      org.jboss.logmanager.ExtLogRecord inside = new org.jboss.logmanager.ExtLogRecord(java.util.logging.Level.INFO, "y", "fqcn");
      org.jboss.logmanager.ExtLogRecord own = new org.jboss.logmanager.ExtLogRecord(java.util.logging.Level.INFO, "z", "fqcn");
      own.putMdc("trace_id", "mine");
      try (Scope ignored = inSpan(TraceFlags.getSampled())) {
        mdc.recordWithSpan(inside);
        mdc.recordWithSpan(own);
      }
      assertEquals(Map.of("user", "alice", "trace_id", TRACE, "span_id", SPAN, "trace_flags", "01"), inside.getMdcCopy());
      assertEquals(Map.of("user", "alice", "trace_id", "mine"), own.getMdcCopy(), "a trace the record names already stays");
      assertEquals(Map.of("user", "alice"), org.jboss.logmanager.MDC.copy(), "the thread's MDC is untouched");
    } finally {
      org.jboss.logmanager.MDC.remove("user");
    }
  }

  @Test
  void outsideASpanTheMapComesBackAsItIs() {
    Map<String, String> own = Map.of("user", "alice");
    assertSame(own, mdc.withSpan(own));
    assertNull(mdc.withSpan(null));
  }

  @Test
  void insideASpanACopyNamesIt() {
    Map<String, String> own = Map.of("user", "alice");
    try (Scope ignored = inSpan(TraceFlags.getSampled())) {
      assertEquals(Map.of("user", "alice", "trace_id", TRACE, "span_id", SPAN, "trace_flags", "01"), mdc.withSpan(own));
      assertEquals(Map.of("trace_id", TRACE, "span_id", SPAN, "trace_flags", "01"), mdc.withSpan(null));
    }
    assertEquals(Map.of("user", "alice"), own);
    try (Scope ignored = inSpan(TraceFlags.getDefault())) {
      assertEquals("00", mdc.withSpan(null).get("trace_flags"));
    }
  }

  @Test
  void theApplicationsOwnValuesStay() {
    Map<String, String> ownTrace = Map.of("trace_id", "mine");
    Map<String, String> ownSpan = Map.of("span_id", "mine");
    try (Scope ignored = inSpan(TraceFlags.getSampled())) {
      assertSame(ownTrace, mdc.withSpan(ownTrace), "a trace id of its own: the map is the application's");
      assertEquals(Map.of("trace_id", TRACE, "span_id", "mine", "trace_flags", "01"), mdc.withSpan(ownSpan));
    }
  }

  @Test
  void aMapThatFailsIsHandedBackAsItIs() {
    Map<String, String> hostile = new java.util.AbstractMap<>() {
      @Override
      public java.util.Set<Map.Entry<String, String>> entrySet() {
        throw new IllegalStateException("an application's broken map");
      }

      @Override
      public boolean containsKey(Object key) {
        return false;
      }
    };
    try (Scope ignored = inSpan(TraceFlags.getSampled())) {
      assertSame(hostile, mdc.withSpan(hostile), "the copy failed: the event keeps the application's map");
    }
  }

  @Test
  void keysComeFromTheSettingsAndUnusableOnesAreReported() {
    MapConfig config = new MapConfig(Map.of(
        MdcWithSpan.TRACE_ID_KEY, "traceId",
        MdcWithSpan.SPAN_ID_KEY, "span\n[weft] forged",
        MdcWithSpan.TRACE_FLAGS_KEY, "x".repeat(101)));
    MdcWithSpan custom = MdcWithSpan.from(config);
    try (Scope ignored = inSpan(TraceFlags.getSampled())) {
      assertEquals(Map.of("traceId", TRACE, "span_id", SPAN, "trace_flags", "01"), custom.withSpan(null));
    }
    List<String> lines = config.warnings;
    assertEquals(2, lines.size(), lines::toString);
    assertEquals("OTEL_INSTRUMENTATION_COMMON_LOGGING_SPAN_ID_KEY: 'span?[weft] forged' is not a usable MDC key "
        + "(printable, at most 100 characters); using span_id", lines.get(0));
  }
}
