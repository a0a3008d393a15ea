package io.weft.instrumentation.trace;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class WeftContextStorageTest {

  private static final ContextKey<String> KEY = ContextKey.named("key");
  private final WeftContextStorage storage = WeftContextStorage.INSTANCE;
  private final Context a = Context.root().with(KEY, "a");
  private final Context b = Context.root().with(KEY, "b");
  private final Context c = Context.root().with(KEY, "c");

  @Test
  void nestedScopesRestoreWhatWasCurrentBefore() throws Exception {
    runOnFreshThread(() -> {
      assertNull(storage.current(), "a thread that attached nothing has no context");
      try (Scope outer = storage.attach(a)) {
        assertSame(a, storage.current());
        try (Scope inner = storage.attach(b)) {
          assertSame(b, storage.current());
        }
        assertSame(a, storage.current());
      }
      assertNull(storage.current());
    });
  }

  @Test
  void attachingTheCurrentContextAgainIsANoOp() throws Exception {
    runOnFreshThread(() -> {
      try (Scope outer = storage.attach(a)) {
        Scope again = storage.attach(a);
        again.close();
        assertSame(a, storage.current(), "closing the no-op scope must not detach a");
      }
      assertNull(storage.current());
    });
  }

  @Test
  void aNullContextIsNotAttached() throws Exception {
    runOnFreshThread(() -> {
      try (Scope outer = storage.attach(a)) {
        try (Scope nothing = storage.attach(null)) {
          assertSame(a, storage.current());
        }
        assertSame(a, storage.current());
      }
    });
  }

  @Test
  void aScopeClosedOutOfOrderOrTwiceChangesNothing() throws Exception {
    runOnFreshThread(() -> {
      Scope first = storage.attach(a);
      Scope second = storage.attach(b);
      first.close(); // not current: ignored, as the default storage ignores it
      assertSame(b, storage.current());
      second.close();
      assertSame(a, storage.current());
      second.close(); // twice: ignored, even though what it restored is current now
      assertSame(a, storage.current());
      first.close();
      assertNull(storage.current());
      Scope third = storage.attach(c);
      first.close(); // long closed: must not undo the new scope
      assertSame(c, storage.current());
      third.close();
      assertNull(storage.current());
    });
  }

  @Test
  void aScopeClosedOnAnotherThreadChangesNothing() throws Exception {
    AtomicReference<Scope> opened = new AtomicReference<>();
    AtomicReference<Context> seenAfter = new AtomicReference<>();
    runOnFreshThread(() -> {
      opened.set(storage.attach(a));
      try {
        runOnFreshThread(() -> {
          try (Scope own = storage.attach(b)) {
            opened.get().close(); // the first thread's scope, closed here
            assertSame(b, storage.current(), "this thread's context is untouched");
          }
        });
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      seenAfter.set(storage.current());
      opened.get().close(); // still open: its own thread closes it now
      assertNull(storage.current());
    });
    assertSame(a, seenAfter.get(), "a close on another thread must not detach the owner's context");
  }

  @Test
  void threadsHaveTheirOwnContexts() throws Exception {
    runOnFreshThread(() -> {
      try (Scope scope = storage.attach(a)) {
        AtomicReference<Context> other = new AtomicReference<>(c);
        try {
          runOnFreshThread(() -> other.set(storage.current()));
        } catch (Exception e) {
          throw new AssertionError(e);
        }
        assertNull(other.get());
        assertSame(a, storage.current());
      }
    });
  }

  /** Runs {@code body} on a new thread, so each test starts with no context; rethrows what it threw. */
  static void runOnFreshThread(Runnable body) throws Exception {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread thread = new Thread(() -> {
      try {
        body.run();
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    thread.start();
    thread.join(10_000);
    if (failure.get() instanceof Error) {
      throw (Error) failure.get();
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
  }
}
