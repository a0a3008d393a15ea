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
