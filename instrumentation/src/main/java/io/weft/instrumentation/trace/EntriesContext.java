package io.weft.instrumentation.trace;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;

/**
 * An immutable context of a few entries, keys compared by identity, as the OpenTelemetry API's own. Weft's
 * root context is this one's empty instance ({@link #ROOT}), also what {@code Context.root()} answers once
 * the API's storage is Weft's: the API's {@code Context.root()} asks its storage for the root, and setting
 * that storage up (a service loader look-up for storage providers) is what Weft's traced calls avoid.
 */
final class EntriesContext implements Context {
  static final EntriesContext ROOT = new EntriesContext(new Object[0]);

  private final Object[] entries; // key, value, key, value, ...

  private EntriesContext(Object[] entries) {
    this.entries = entries;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <V> V get(ContextKey<V> key) {
    for (int i = 0; i < entries.length; i += 2) {
      if (entries[i] == key) {
        return (V) entries[i + 1];
      }
    }
    return null;
  }

  @Override
  public <V> Context with(ContextKey<V> key, V value) {
    for (int i = 0; i < entries.length; i += 2) {
      if (entries[i] == key) {
        if (entries[i + 1] == value) {
          return this;
        }
        Object[] replaced = entries.clone();
        replaced[i + 1] = value;
        return new EntriesContext(replaced);
      }
    }
    Object[] more = new Object[entries.length + 2];
    System.arraycopy(entries, 0, more, 0, entries.length);
    more[entries.length] = key;
    more[entries.length + 1] = value;
    return new EntriesContext(more);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("{");
    for (int i = 0; i < entries.length; i += 2) {
      text.append(i == 0 ? "" : ", ").append(entries[i]).append('=').append(entries[i + 1]);
    }
    return text.append('}').toString();
  }
}
