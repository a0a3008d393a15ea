package io.weft.agent.export;

import java.util.List;

/**
 * The span queue as a few {@link SpanRing}s, the stripes, each thread offering to the one its id picks. With one
 * ring, every ended span compare-and-sets the same producer index and writes the next slot, so on two cores
 * both lines move to the ending core on almost every span: 40 to 80 ns an offer in a profile of the web
 * workload, six times per {@code /chain} request. With a stripe per few threads, a thread mostly finds its
 * stripe's lines where it left them.
 *
 * <p>The capacity is the configured queue size in all, split between the stripes. A thread whose stripe is full
 * offers to the others in turn, so one busy thread still has the whole queue; a refusal is counted only when
 * every stripe is full. Order is kept within a stripe, not between them: a batch is a set of spans.
 *
 * <p>{@link #offer} tells its caller when to look at the size (a sum over the stripes, which reads lines the
 * other threads write): every {@link #sizeCheckEvery} offers to a stripe rather than on every one.
 *
 * <p>An application that outruns the exporter finds the queue full on many offers in a row (40 % of the spans
 * of a traced method called in a loop). Only a drain makes room, so once a producer has found every stripe full
 * it notes the count of drains it saw, and until the next drain an offer whose own stripe is full is refused on
 * that note, without reading the other stripes' lines (which the consumer writes): a refusal was 6 % of such a
 * loop's time in a CPU profile, most of it this scan.
 */
final class StripedSpanQueue<E> {
  static final int REFUSED = 0;
  static final int ADDED = 1;
  /** Added, and the stripe's count passed a multiple of {@link #sizeCheckEvery}: time to look at the size. */
  static final int ADDED_LOOK = 2;

  private final SpanRing<E>[] stripes;
  private final int mask;
  private final int capacity;
  private final long checkMask;
  /** The stripe the next drain starts at, so no stripe waits behind the others; the one consumer's. */
  private int drainFrom;
  /** Drains that moved anything, so far: each made room. Written by the one consumer at a time. */
  private volatile long drains;
  /** {@link #drains} as a producer read it before it found every stripe full; -1 before any such finding. */
  private volatile long fullSinceDrain = -1;

  /**
   * {@code stripes}: wanted, cut to a power of two no more than {@code capacity}; {@code lookEvery}: about how many
   * spans the caller lets pass between two looks at the size, over all stripes.
   */
  @SuppressWarnings("unchecked")
  StripedSpanQueue(int capacity, int stripes, int lookEvery) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity " + capacity);
    }
    int count = Integer.highestOneBit(Math.max(1, Math.min(stripes, capacity)));
    this.capacity = capacity;
    this.stripes = new SpanRing[count];
    for (int i = 0; i < count; i++) {
      this.stripes[i] = new SpanRing<>(capacity / count + (i < capacity % count ? 1 : 0));
    }
    this.mask = count - 1;
    // per stripe: its share of lookEvery, and at most a quarter of the stripe (a small queue must not fill unseen)
    long every = Math.max(1, Math.min(lookEvery / count, (capacity / count) / 4));
    this.checkMask = Long.highestOneBit(every) - 1;
  }

  /**
   * The stripes for {@code processors} cores: four per core (a pool of request threads several times the cores
   * then shares each stripe between a few), a power of two, at most 32.
   */
  static int stripesFor(int processors) {
    int wanted = Math.min(32, Math.max(1, processors) * 4);
    return Integer.highestOneBit(wanted);
  }

  int capacity() {
    return capacity;
  }

  int stripeCount() {
    return stripes.length;
  }

  /** Spans a stripe takes between two looks at the size (for tests). */
  long sizeCheckEvery() {
    return checkMask + 1;
  }

  /** Adds {@code e} to the calling thread's stripe, or to the next one with room; {@link #REFUSED} when all are full. */
  int offer(E e) {
    // thread ids are handed out in sequence, so the threads of a pool spread over the stripes
    int home = (int) Thread.currentThread().getId() & mask;
    long index = stripes[home].offerAt(e);
    if (index < 0) {
      return offerElsewhere(e, home);
    }
    return (index & checkMask) == checkMask ? ADDED_LOOK : ADDED;
  }

  /**
   * The calling thread's stripe is full: the others in turn (out of the compiled fast path), unless every stripe
   * was found full since the last drain. The count of drains is read before the stripes, so a drain during the
   * scan leaves a note that no longer matches.
   */
  private int offerElsewhere(E e, int home) {
    long drained = drains;
    if (fullSinceDrain == drained) {
      return REFUSED;
    }
    for (int i = 1; i < stripes.length; i++) {
      if (stripes[(home + i) & mask].offerAt(e) >= 0) {
        return ADDED_LOOK; // the queue is filling up: worth a look
      }
    }
    fullSinceDrain = drained;
    return REFUSED;
  }

  /** Elements ever added (refused offers not counted). */
  long accepted() {
    long total = 0;
    for (SpanRing<E> stripe : stripes) {
      total += stripe.accepted();
    }
    return total;
  }

  /** Elements claimed by producers and not yet consumed (some may still be being written). */
  int size() {
    int total = 0;
    for (SpanRing<E> stripe : stripes) {
      total += stripe.size();
    }
    return total;
  }

  /**
   * Moves up to {@code max} elements to {@code sink}, stripe after stripe from where the last drain stopped;
   * returns how many. One consumer at a time.
   */
  int drainTo(List<? super E> sink, int max) {
    int moved = 0;
    for (int i = 0; i < stripes.length && moved < max; i++) {
      int stripe = (drainFrom + i) & mask;
      moved += stripes[stripe].drainTo(sink, max - moved);
      if (moved >= max) {
        drainFrom = (stripe + 1) & mask; // the next batch starts after the stripe that filled this one
      }
    }
    if (moved > 0) {
      drains = drains + 1; // one consumer at a time: the next offer that finds its stripe full looks again
    }
    return moved;
  }
}
