package io.weft.instrumentation.executors;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import org.junit.jupiter.api.Test;

/** The handler behind the bridge, on the context storage the unit tests run with. */
class ContextCarrierTest {

  private static final ContextKey<String> KEY = ContextKey.named("carried");
  private final ContextCarrier carrier = new ContextCarrier();

  @Test
  void capturesNothingAtTheRootAndTheCurrentContextOtherwise() {
    assertNull(carrier.capture(), "only the root is current: nothing to carry, no wrapper");
    Context request = Context.root().with(KEY, "request");
    try (Scope ignored = request.makeCurrent()) {
      assertSame(request, carrier.capture());
    }
    assertNull(carrier.capture());
  }

  @Test
  void aRememberedTaskIsRecalledOnceAndForgottenWhenHandedOverAgainOutsideAnySpan() {
    Context request = Context.root().with(KEY, "request");
    Runnable task = () -> {};
    carrier.remember(task);
    assertNull(carrier.recall(task), "handed over at the root: nothing kept");
    try (Scope ignored = request.makeCurrent()) {
      carrier.remember(task);
    }
    assertSame(request, carrier.recall(task));
    assertNull(carrier.recall(task), "recalled once");

    try (Scope ignored = request.makeCurrent()) {
      carrier.remember(task); // handed over, never run (rejected, say)
    }
    carrier.remember(task); // handed over again outside any span
    assertNull(carrier.recall(task), "the old context is not used for the new hand-over");
  }

  @Test
  void attachMakesTheCarriedContextCurrentAndRestoreBringsBackTheRunnersOwn() {
    Context request = Context.root().with(KEY, "request");
    Context worker = Context.root().with(KEY, "worker");
    try (Scope ignored = worker.makeCurrent()) {
      Object scope = carrier.attach(request);
      assertSame(request, Context.current());
      carrier.restore(scope);
      assertSame(worker, Context.current());
    }
  }
}
