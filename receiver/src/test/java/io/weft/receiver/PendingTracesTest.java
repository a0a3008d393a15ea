package io.weft.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the tool considers a trace complete, with time passed in by hand. */
class PendingTracesTest {
  private static final long QUIET = 1_000;
  private static final long MAX_WAIT = 10_000;

  private final PendingTraces pending = new PendingTraces(QUIET, MAX_WAIT);

  @Test
  void traceWithItsRootIsDueOnceQuiet() {
    pending.add(List.of(span(TestExports.CHILD_ID, TestExports.PARENT_ID)), 0);
    pending.add(List.of(span(TestExports.PARENT_ID, "")), 500);

    assertTrue(pending.takeDue(1_499).isEmpty());
    List<List<ReceivedSpan>> due = pending.takeDue(1_500);
    assertEquals(1, due.size());
    assertEquals(2, due.get(0).size());
    assertTrue(pending.takeAll().isEmpty());
  }

  @Test
  void traceWithoutRootWaitsForTheLongerLimit() {
    pending.add(List.of(span(TestExports.CHILD_ID, TestExports.PARENT_ID)), 0);

    assertTrue(pending.takeDue(9_999).isEmpty());
    assertEquals(1, pending.takeDue(10_000).size());
  }

  @Test
  void takeAllReturnsWhatIsPending() {
    pending.add(List.of(span(TestExports.CHILD_ID, TestExports.PARENT_ID)), 0);

    assertEquals(1, pending.takeAll().size());
    assertTrue(pending.takeDue(Long.MAX_VALUE).isEmpty());
  }

  private static ReceivedSpan span(String id, String parent) {
    return new ReceivedSpan(TestExports.span(id, parent, "s", Span.SpanKind.SPAN_KIND_INTERNAL, 0, 1).build(),
        TestExports.checkout(), InstrumentationScope.getDefaultInstance());
  }
}
