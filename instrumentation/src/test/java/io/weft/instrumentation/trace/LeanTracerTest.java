package io.weft.instrumentation.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LeanTracerTest {

  private static final AttributeKey<String> FUNCTION = AttributeKey.stringKey("code.function.name");
  private static final Attributes ATTRIBUTES = Attributes.of(FUNCTION, "shop.Cart.add");

  private final InMemorySpanExporter exported = InMemorySpanExporter.create();
  private final SpanProcessor processor = SimpleSpanProcessor.create(exported);
  private final TelemetryResource resource = new TelemetryResource(Resource.getDefault().merge(Resource.create(
      Attributes.of(AttributeKey.stringKey("service.name"), "lean-test"))).getAttributes());

  private LeanTracer tracer(String sampler, double ratio, SpanLimits limits) {
    return new SpanPipeline(SamplingPolicy.of(sampler, ratio), processor, resource, limits).tracer("io.weft.test", "1.2");
  }

  private LeanTracer tracer() {
    return tracer("parentbased_always_on", 1.0, SpanLimits.getDefault());
  }

  @Test
  void aRootSpanIsExportedOnceWithItsNameKindAttributesIdsAndTimes() {
    long before = epochNanosNow();
    long start = System.nanoTime();
    LeanSpan span = tracer().start("Cart.add", SpanKind.INTERNAL, ATTRIBUTES, Context.root(), start);
    assertNotNull(span);
    assertTrue(span.isRecording());
    span.endAt(start + 1_500_000);
    span.end(); // a second end changes nothing
    long after = epochNanosNow();

    List<SpanData> spans = exported.getFinishedSpanItems();
    assertEquals(1, spans.size());
    SpanData data = spans.get(0);
    assertEquals("Cart.add", data.getName());
    assertEquals(SpanKind.INTERNAL, data.getKind());
    assertEquals("shop.Cart.add", data.getAttributes().get(FUNCTION));
    assertEquals(1, data.getTotalAttributeCount());
    assertTrue(TraceId.isValid(data.getTraceId()), data.getTraceId());
    assertTrue(SpanId.isValid(data.getSpanId()), data.getSpanId());
    assertFalse(data.getParentSpanContext().isValid());
    assertEquals(SpanId.getInvalid(), data.getParentSpanId());
    assertTrue(data.getSpanContext().isSampled());
    assertEquals(TraceFlags.getSampled(), data.getSpanContext().getTraceFlags());
    assertEquals(1_500_000, data.getEndEpochNanos() - data.getStartEpochNanos());
    assertTrue(data.getStartEpochNanos() >= before - TimeUnit.MILLISECONDS.toNanos(5)
        && data.getStartEpochNanos() <= after, "start " + data.getStartEpochNanos() + " not in [" + before + ", " + after + "]");
    assertTrue(data.hasEnded());
    assertEquals(StatusCode.UNSET, data.getStatus().getStatusCode());
    // the SDK's resource is made on demand from the same attributes, once
    assertEquals(resource.attributes(), data.getResource().getAttributes());
    assertSame(resource.sdk(), data.getResource());
    assertSame(resource, span.telemetryResource());
    assertEquals("io.weft.test", data.getInstrumentationScopeInfo().getName());
    assertEquals("1.2", data.getInstrumentationScopeInfo().getVersion());
    assertFalse(span.isRecording());
  }

  @Test
  void aStartTimeOfZeroMeansNowForRootsAndChildren() {
    // what woven code passes when only sampled calls are timed (MethodBridge.clock)
    long before = epochNanosNow();
    long nanoBefore = System.nanoTime();
    LeanSpan root = tracer().start("root", SpanKind.INTERNAL, ATTRIBUTES, Context.root(), 0);
    LeanSpan child = tracer().start("child", SpanKind.INTERNAL, ATTRIBUTES, Context.root().with(root), 0);
    long nanoAfter = System.nanoTime();
    child.endAt(nanoAfter);
    root.endAt(nanoAfter);
    long after = epochNanosNow();

    for (SpanData data : exported.getFinishedSpanItems()) {
      assertTrue(data.getStartEpochNanos() >= before - TimeUnit.MILLISECONDS.toNanos(5) && data.getStartEpochNanos() <= after,
          data.getName() + " starts at " + data.getStartEpochNanos() + ", not in [" + before + ", " + after + "]");
      long duration = data.getEndEpochNanos() - data.getStartEpochNanos();
      assertTrue(duration >= 0 && duration <= nanoAfter - nanoBefore, data.getName() + " lasted " + duration);
    }
    assertEquals(2, exported.getFinishedSpanItems().size());
  }

  @Test
  void childrenOfLeanAndOfSdkSpansShareTheTraceAndNameTheirParent() {
    LeanTracer tracer = tracer();
    LeanSpan root = tracer.start("root", SpanKind.SERVER, Attributes.empty(), Context.root(), System.nanoTime());
    Context rootContext = Context.root().with(root);
    LeanSpan child = tracer.start("child", SpanKind.INTERNAL, ATTRIBUTES, rootContext, System.nanoTime());
    assertEquals(root.getTraceId(), child.getTraceId());
    assertEquals(root.getSpanId(), child.getParentSpanId());
    assertTrue(child.getStartEpochNanos() >= root.getStartEpochNanos());

    // an SDK span under a lean one, and a lean one under that SDK span
    SdkTracerProvider provider = SdkTracerProvider.builder().build();
    Span sdkSpan = provider.get("sdk").spanBuilder("jdbc").setParent(Context.root().with(child)).startSpan();
    assertEquals(child.getTraceId(), sdkSpan.getSpanContext().getTraceId());
    LeanSpan grandchild = tracer.start("grandchild", SpanKind.INTERNAL, ATTRIBUTES, Context.root().with(sdkSpan), System.nanoTime());
    assertEquals(root.getTraceId(), grandchild.getTraceId());
    assertEquals(sdkSpan.getSpanContext().getSpanId(), grandchild.getParentSpanId());
    provider.close();

    // a remote parent's trace state is carried on
    TraceState state = TraceState.builder().put("vendor", "x").build();
    SpanContext remote = SpanContext.createFromRemoteParent("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
        TraceFlags.getSampled(), state);
    LeanSpan underRemote = tracer.start("r", SpanKind.SERVER, Attributes.empty(), Context.root().with(Span.wrap(remote)), System.nanoTime());
    assertEquals("0af7651916cd43dd8448eb211c80319c", underRemote.getTraceId());
    assertEquals("b7ad6b7169203331", underRemote.getParentSpanId());
    assertSame(state, underRemote.getTraceState());
    assertTrue(underRemote.getParentSpanContext().isRemote());
  }

  @Test
  void aSpanNotSampledCostsNothingAndLeavesTheContextAsItIs() {
    SpanContext unsampled = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
        TraceFlags.getDefault(), TraceState.getDefault());
    assertNull(tracer().start("x", SpanKind.INTERNAL, ATTRIBUTES, Context.root().with(Span.wrap(unsampled)), System.nanoTime()));
    assertNull(tracer("always_off", 0, SpanLimits.getDefault()).start("x", SpanKind.INTERNAL, ATTRIBUTES, Context.root(), System.nanoTime()));
    assertNull(tracer("parentbased_always_off", 0, SpanLimits.getDefault()).start("x", SpanKind.INTERNAL, ATTRIBUTES, Context.root(), System.nanoTime()));
    assertTrue(exported.getFinishedSpanItems().isEmpty());
  }

  @Test
  void aRootDroppedByARatioStaysCurrentSoItsDescendantsAreDroppedToo() {
    LeanTracer tracer = tracer("parentbased_traceidratio", 0.0, SpanLimits.getDefault());
    LeanSpan root = tracer.start("root", SpanKind.INTERNAL, ATTRIBUTES, Context.root(), System.nanoTime());
    assertNotNull(root);
    assertFalse(root.isRecording());
    assertFalse(root.isSampled());
    assertTrue(root.isValid());
    assertNull(tracer.start("child", SpanKind.INTERNAL, ATTRIBUTES, Context.root().with(root), System.nanoTime()));
    root.end();
    assertTrue(exported.getFinishedSpanItems().isEmpty());
  }

  @Test
  void errorsBecomeAnExceptionEventAnErrorStatusAndAnAttribute() {
    LeanSpan span = tracer().start("Cart.add", SpanKind.INTERNAL, ATTRIBUTES, Context.root(), System.nanoTime());
    IllegalStateException failure = new IllegalStateException("sold out");
    span.recordException(failure);
    span.setStatus(StatusCode.ERROR, "sold out");
    span.setAttribute(AttributeKey.stringKey("error.type"), "java.lang.IllegalStateException");
    span.end();
    span.setAttribute(AttributeKey.stringKey("late"), "ignored");

    SpanData data = exported.getFinishedSpanItems().get(0);
    assertEquals(StatusCode.ERROR, data.getStatus().getStatusCode());
    assertEquals("sold out", data.getStatus().getDescription());
    assertEquals("java.lang.IllegalStateException", data.getAttributes().get(AttributeKey.stringKey("error.type")));
    assertEquals("shop.Cart.add", data.getAttributes().get(FUNCTION));
    assertNull(data.getAttributes().get(AttributeKey.stringKey("late")));
    assertEquals(1, data.getEvents().size());
    EventData event = data.getEvents().get(0);
    assertEquals("exception", event.getName());
    assertEquals("java.lang.IllegalStateException", event.getAttributes().get(AttributeKey.stringKey("exception.type")));
    assertEquals("sold out", event.getAttributes().get(AttributeKey.stringKey("exception.message")));
    assertTrue(event.getAttributes().get(AttributeKey.stringKey("exception.stacktrace"))
        .contains("errorsBecomeAnExceptionEventAnErrorStatusAndAnAttribute"));
    assertTrue(event.getEpochNanos() >= data.getStartEpochNanos() && event.getEpochNanos() <= data.getEndEpochNanos());
  }

  /**
   * An exception failing nested calls is written out once, not once per span (a StackOverflowError through thousands of
   * recursive traced calls took seconds); what try-with-resources adds to it on the way out is still in the outer text.
   */
  @Test
  void anExceptionThroughNestedSpansIsWrittenOutOnceUnlessItChangesOnTheWay() {
    IllegalStateException failure = new IllegalStateException("deep");
    List<String> traces = new java.util.ArrayList<>();
    for (int depth = 0; depth < 3; depth++) {
      if (depth == 2) {
        failure.addSuppressed(new java.io.UncheckedIOException(new java.io.IOException("close failed")));
      }
      LeanSpan span = tracer().start("level" + depth, SpanKind.INTERNAL, ATTRIBUTES, Context.root(), System.nanoTime());
      span.recordException(failure);
      span.end();
      List<SpanData> spans = exported.getFinishedSpanItems();
      traces.add(spans.get(spans.size() - 1).getEvents().get(0).getAttributes().get(AttributeKey.stringKey("exception.stacktrace")));
    }
    assertSame(traces.get(0), traces.get(1), "the same text, not written out again");
    assertFalse(traces.get(1).contains("close failed"));
    assertTrue(traces.get(2).contains("Suppressed: java.io.UncheckedIOException") && traces.get(2).contains("close failed"), traces.get(2));
    assertTrue(LeanSpan.stackTrace(new IllegalStateException("other")).contains("other"), "another exception, its own text");
  }

  @Test
  void anExceptionThatCannotDescribeItselfIsStillRecordedByType() {
    LeanSpan span = tracer().start("m", SpanKind.INTERNAL, ATTRIBUTES, Context.root(), System.nanoTime());
    RuntimeException hostile = new RuntimeException() {
      @Override
      public String getMessage() {
        throw new IllegalStateException("no message for you");
      }
    };
    span.recordException(hostile);
    span.end();
    EventData event = exported.getFinishedSpanItems().get(0).getEvents().get(0);
    assertEquals(hostile.getClass().getName(), event.getAttributes().get(AttributeKey.stringKey("exception.type")));
    assertNull(event.getAttributes().get(AttributeKey.stringKey("exception.message")));
  }

  @Test
  void theConfiguredLimitsApply() {
    SpanLimits limits = SpanLimits.builder().setMaxAttributeValueLength(8).setMaxNumberOfAttributes(2)
        .setMaxNumberOfEvents(1).build();
    LeanSpan span = tracer("always_on", 1.0, limits).start("m", SpanKind.INTERNAL, ATTRIBUTES, Context.root(), System.nanoTime());
    span.setAttribute(AttributeKey.stringKey("second"), "0123456789");
    span.setAttribute(AttributeKey.stringKey("third"), "dropped"); // over the limit
    span.recordException(new RuntimeException("a message longer than eight"));
    span.addEvent("dropped");
    span.end();

    SpanData data = exported.getFinishedSpanItems().get(0);
    assertEquals("shop.Car", data.getAttributes().get(FUNCTION));
    assertEquals("01234567", data.getAttributes().get(AttributeKey.stringKey("second")));
    assertNull(data.getAttributes().get(AttributeKey.stringKey("third")));
    assertEquals(3, data.getTotalAttributeCount());
    assertEquals(1, data.getEvents().size());
    assertEquals(2, data.getTotalRecordedEvents());
    assertEquals("a messag", data.getEvents().get(0).getAttributes().get(AttributeKey.stringKey("exception.message")));
    assertEquals("shop.Cart.add", ATTRIBUTES.get(FUNCTION), "the shared attributes are never changed");
  }

  @Test
  void aNewAttributeIsAppendedUnderTheSameLimitsAndNotAfterTheEnd() {
    SpanLimits limits = SpanLimits.builder().setMaxNumberOfAttributes(3).build();
    LeanSpan span = tracer("always_on", 1.0, limits).start("GET", SpanKind.SERVER, Attributes.empty(), Context.root(),
        System.nanoTime());
    span.setNewAttribute(AttributeKey.stringKey("url.path"), "/cart/7");
    span.setNewAttribute(AttributeKey.stringKey("url.query"), null); // nothing to set: not counted
    span.setNewAttribute(AttributeKey.longKey("server.port"), 8080L);
    span.setAttribute(AttributeKey.stringKey("url.path"), "/cart/8"); // the ordinary setter still replaces
    span.setNewAttribute(AttributeKey.stringKey("client.address"), "10.0.0.1");
    span.setNewAttribute(AttributeKey.stringKey("user_agent.original"), "curl"); // over the limit
    span.end();
    span.setNewAttribute(AttributeKey.stringKey("late"), "ignored");

    SpanData data = exported.getFinishedSpanItems().get(0);
    assertEquals(3, data.getAttributes().size());
    assertEquals("/cart/8", data.getAttributes().get(AttributeKey.stringKey("url.path")));
    assertEquals(8080L, data.getAttributes().get(AttributeKey.longKey("server.port")));
    assertEquals("10.0.0.1", data.getAttributes().get(AttributeKey.stringKey("client.address")));
    assertNull(data.getAttributes().get(AttributeKey.stringKey("user_agent.original")));
    assertEquals(4, data.getTotalAttributeCount());
    assertNull(data.getAttributes().get(AttributeKey.stringKey("late")));
  }

  @Test
  void aSetSharedAtTheEndIsTheSpansOwnSetOrElseAddsOnlyWhatTheSpanLacks() {
    AttributeKey<String> route = AttributeKey.stringKey("http.route");
    AttributeKey<Long> status = AttributeKey.longKey("http.response.status_code");
    AttributeKey<String> path = AttributeKey.stringKey("url.path");
    Attributes shared = Attributes.of(route, "/cart/{id}", status, 200L);

    // only the instrumentation set attributes, none of the set's: the set itself becomes the span's shared one
    LeanSpan disjoint = tracer().start("GET /cart/{id}", SpanKind.SERVER, Attributes.empty(), Context.root(), System.nanoTime());
    disjoint.setAttribute(path, "/cart/7");
    disjoint.shareAttributes(shared, true);
    assertSame(shared, disjoint.baseAttributes(), "the exporter writes a shared set's bytes once");
    assertEquals(1, disjoint.addedCount());
    disjoint.end();

    // the application set an attribute of its own during the request, none of the set's: still shared as is
    LeanSpan unrelated = tracer().start("GET /cart/{id}", SpanKind.SERVER, Attributes.empty(), Context.root(), System.nanoTime());
    unrelated.setAttribute(path, "/cart/9");
    unrelated.setAttribute(AttributeKey.stringKey("app.user"), "u-1");
    unrelated.shareAttributes(shared, false);
    assertSame(shared, unrelated.baseAttributes());
    assertEquals(2, unrelated.addedCount());
    unrelated.end();

    // the application set the route itself during the request: its value stays, the status is added
    LeanSpan overlapping = tracer().start("GET /cart/{id}", SpanKind.SERVER, Attributes.empty(), Context.root(), System.nanoTime());
    overlapping.setAttribute(path, "/cart/8");
    overlapping.setAttribute(route, "/cart/{cartId}");
    overlapping.shareAttributes(shared, false);
    assertTrue(overlapping.baseAttributes().isEmpty());
    overlapping.end();

    // a span with a shared set already, over the count limit, or ended keeps its own rules
    LeanSpan limited = tracer("always_on", 1.0, SpanLimits.builder().setMaxNumberOfAttributes(2).build())
        .start("m", SpanKind.SERVER, ATTRIBUTES, Context.root(), System.nanoTime());
    limited.shareAttributes(shared, true);
    limited.end();
    limited.shareAttributes(Attributes.of(AttributeKey.stringKey("late"), "x"), true);

    List<SpanData> spans = exported.getFinishedSpanItems();
    assertEquals(4, spans.size());
    spans = List.of(spans.get(0), spans.get(2), spans.get(3));
    Attributes own = exported.getFinishedSpanItems().get(1).getAttributes();
    assertEquals(4, own.size(), own.toString());
    assertEquals("u-1", own.get(AttributeKey.stringKey("app.user")));
    assertEquals(200L, own.get(status));
    Attributes first = spans.get(0).getAttributes();
    assertEquals(3, first.size());
    assertEquals("/cart/7", first.get(path));
    assertEquals("/cart/{id}", first.get(route));
    assertEquals(200L, first.get(status));
    Attributes second = spans.get(1).getAttributes();
    assertEquals(3, second.size());
    assertEquals("/cart/{cartId}", second.get(route), "a value set during the span wins over the shared one");
    assertEquals(200L, second.get(status));
    Attributes third = spans.get(2).getAttributes();
    assertEquals(2, third.size(), third.toString());
    assertEquals("shop.Cart.add", third.get(FUNCTION));
    assertEquals(200L, third.get(status)); // the set's keys in their order: the status, then the route
    assertNull(third.get(route));
    assertEquals(3, spans.get(2).getTotalAttributeCount(), "the route went over the limit and is counted as dropped");
    assertNull(third.get(AttributeKey.stringKey("late")));
  }

  @Test
  void aLeanSpanMadeCurrentIsWhatSpanCurrentAnswers() {
    LeanSpan span = tracer().start("m", SpanKind.INTERNAL, ATTRIBUTES, Context.root(), System.nanoTime());
    try (Scope ignored = Context.root().with(span).makeCurrent()) {
      assertSame(span, Span.current());
      assertSame(span, Span.current().getSpanContext());
    }
    span.end();
  }

  private static long epochNanosNow() {
    java.time.Instant now = java.time.Instant.now();
    return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
  }
}
