package io.weft.receiver;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.HexFormat;
import java.util.List;

/** Export requests the tests send: a two-span trace and a histogram, both from service "checkout". */
final class TestExports {
  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String PARENT_ID = "00f067aa0ba902b7";
  static final String CHILD_ID = "b7ad6b7169203331";
  static final long START = 1_700_000_000_000_000_000L;

  private TestExports() {}

  static ExportTraceServiceRequest parentAndChild() {
    Span parent = span(PARENT_ID, "", "GET /orders", Span.SpanKind.SPAN_KIND_SERVER, 0, 50_000_000)
        .addAttributes(string("http.request.method", "GET"))
        .addAttributes(integer("http.response.status_code", 200))
        .build();
    Span child = span(CHILD_ID, PARENT_ID, "SELECT orders", Span.SpanKind.SPAN_KIND_CLIENT, 5_000_000, 20_000_000)
        .addAttributes(string("db.system.name", "postgresql"))
        .addAttributes(KeyValue.newBuilder().setKey("db.flags").setValue(AnyValue.newBuilder()
            .setArrayValue(io.opentelemetry.proto.common.v1.ArrayValue.newBuilder()
                .addValues(AnyValue.newBuilder().setBoolValue(true))
                .addValues(AnyValue.newBuilder().setDoubleValue(1.5)))))
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("timeout"))
        .addEvents(Span.Event.newBuilder().setName("exception")
            .addAttributes(string("exception.type", "java.sql.SQLTimeoutException")))
        .build();
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(checkout())
            .addScopeSpans(ScopeSpans.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("io.weft.jdbc").setVersion("0.1.0"))
                .addAllSpans(List.of(parent, child))))
        .build();
  }

  static ExportMetricsServiceRequest histogram() {
    Metric metric = Metric.newBuilder()
        .setName("http.server.request.duration")
        .setUnit("s")
        .setDescription("Duration of HTTP server requests.")
        .setHistogram(Histogram.newBuilder()
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
            .addDataPoints(HistogramDataPoint.newBuilder()
                .addAttributes(string("http.route", "/orders"))
                .addAttributes(integer("http.response.status_code", 200))
                .setCount(3)
                .setSum(0.42)
                .addAllExplicitBounds(List.of(0.1, 0.5))
                .addAllBucketCounts(List.of(1L, 2L, 0L))
                .setStartTimeUnixNano(START)
                .setTimeUnixNano(START + 1)))
        .build();
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(ResourceMetrics.newBuilder()
            .setResource(checkout())
            .addScopeMetrics(ScopeMetrics.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("io.weft.servlet"))
                .addMetrics(metric)))
        .build();
  }

  static Span.Builder span(String spanId, String parentId, String name, Span.SpanKind kind,
      long startOffsetNanos, long durationNanos) {
    return Span.newBuilder()
        .setTraceId(id(TRACE_ID))
        .setSpanId(id(spanId))
        .setParentSpanId(id(parentId))
        .setName(name)
        .setKind(kind)
        .setStartTimeUnixNano(START + startOffsetNanos)
        .setEndTimeUnixNano(START + startOffsetNanos + durationNanos);
  }

  static Resource checkout() {
    return Resource.newBuilder().addAttributes(string("service.name", "checkout")).build();
  }

  static ByteString id(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }

  static KeyValue string(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  static KeyValue integer(String key, long value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }
}
