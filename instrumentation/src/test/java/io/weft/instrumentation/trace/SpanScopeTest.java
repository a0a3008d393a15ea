package io.weft.instrumentation.trace;

import static io.weft.instrumentation.trace.WeftContextStorageTest.runOnFreshThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SpanScopeTest {

  private static final ContextKey<String> OUTER = ContextKey.named("outer");
  private static final ContextKey<String> EXTRA = ContextKey.named("extra");
  private static final ContextKey<String> LATER = ContextKey.named("later");
  private final WeftContextStorage storage = WeftContextStorage.INSTANCE;
  private final Span first = span("00000000000000a1");
  private final Span second = span("00000000000000b2");

  @Test
  void itsSpanKeyIsTheApisOwn() {
    Context flat = Context.root().with(first);
    assertSame(first, flat.get(SpanScope.SPAN_KEY), "the caught key must be the one Context.with(span) stores under");
    assertFalse(Span.fromContext(Context.root()).getSpanContext().isValid());
  }

  @Test
  void answersAsTheSameEntriesAddedOneByOneWould() throws Exception {
    runOnFreshThread(() -> {
      WeftContextStorage.Slot slot = WeftContextStorage.slotOfThisThread();
      Context parent = Context.root().with(OUTER, "o");
      SpanScope request = SpanScope.makeCurrent(slot, parent, first, EXTRA, "x");
      assertSame(first, Span.fromContext(request));
      assertEquals("o", request.get(OUTER));
      assertEquals("x", request.get(EXTRA));
      assertNull(request.get(LATER));

      SpanScope call = SpanScope.makeCurrent(slot, request, second);
      assertSame(second, Span.fromContext(call), "the inner span shadows the outer one");
      assertEquals("x", call.get(EXTRA), "the outer scope's other entry shows through");
      assertEquals("o", call.get(OUTER));
      assertSame(call, storage.current(), "made current in the thread's slot");
      call.close();
      request.close();
      assertNull(storage.current());
    });
  }

  @Test
  void withoutASpanItHoldsOnlyItsOtherEntry() throws Exception {
    runOnFreshThread(() -> {
      WeftContextStorage.Slot slot = WeftContextStorage.slotOfThisThread();
      Context parent = Context.root().with(first);
      try (SpanScope unsampled = SpanScope.makeCurrent(slot, parent, null, EXTRA, "x")) {
        assertSame(first, Span.fromContext(unsampled), "the parent's span stays the current span");
        assertEquals("x", unsampled.get(EXTRA));
      }
    });
  }

  @Test
  void addingAnEntryGivesAnOrdinaryContextWithAllOfThem() throws Exception {
    runOnFreshThread(() -> {
      WeftContextStorage.Slot slot = WeftContextStorage.slotOfThisThread();
      try (SpanScope scope = SpanScope.makeCurrent(slot, Context.root().with(OUTER, "o"), first, EXTRA, "x")) {
        Context more = scope.with(LATER, "l");
        assertFalse(more instanceof SpanScope);
        assertSame(first, Span.fromContext(more));
        assertEquals("o", more.get(OUTER));
        assertEquals("x", more.get(EXTRA));
        assertEquals("l", more.get(LATER));
        Context replaced = scope.with(second);
        assertSame(second, Span.fromContext(replaced));
        assertEquals("x", replaced.get(EXTRA));
      }
    });
  }

  @Test
  void closingBehavesAsTheStoragesOwnScopes() throws Exception {
    AtomicReference<SpanScope> opened = new AtomicReference<>();
    runOnFreshThread(() -> {
      WeftContextStorage.Slot slot = WeftContextStorage.slotOfThisThread();
      Context base = Context.root().with(OUTER, "o");
      Scope baseScope = storage.attach(base);
      SpanScope outer = SpanScope.makeCurrent(slot, base, first);
      SpanScope inner = SpanScope.makeCurrent(slot, outer, second);
      assertSame(inner, storage.current());
      outer.close(); // out of order: ignored
      assertSame(inner, storage.current());
      inner.close();
      assertSame(outer, storage.current());
      inner.close(); // twice: ignored
      assertSame(outer, storage.current());
      opened.set(outer);
      try {
        runOnFreshThread(() -> opened.get().close()); // another thread: ignored
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      assertSame(outer, storage.current());
      outer.close();
      assertSame(base, storage.current());
      baseScope.close();
      assertNull(storage.current());
      // a SpanScope attached again through the storage is an ordinary context there
      try (Scope again = storage.attach(outer)) {
        assertSame(outer, storage.current());
      }
      assertNull(storage.current());
    });
  }

  @Test
  void aDeepNestingIsWalkedWithoutRecursion() throws Exception {
    runOnFreshThread(() -> {
      WeftContextStorage.Slot slot = WeftContextStorage.slotOfThisThread();
      Context at = Context.root().with(OUTER, "o");
      for (int i = 0; i < 200_000; i++) {
        at = SpanScope.makeCurrent(slot, at, i == 0 ? first : second);
      }
      assertEquals("o", at.get(OUTER), "a key from below 200,000 levels");
      assertNull(at.get(LATER));
    });
  }

  private static Span span(String spanId) {
    return Span.wrap(SpanContext.create("0000000000000000000000000000abcd", spanId, TraceFlags.getSampled(),
        TraceState.getDefault()));
  }
}
