package io.weft.agent.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.otlp.metrics.MetricsRequestMarshaler;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.DoubleExemplarData;
import io.opentelemetry.sdk.metrics.data.LongExemplarData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableDoubleExemplarData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableDoublePointData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableExponentialHistogramBuckets;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableExponentialHistogramData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableExponentialHistogramPointData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableGaugeData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableHistogramData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableHistogramPointData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableLongExemplarData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableLongPointData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableMetricData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableSumData;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.weft.agent.metrics.LeanMeterProvider;
import io.weft.instrumentation.trace.LeanSpan;
import io.weft.instrumentation.trace.SamplingPolicy;
import io.weft.instrumentation.trace.SpanPipeline;
import io.weft.instrumentation.trace.TelemetryResource;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LeanMetricEncoderTest {

  private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");

  private final Resource resource = Resource.create(Attributes.builder()
      .put("service.name", "metric-encoder-test").put("service.instance.id", "1f0e").put("process.pid", 4242L).build());
  private final TelemetryResource telemetryResource = new TelemetryResource(resource.getAttributes());

  @Test
  void writesWhatTheSdkMarshalersWriteForWeftsOwnMeters() throws Exception {
    List<MetricData> exported = new ArrayList<>();
    LeanMeterProvider provider = new LeanMeterProvider(telemetryResource, List.of(new Capture(exported)), 60_000);
    Meter servlet = provider.meterBuilder("io.weft.servlet").setInstrumentationVersion("0.1.0").build();
    Meter methods = provider.meterBuilder("io.weft.methods").setInstrumentationVersion("0.1.0").build();
    DoubleHistogram duration = servlet.histogramBuilder("http.server.request.duration").setUnit("s")
        .setDescription("Duration of HTTP server requests.")
        .setExplicitBucketBoundariesAdvice(Arrays.asList(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
        .build();
    LongCounter calls = methods.counterBuilder("weft.test.calls").setUnit("{call}").build();
    servlet.upDownCounterBuilder("http.server.active_requests").setUnit("{request}")
        .buildWithCallback(m -> m.record(-3, Attributes.of(ROUTE, "/cart")));
    // exemplars come from sampled spans: a lean span (ids as longs) and another context (ids as hex)
    LeanSpan span = new SpanPipeline(SamplingPolicy.of("parentbased_always_on", 1.0), new EndedSpans(new ArrayList<>()), telemetryResource,
        SpanLimits.getDefault()).tracer("io.weft.servlet", "0.1.0").start("GET /cart", SpanKind.SERVER, Attributes.empty(),
        Context.root(), System.nanoTime());
    SpanContext remote = SpanContext.createFromRemoteParent("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
        TraceFlags.getSampled(), TraceState.getDefault());
    Attributes ok = Attributes.of(ROUTE, "/cart", STATUS, 200L);
    duration.record(0.0042, ok, Context.root().with(span));
    duration.record(0.3, ok, Context.root().with(io.opentelemetry.api.trace.Span.wrap(remote)));
    duration.record(12.5, Attributes.of(ROUTE, "/caf\u00e9", STATUS, 500L));
    duration.record(0, Attributes.empty());
    calls.add(7, Attributes.of(ROUTE, "/cart"));
    calls.add(Long.MAX_VALUE - 10);
    span.end();

    provider.forceFlush().join(10, TimeUnit.SECONDS);
    assertEquals(3, exported.size(), exported.toString());
    assertTrue(LeanMetricEncoder.accepts(exported));
    assertSameBytes(exported);
  }

  @Test
  void writesWhatTheSdkMarshalersWriteForEveryKindItTakes() throws Exception {
    Resource other = Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "other"), "https://opentelemetry.io/schemas/1.37.0");
    InstrumentationScopeInfo scope = InstrumentationScopeInfo.builder("io.weft.methods").setVersion("0.1.0")
        .setSchemaUrl("https://opentelemetry.io/schemas/1.37.0").setAttributes(Attributes.of(AttributeKey.stringKey("a"), "b")).build();
    InstrumentationScopeInfo bare = InstrumentationScopeInfo.create("bare");
    Attributes attributes = Attributes.builder().put("k", "v\u20ac").put("n", -5L).put("d", 0.5).put("b", true)
        .put(AttributeKey.stringArrayKey("list"), Arrays.asList("x", "y")).build();
    LongExemplarData longExemplar = ImmutableLongExemplarData.create(Attributes.of(AttributeKey.stringKey("filtered"), "yes"), 123,
        SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", TraceFlags.getSampled(), TraceState.getDefault()), -42);
    DoubleExemplarData noSpan = ImmutableDoubleExemplarData.create(Attributes.empty(), 0, SpanContext.getInvalid(), 1.5);
    List<MetricData> metrics = new ArrayList<>();
    metrics.add(ImmutableMetricData.createLongSum(resource, scope, "long.sum", "a monotonic delta sum", "{x}",
        ImmutableSumData.create(true, AggregationTemporality.DELTA, Arrays.asList(
            ImmutableLongPointData.create(1, 2, attributes, 0, Collections.singletonList(longExemplar)),
            ImmutableLongPointData.create(0, 0, Attributes.empty(), Long.MIN_VALUE)))));
    metrics.add(ImmutableMetricData.createDoubleSum(resource, bare, "double.sum", "", "",
        ImmutableSumData.create(false, AggregationTemporality.CUMULATIVE, Collections.singletonList(
            ImmutableDoublePointData.create(5, 6, attributes, -0.0, Collections.singletonList(noSpan))))));
    metrics.add(ImmutableMetricData.createLongGauge(other, bare, "long.gauge", "\u00e9t\u00e9", "By",
        ImmutableGaugeData.create(Collections.singletonList(ImmutableLongPointData.create(7, 8, Attributes.empty(), 9)))));
    metrics.add(ImmutableMetricData.createDoubleGauge(other, scope, "double.gauge", "", "1",
        ImmutableGaugeData.create(Arrays.asList(
            ImmutableDoublePointData.create(7, 8, attributes, Double.NaN),
            ImmutableDoublePointData.create(7, 8, Attributes.empty(), 1e300)))));
    metrics.add(ImmutableMetricData.createDoubleHistogram(resource, scope, "histogram", "d", "s",
        ImmutableHistogramData.create(AggregationTemporality.CUMULATIVE, Arrays.asList(
            ImmutableHistogramPointData.create(1, 2, attributes, 3.5, true, 0.5, true, 3.0, Arrays.asList(1.0, 2.0),
                Arrays.asList(1L, 0L, 2L), Collections.singletonList(noSpan)),
            ImmutableHistogramPointData.create(1, 2, Attributes.empty(), 0, false, 0, false, 0, Collections.emptyList(),
                Collections.singletonList(0L)),
            // more than 127 bytes of buckets: the point's length takes two bytes
            ImmutableHistogramPointData.create(1, 2, Attributes.empty(), 30, true, 1, true, 29, bounds(20), counts(21))))));
    assertTrue(LeanMetricEncoder.accepts(metrics));
    assertSameBytes(metrics);
  }

  @Test
  void leavesOtherKindsToTheSdkMarshalers() throws Exception {
    MetricData exponential = ImmutableMetricData.createExponentialHistogram(resource, InstrumentationScopeInfo.create("x"), "e", "", "",
        ImmutableExponentialHistogramData.create(AggregationTemporality.CUMULATIVE, Collections.singletonList(
            ImmutableExponentialHistogramPointData.create(0, 1, 0, false, 0, false, 0,
                ImmutableExponentialHistogramBuckets.create(0, 0, Collections.emptyList()),
                ImmutableExponentialHistogramBuckets.create(0, 0, Collections.emptyList()), 0, 1, Attributes.empty(), Collections.emptyList()))));
    MetricData sum = ImmutableMetricData.createLongSum(resource, InstrumentationScopeInfo.create("x"), "c", "", "",
        ImmutableSumData.create(true, AggregationTemporality.CUMULATIVE, Collections.singletonList(
            ImmutableLongPointData.create(0, 1, Attributes.empty(), 1))));
    List<MetricData> mixed = Arrays.asList(sum, exponential);
    assertFalse(LeanMetricEncoder.accepts(mixed));

    // the exporter still sends them, as the SDK's marshalers write them
    ExportBuffer buffer = new ExportBuffer("metrics", 1 << 20, null, 0, line -> {});
    BufferedMetricExporter exporter = new BufferedMetricExporter(buffer, false, type -> AggregationTemporality.CUMULATIVE,
        new ExportStats(), line -> {}, false);
    assertTrue(exporter.export(mixed).isSuccess());
    Payload payload = buffer.peek(0);
    assertArrayEquals(sdkBytes(mixed), buffer.read(payload));
    assertEquals(2, payload.items);
  }

  private static List<Double> bounds(int n) {
    List<Double> bounds = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      bounds.add((double) i);
    }
    return bounds;
  }

  private static List<Long> counts(int n) {
    List<Long> counts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      counts.add(i % 3 == 0 ? 0L : i);
    }
    return counts;
  }

  private static byte[] sdkBytes(Collection<MetricData> metrics) throws Exception {
    ByteArrayOutputStream sdk = new ByteArrayOutputStream();
    MetricsRequestMarshaler.create(metrics).writeBinaryTo(sdk);
    return sdk.toByteArray();
  }

  private static void assertSameBytes(List<MetricData> metrics) throws Exception {
    byte[] expected = sdkBytes(metrics);
    // one encoder twice: resources and scopes first written, then from what it kept
    LeanMetricEncoder encoder = new LeanMetricEncoder();
    for (int round = 0; round < 2; round++) {
      SameBytes.assertSameBytes(expected, encoder.encode(metrics));
    }
  }

  /** Keeps what the meter provider exports. */
  private static final class Capture implements MetricExporter {
    private final List<MetricData> exported;

    Capture(List<MetricData> exported) {
      this.exported = exported;
    }

    @Override
    public CompletableResultCode export(Collection<MetricData> metrics) {
      exported.addAll(metrics);
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
      return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
