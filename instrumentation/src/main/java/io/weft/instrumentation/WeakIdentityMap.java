package io.weft.instrumentation;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A concurrent map from application objects (statements, connections, tasks), compared by identity and held
 * weakly, to agent-side values that must never refer back to their key. Bounded: once full (after
 * dropping collected keys) new keys are not added and {@link #put} says so. Agent class loader.
 */
public final class WeakIdentityMap<V> {

  private final ConcurrentHashMap<Object, V> map = new ConcurrentHashMap<>();
  private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
  private final int maxSize;

  public WeakIdentityMap(int maxSize) {
    this.maxSize = maxSize;
  }

  public V get(Object key) {
    return key == null ? null : map.get(new LookupKey(key));
  }

  /** Maps {@code key} to {@code value}; {@code false} when the map is full and the key is new. */
  public boolean put(Object key, V value) {
    expunge();
    if (map.size() >= maxSize && get(key) == null) {
      return false;
    }
    map.put(new WeakKey(key, collected), value);
    return true;
  }

  public void remove(Object key) {
    map.remove(new LookupKey(key));
  }

  /** Removes {@code key} and returns its value, or null; a map with no key at all answers without a look-up. */
  public V take(Object key) {
    if (key == null || map.isEmpty()) {
      return null;
    }
    return map.remove(new LookupKey(key));
  }

  public int size() {
    expunge();
    return map.size();
  }

  private void expunge() {
    Object dead;
    while ((dead = collected.poll()) != null) {
      map.remove(dead);
    }
  }

  /** The stored key: a weak reference that keeps its referent's identity hash after collection. */
  private static final class WeakKey extends WeakReference<Object> {
    private final int hash;

    WeakKey(Object referent, ReferenceQueue<Object> queue) {
      super(referent, queue);
      this.hash = System.identityHashCode(referent);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object other) {
      if (this == other) {
        return true;
      }
      Object mine = get();
      if (mine == null) {
        return false; // collected: equal only to itself, so expunge can still remove it
      }
      if (other instanceof WeakKey) {
        return mine == ((WeakKey) other).get();
      }
      return other instanceof LookupKey && mine == ((LookupKey) other).referent;
    }
  }

  /** A short-lived strong key for look-ups; never stored. */
  private static final class LookupKey {
    final Object referent;
    private final int hash;

    LookupKey(Object referent) {
      this.referent = referent;
      this.hash = System.identityHashCode(referent);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object other) {
      if (other instanceof WeakKey) {
        return referent == ((WeakKey) other).get();
      }
      return other instanceof LookupKey && referent == ((LookupKey) other).referent;
    }
  }
}
