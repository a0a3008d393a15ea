package io.weft.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The waterfall of a three-level trace, an error, a long query and an orphan. */
class WaterfallTest {
  private static final String ROOT = "0000000000000001";
  private static final String FIRST = "0000000000000002";
  private static final String QUERY = "0000000000000003";
  private static final String SECOND = "0000000000000004";

  @Test
  void nestsChildrenByStartTimeAndMarksErrors() {
    String longQuery = "SELECT id, customer, total FROM orders WHERE customer = ? AND created > ? ORDER BY created DESC";
    List<ReceivedSpan> spans = List.of( // arrival order: children before parents, as exporters send them
        span(QUERY, FIRST, "SELECT orders", Span.SpanKind.SPAN_KIND_CLIENT, 3, 4,
            TestExports.string("db.system.name", "postgresql"), TestExports.string("db.query.text", longQuery))
            .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("timeout")),
        span(SECOND, ROOT, "render", Span.SpanKind.SPAN_KIND_INTERNAL, 10, 2),
        span(FIRST, ROOT, "OrderService.find", Span.SpanKind.SPAN_KIND_INTERNAL, 1, 8,
            TestExports.string("code.function.name", "find")),
        span(ROOT, "", "GET /orders", Span.SpanKind.SPAN_KIND_SERVER, 0, 15,
            TestExports.string("http.request.method", "GET"), TestExports.integer("http.response.status_code", 200)))
        .stream().map(WaterfallTest::received).toList();

    String[] lines = Waterfall.render(spans).split("\n");

    assertEquals(5, lines.length);
    assertEquals("trace " + TestExports.TRACE_ID + "  service checkout  15.00ms  4 spans", lines[0]);
    assertTrue(lines[1].matches("\\s+\\+0\\.00ms\\s+15\\.00ms  SERVER   GET /orders  http.request.method=GET"
        + "  http.response.status_code=200"), lines[1]);
    assertTrue(lines[2].matches("\\s+\\+1\\.00ms\\s+8\\.00ms    INTERNAL OrderService\\.find  code.function.name=find"),
        lines[2]);
    assertTrue(lines[3].contains("+3.00ms") && lines[3].contains("      CLIENT   SELECT orders  ERROR \"timeout\""),
        lines[3]);
    assertTrue(lines[3].endsWith("db.query.text=\"" + longQuery.substring(0, 80) + "...\""), lines[3]);
    assertTrue(lines[4].contains("    INTERNAL render"), lines[4]);
    assertFalse(Waterfall.render(spans).contains("\u001b["));
  }

  @Test
  void orphanIsShownAtTopLevelAndMarked() {
    List<ReceivedSpan> spans = List.of(
        received(span(ROOT, "", "GET /orders", Span.SpanKind.SPAN_KIND_SERVER, 0, 15)),
        received(span(QUERY, FIRST, "SELECT orders", Span.SpanKind.SPAN_KIND_CLIENT, 3, 4,
            TestExports.string("error.type", "java.sql.SQLException"))
            .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR))));

    String[] lines = Waterfall.render(spans, true).split("\n");

    assertEquals(3, lines.length);
    assertTrue(lines[1].contains("SERVER") && lines[1].contains("GET /orders"), lines[1]);
    assertTrue(lines[2].contains("\u001b[2mCLIENT  \u001b[0m SELECT orders \u001b[33m(parent not received)\u001b[0m"
        + "  \u001b[31mERROR java.sql.SQLException\u001b[0m"), lines[2]);
  }

  private static Span.Builder span(String id, String parent, String name, Span.SpanKind kind,
      long startMillis, long durationMillis, io.opentelemetry.proto.common.v1.KeyValue... attributes) {
    return TestExports.span(id, parent, name, kind, startMillis * 1_000_000, durationMillis * 1_000_000)
        .addAllAttributes(List.of(attributes));
  }

  private static ReceivedSpan received(Span.Builder span) {
    return new ReceivedSpan(span.build(), TestExports.checkout(), InstrumentationScope.getDefaultInstance());
  }
}
