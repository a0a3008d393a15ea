package io.weft.agent.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.weft.instrumentation.trace.LeanSpan;
import io.weft.instrumentation.trace.LeanTracer;
import io.weft.instrumentation.trace.SamplingPolicy;
import io.weft.instrumentation.trace.SpanPipeline;
import io.weft.instrumentation.trace.TelemetryResource;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Weft's encoder must write exactly what the SDK's OTLP marshalers write for the same spans (which read them
 * through {@code SpanData}); attributes added after the start are set here in key order, the order the SDK's
 * sorted set has, so the bytes can be compared whole.
 */
class LeanSpanEncoderTest {

  private final List<SpanData> ended = new ArrayList<>();
  private final SpanProcessor collect = new EndedSpans(ended);

  private final TelemetryResource resource = new TelemetryResource(Attributes.builder()
      .put("service.name", "encoder-test").put("service.instance.id", "1f0e").put("process.pid", 4242L).build());

  private LeanTracer tracer(String scope, SpanLimits limits) {
    return new SpanPipeline(SamplingPolicy.of("parentbased_always_on", 1.0), collect, resource, limits).tracer(scope, "0.1.0");
  }

  @Test
  void writesTheSameBytesAsTheSdkMarshalers() throws Exception {
    // one scope: both group by identity, so the order of several scopes in a request differs from run to run
    LeanTracer methods = tracer("io.weft.methods", SpanLimits.getDefault());
    LeanTracer servlet = methods;
    SpanContext remote = SpanContext.createFromRemoteParent("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
        TraceFlags.getSampled(), TraceState.builder().put("vendor", "x").put("other", "y=z").build());

    LeanSpan server = servlet.start("GET /cart", SpanKind.SERVER, Attributes.empty(),
        Context.root().with(Span.wrap(remote)), System.nanoTime());
    server.setAttribute(AttributeKey.stringArrayKey("http.request.header.x-tags"), List.of("a", "b\u00e9\u20ac"));
    server.setAttribute(AttributeKey.stringKey("http.request.method"), "GET");
    server.setAttribute(AttributeKey.longKey("http.response.status_code"), 500L);
    server.setAttribute(AttributeKey.doubleKey("sample.ratio"), 0.25);
    server.setAttribute(AttributeKey.booleanKey("sampled.really"), true);
    server.setAttribute(AttributeKey.longArrayKey("z.numbers"), List.of(1L, -2L, 300L));

    Attributes function = Attributes.of(AttributeKey.stringKey("code.function.name"), "shop.Cart.add");
    LeanSpan method = methods.start("Cart.add", SpanKind.INTERNAL, function, Context.root().with(server), System.nanoTime());
    IllegalStateException failure = new IllegalStateException("sold out: " + "x".repeat(300));
    method.recordException(failure);
    method.setStatus(StatusCode.ERROR, "sold out");
    method.setAttribute(AttributeKey.stringKey("error.type"), "java.lang.IllegalStateException");
    method.end();

    LeanSpan root = methods.start("Job.run", SpanKind.INTERNAL, function, Context.root(), System.nanoTime());
    root.setStatus(StatusCode.OK, null);
    root.end();
    server.end();

    assertSameBytes(ended);
  }

  @Test
  void cutsLongValuesAsTheLimitsSay() throws Exception {
    LeanTracer limited = tracer("io.weft.jdbc", SpanLimits.builder().setMaxAttributeValueLength(10).build());
    LeanSpan span = limited.start("SELECT shop.items", SpanKind.CLIENT,
        Attributes.of(AttributeKey.stringKey("db.query.text"), "SELECT name, price FROM items WHERE id = ?"),
        Context.root(), System.nanoTime());
    span.setAttribute(AttributeKey.stringKey("db.system.name"), "postgresql");
    span.setAttribute(AttributeKey.stringArrayKey("x.list"), List.of("0123456789abc"));
    span.end();
    assertSameBytes(ended);
  }

  @Test
  void oneAttributeSetCutToTwoLimitsKeepsBothCuts() throws Exception {
    LeanTracer limited = tracer("io.weft.methods", SpanLimits.builder().setMaxAttributeValueLength(10).build());
    LeanTracer unlimited = tracer("io.weft.methods", SpanLimits.getDefault());
    Attributes shared = Attributes.of(AttributeKey.stringKey("code.function.name"), "shop.Cart.addEverything");
    String name = "Cart.addEverything";
    LeanSpanEncoder encoder = new LeanSpanEncoder();
    for (int round = 0; round < 3; round++) {
      for (LeanTracer tracer : List.of(limited, unlimited)) {
        ended.clear();
        tracer.start(name, SpanKind.INTERNAL, shared, Context.root(), System.nanoTime()).end();
        ByteArrayOutputStream sdk = new ByteArrayOutputStream();
        TraceRequestMarshaler.create(ended).writeBinaryTo(sdk);
        SameBytes.assertSameBytes(sdk.toByteArray(), encoded(encoder, ended));
      }
    }
  }

  @Test
  void aLargeBatchKeepsEveryLengthRight() throws Exception {
    LeanTracer methods = tracer("io.weft.methods", SpanLimits.getDefault());
    Attributes function = Attributes.of(AttributeKey.stringKey("code.function.name"), "x".repeat(200));
    for (int i = 0; i < 600; i++) {
      LeanSpan span = methods.start("Step" + i, SpanKind.INTERNAL, function, Context.root(), System.nanoTime());
      span.setAttribute(AttributeKey.stringKey("text"), "y".repeat(i));
      span.end();
    }
    assertSameBytes(ended);
  }

  @Test
  void lengthsOfEverySizeTakeTheFewestBytes() throws Exception {
    // the encoder reserves room for a length before it knows it (1 byte for small parts, 2 for a span, 3 for a
    // request's outer messages) and moves the content when the length needs more or fewer: every case here
    LeanTracer methods = tracer("io.weft.methods", SpanLimits.getDefault());
    methods.start("a", SpanKind.INTERNAL, Attributes.empty(), Context.root(), System.nanoTime()).end(); // < 128 bytes
    LeanSpan large = methods.start("b", SpanKind.INTERNAL, Attributes.empty(), Context.root(), System.nanoTime());
    large.setAttribute(AttributeKey.stringKey("text"), "z".repeat(20_000)); // a span over 16 KiB
    large.end();
    assertSameBytes(ended); // and the request: under 2 MiB
    for (int i = 0; i < 3; i++) {
      LeanSpan huge = methods.start("c" + i, SpanKind.INTERNAL, Attributes.empty(), Context.root(), System.nanoTime());
      huge.setAttribute(AttributeKey.stringKey("text"), "h".repeat(800_000)); // the request over 2 MiB
      huge.end();
    }
    assertSameBytes(ended);
  }

  /**
   * The room for a span's length follows the size the scope's last span took: a scope whose span sizes jump between
   * one, two and three bytes of length, in every order, is written as the SDK writes it.
   */
  @Test
  void spanSizesThatChangeWithinAScopeKeepEveryLengthRight() throws Exception {
    LeanTracer methods = tracer("io.weft.methods", SpanLimits.getDefault());
    int[] texts = {0, 0, 300, 300, 0, 20_000, 0, 20_000, 300, 20_000, 20_000, 0, 300, 0};
    for (int i = 0; i < texts.length; i++) {
      LeanSpan span = methods.start("s" + i, SpanKind.INTERNAL, Attributes.empty(), Context.root(), System.nanoTime());
      if (texts[i] > 0) {
        span.setAttribute(AttributeKey.stringKey("text"), "t".repeat(texts[i])); // under 128 bytes, over, over 16 KiB
      }
      span.end();
    }
    assertSameBytes(ended);
  }

  @Test
  void spansOfSeveralScopesAreGroupedAsTheSdkGroupsThem() throws Exception {
    LeanTracer jdbc = tracer("io.weft.jdbc", SpanLimits.getDefault());
    LeanTracer servlet = tracer("io.weft.servlet", SpanLimits.getDefault());
    for (int i = 0; i < 10; i++) {
      LeanSpan server = servlet.start("GET /" + i, SpanKind.SERVER, Attributes.empty(), Context.root(), System.nanoTime());
      jdbc.start("SELECT " + i, SpanKind.CLIENT, Attributes.empty(), Context.root().with(server), System.nanoTime()).end();
      server.end();
    }
    ByteArrayOutputStream sdk = new ByteArrayOutputStream();
    TraceRequestMarshaler.create(ended).writeBinaryTo(sdk);
    byte[] weft = encoded(new LeanSpanEncoder(), ended);
    // the scopes' order follows identity hashes in both: same size, same scope blocks in some order
    assertEquals(sdk.size(), weft.length);
    String sdkText = new String(sdk.toByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1);
    String weftText = new String(weft, java.nio.charset.StandardCharsets.ISO_8859_1);
    for (SpanData span : ended) {
      assertTrue(weftText.contains(span.getName()) && sdkText.contains(span.getName()), span.getName());
    }
    assertEquals(1, count(weftText, "io.weft.jdbc"));
    assertEquals(1, count(weftText, "io.weft.servlet"));
  }

  private static int count(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      count++;
    }
    return count;
  }

  private static void assertSameBytes(List<SpanData> spans) throws Exception {
    assertTrue(LeanSpanEncoder.accepts(spans));
    ByteArrayOutputStream sdk = new ByteArrayOutputStream();
    TraceRequestMarshaler.create(spans).writeBinaryTo(sdk);
    // one encoder three times: names and attribute sets first seen, then kept, then written from what was kept
    LeanSpanEncoder encoder = new LeanSpanEncoder();
    for (int round = 0; round < 3; round++) {
      SameBytes.assertSameBytes(sdk.toByteArray(), encoded(encoder, spans));
    }
  }



  @Test
  void aVarintsSizeIsItsSevenBitGroups() {
    int[] values = {0, 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455, 268_435_456, Integer.MAX_VALUE};
    int[] sizes = {1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5};
    for (int i = 0; i < values.length; i++) {
      assertEquals(sizes[i], LeanSpanEncoder.ProtoWriter.varintSize(values[i]), "varint size of " + values[i]);
    }
    for (int value = 0; value < 40_000; value++) {
      assertEquals(value < 128 ? 1 : value < 16_384 ? 2 : 3, LeanSpanEncoder.ProtoWriter.varintSize(value), "of " + value);
    }
  }

  /** The request {@code batch} encodes to, in an array of its own. */
  static byte[] encoded(LeanSpanEncoder encoder, List<?> batch) {
    int length = encoder.encodeInPlace(batch); // first: a large batch replaces the buffer with a larger one
    return java.util.Arrays.copyOf(encoder.buffer(), length);
  }
}
