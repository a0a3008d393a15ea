package io.weft.receiver;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
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

/** Export requests the tests send: a two-span trace, a histogram and two log records, all from service "checkout". */
final class TestExports {
  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String PARENT_ID = "00f067aa0ba902b7";
  static final String CHILD_ID = "b7ad6b7169203331";
  static final long START = 1_700_000_000_000_000_000L;
  static final String ERROR_BODY =
      "Order 42 could not be loaded: the database did not answer within 5 seconds, giving up after 3 tries";

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

  /**
   * Two records of scope {@code io.weft.logback} 1.2.0: an ERROR logged in the child span of {@link
   * #parentAndChild} with exception attributes and a body longer than 80 characters, then an INFO event
   * outside any trace whose body is a map.
   */
  static ExportLogsServiceRequest logs() {
    LogRecord error = LogRecord.newBuilder()
        .setTimeUnixNano(START + 5_000_000)
        .setObservedTimeUnixNano(START + 5_000_100)
        .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_ERROR)
        .setSeverityText("ERROR")
        .setBody(AnyValue.newBuilder().setStringValue(ERROR_BODY))
        .addAttributes(string("exception.type", "java.sql.SQLTimeoutException"))
        .addAttributes(string("exception.message", "query timed out"))
        .addAttributes(string("exception.stacktrace",
            "java.sql.SQLTimeoutException: query timed out\n\tat com.acme.Orders.load(Orders.java:42)"))
        .addAttributes(integer("order.id", 42))
        .setTraceId(id(TRACE_ID))
        .setSpanId(id(CHILD_ID))
        .setFlags(1)
        .build();
    LogRecord event = LogRecord.newBuilder()
        .setTimeUnixNano(START + 60_000_000)
        .setObservedTimeUnixNano(START + 60_000_000)
        .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_INFO)
        .setSeverityText("INFO")
        .setBody(AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
            .addValues(integer("order.id", 43))
            .addValues(string("status", "placed"))))
        .addAttributes(KeyValue.newBuilder().setKey("retried").setValue(AnyValue.newBuilder().setBoolValue(false)))
        .setEventName("order.placed")
        .build();
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder()
            .setResource(checkout())
            .addScopeLogs(ScopeLogs.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("io.weft.logback").setVersion("1.2.0"))
                .addAllLogRecords(List.of(error, event))))
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
