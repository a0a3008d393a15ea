package io.weft.instrumentation.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;

/**
 * A span made current over its parent context, with at most one more entry, as one object that is both the
 * context and the scope that undoes it. {@code parent.with(span).makeCurrent()} makes three (a context, its
 * entry array, a scope) and copies the parent's entries; a traced call makes this one instead, and reads and
 * writes its thread's {@link WeftContextStorage.Slot} once.
 *
 * <p>As a context it answers what {@code parent.with(span).with(key, value)} would: the span for the span key,
 * the value for its key, anything else from the parent. Adding an entry to it ({@link #with}) gives an
 * ordinary context with all of them. As a scope it behaves as {@link WeftContextStorage}'s own: closing it
 * restores what was current before, only while it is still current and only on its own thread, once.
 */
public final class SpanScope implements Context, Scope {

  /** The OpenTelemetry API's own key for the span in a context (package-private there): caught, not named. */
  static final ContextKey<Span> SPAN_KEY = spanKey();

  private final WeftContextStorage.Slot slot;
  private final Context parent;
  private final Span span; // null: only the other entry
  private final ContextKey<?> key; // null: only the span
  private final Object value;
  private final Context before;
  private boolean closed;

  private SpanScope(WeftContextStorage.Slot slot, Context parent, Span span, ContextKey<?> key, Object value) {
    this.slot = slot;
    this.parent = parent;
    this.span = span;
    this.key = key;
    this.value = value;
    this.before = slot.current;
  }

  /**
   * Makes {@code span} (when not null) and {@code key}'s {@code value} (when {@code key} is not null) current
   * over {@code parent} on the thread that owns {@code slot}, the calling thread's ({@link WeftContextStorage#slot()}).
   */
  public static <V> SpanScope makeCurrent(WeftContextStorage.Slot slot, Context parent, Span span, ContextKey<V> key, V value) {
    SpanScope scope = new SpanScope(slot, parent, span, key, value);
    slot.current = scope;
    return scope;
  }

  /** {@link #makeCurrent(WeftContextStorage.Slot, Context, Span, ContextKey, Object)} with the span alone. */
  public static SpanScope makeCurrent(WeftContextStorage.Slot slot, Context parent, Span span) {
    return makeCurrent(slot, parent, span, null, null);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <V> V get(ContextKey<V> wanted) {
    // a loop, not a call per level: a deeply recursive traced method nests as many of these
    Context at = this;
    while (at instanceof SpanScope) {
      SpanScope scope = (SpanScope) at;
      if (wanted == SPAN_KEY && scope.span != null) {
        return (V) scope.span;
      }
      if (wanted == scope.key && wanted != null) {
        return (V) scope.value;
      }
      at = scope.parent;
    }
    return at.get(wanted);
  }

  @Override
  public <V> Context with(ContextKey<V> k, V v) {
    return flat().with(k, v);
  }

  /** The same entries as an ordinary context. */
  @SuppressWarnings("unchecked")
  private Context flat() {
    Context flat = span != null ? parent.with(SPAN_KEY, span) : parent;
    return key != null ? flat.with((ContextKey<Object>) key, value) : flat;
  }

  @Override
  public void close() {
    if (!closed && slot.current == this && slot.owner == Thread.currentThread()) {
      closed = true;
      slot.current = before;
    }
  }

  @Override
  public String toString() {
    return flat().toString();
  }

  private static ContextKey<Span> spanKey() {
    KeyCatcher catcher = new KeyCatcher();
    Span.fromContextOrNull(catcher);
    if (catcher.key == null) {
      throw new IllegalStateException("the OpenTelemetry API did not ask a context for its span key");
    }
    @SuppressWarnings("unchecked")
    ContextKey<Span> key = (ContextKey<Span>) catcher.key;
    return key;
  }

  /** A context that notes the key it is asked for. */
  private static final class KeyCatcher implements Context {
    ContextKey<?> key;

    @Override
    public <V> V get(ContextKey<V> asked) {
      key = asked;
      return null;
    }

    @Override
    public <V> Context with(ContextKey<V> k, V v) {
      return EntriesContext.ROOT.with(k, v);
    }
  }
}
