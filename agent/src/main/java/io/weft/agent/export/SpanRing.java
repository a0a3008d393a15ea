package io.weft.agent.export;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * The span queue: bounded, with many producers (the application threads that end spans) and one
 * consumer at a time (the batch thread, a producer helping it, or the exit drain; {@link SpanQueueProcessor}
 * holds a lock around consuming). An offer is one compare-and-set on the producer index and one ordered store
 * into the claimed slot: no node is allocated and no counter is shared with the consumer, which
 * publishes how far it has read once per batch, not once per span. The three indexes live on
 * separate cache lines, so producers and the consumer do not invalidate each other's. The
 * algorithm is the usual bounded multi-producer array queue.
 */
final class SpanRing<E> extends SpanRingConsumer {
  private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);

  private final Object[] slots;
  private final int mask;
  private final int capacity;

  SpanRing(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity " + capacity);
    }
    this.capacity = capacity;
    int length = Integer.highestOneBit(capacity);
    if (length < capacity) {
      length <<= 1; // the slots are a power of two at least the capacity; the capacity is what is enforced
    }
    this.slots = new Object[length];
    this.mask = length - 1;
    this.producerLimit = capacity;
  }

  int capacity() {
    return capacity;
  }

  /** Adds {@code e}; false when the queue is full and {@code e} was not added. */
  boolean offer(E e) {
    return offerAt(e) >= 0;
  }

  /** Adds {@code e} and returns the index it took (elements added before it); -1 when the queue is full. */
  long offerAt(E e) {
    long index;
    do {
      index = (long) PRODUCER_INDEX.getVolatile(this);
      long limit = (long) PRODUCER_LIMIT.getVolatile(this);
      if (index >= limit) {
        limit = (long) CONSUMER_INDEX.getVolatile(this) + capacity;
        if (index >= limit) {
          return -1;
        }
        // racy but benign: a stale, smaller limit only makes a producer look again. Opaque, not volatile: near
        // full, every offer gets here, and a volatile store is a full fence on each
        PRODUCER_LIMIT.setOpaque(this, limit);
      }
    } while (!PRODUCER_INDEX.compareAndSet(this, index, index + 1));
    SLOTS.setRelease(slots, (int) index & mask, e);
    return index;
  }

  /** Elements ever added (refused offers not counted). */
  long accepted() {
    return (long) PRODUCER_INDEX.getVolatile(this);
  }

  /** Elements claimed by producers and not yet consumed (some may still be being written). */
  int size() {
    long consumed = (long) CONSUMER_INDEX.getVolatile(this);
    long produced = (long) PRODUCER_INDEX.getVolatile(this);
    return (int) Math.max(0, Math.min(capacity, produced - consumed));
  }

  /**
   * Moves up to {@code max} elements, in order, to {@code sink}; returns how many. Stops early at a slot a
   * producer has claimed but not written yet: it is taken by the next call. One consumer at a time.
   */
  @SuppressWarnings("unchecked")
  int drainTo(List<? super E> sink, int max) {
    long index = (long) CONSUMER_INDEX.getOpaque(this);
    int moved = 0;
    while (moved < max) {
      int slot = (int) index & mask;
      Object e = SLOTS.getAcquire(slots, slot);
      if (e == null) {
        break;
      }
      slots[slot] = null; // published to producers by the release of the consumer index below
      sink.add((E) e);
      index++;
      moved++;
    }
    if (moved > 0) {
      CONSUMER_INDEX.setRelease(this, index);
    }
    return moved;
  }
}

/** Padding and the producers' fields, on a cache line of their own. */
abstract class SpanRingProducer {
  long p00, p01, p02, p03, p04, p05, p06, p07;
  volatile long producerIndex;
  volatile long producerLimit; // a cached consumer index plus the capacity: below it, no need to look at the consumer
  long p10, p11, p12, p13, p14, p15, p16, p17;

  static final VarHandle PRODUCER_INDEX;
  static final VarHandle PRODUCER_LIMIT;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      PRODUCER_INDEX = lookup.findVarHandle(SpanRingProducer.class, "producerIndex", long.class);
      PRODUCER_LIMIT = lookup.findVarHandle(SpanRingProducer.class, "producerLimit", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}

/** The consumer's index, on a cache line of its own. */
abstract class SpanRingConsumer extends SpanRingProducer {
  volatile long consumerIndex;
  long p20, p21, p22, p23, p24, p25, p26, p27;

  static final VarHandle CONSUMER_INDEX;

  static {
    try {
      CONSUMER_INDEX = MethodHandles.lookup().findVarHandle(SpanRingConsumer.class, "consumerIndex", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
