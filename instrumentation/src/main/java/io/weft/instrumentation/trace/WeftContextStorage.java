package io.weft.instrumentation.trace;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;
import java.util.function.Function;

/**
 * Where each thread's current context lives: one mutable slot per thread, found through one thread-local
 * lookup. The SDK's default storage keeps the context itself in a thread-local, so making a span current
 * looks the thread-local up twice (read, then write) and closing the scope twice more: five lookups per
 * traced call with {@code Context.current()}. In a servlet container's request threads, whose thread-local
 * maps are crowded, a lookup often misses its first slot and probes on (a third of a microsecond per
 * {@code /chain} request in a CPU profile). Here a scope keeps the slot it wrote, so closing it looks nothing
 * up: two lookups per traced call.
 *
 * <p>The semantics are the default storage's: attaching the current context again is a no-op scope; a scope
 * restores what was current before it, and only while its context is still current (closing scopes out of
 * order, or twice, changes nothing). A scope closed on another thread than the one it was opened on changes
 * nothing either (the default storage would look at the closing thread's context instead). Installed by
 * {@link #install()} before anything asks for the current context; Weft's code then reads and sets the
 * context here directly, and the OpenTelemetry API's {@code Context.current()} finds it through a wrapper.
 */
public final class WeftContextStorage implements ContextStorage {

  /** A thread's current context; written only by that thread. */
  public static final class Slot {
    final Thread owner;
    Context current;

    Slot(Thread owner) {
      this.owner = owner;
    }

    /** The current context of the thread that owns this slot, as {@code Context.current()} answers it there. */
    public Context context() {
      Context context = current;
      return context == null ? EntriesContext.ROOT : context;
    }
  }

  private static final ThreadLocal<Slot> SLOTS = new ThreadLocal<>();
  static final WeftContextStorage INSTANCE = new WeftContextStorage();
  /** Whether {@link #install()} ran: set before any bridge is live, read by traced calls (false in unit tests). */
  private static boolean inUse;

  private WeftContextStorage() {}

  /**
   * Makes this the context storage: Weft's own code reads and sets the current context here directly
   * ({@link #currentContext}, {@link #makeCurrent}, {@link #slot}, {@link SpanScope}), and the OpenTelemetry
   * API's {@code Context.current()} is pointed here by a wrapper, for the bundled libraries' own calls. The
   * API's storage is not initialized here (nor by Weft's traced calls): its set-up looks for storage providers
   * with a service loader and makes the JVM's first var handles, work the first traced call's thread would do
   * right after the start-up gate opens. Call before anything asks for the current context.
   */
  public static void install() {
    ContextStorage.addWrapper(new Replace());
    inUse = true;
  }

  /** The calling thread's current context, as {@code Context.current()} answers it. */
  public static Context currentContext() {
    if (!inUse) {
      return Context.current();
    }
    Slot slot = SLOTS.get();
    return slot == null ? EntriesContext.ROOT : slot.context();
  }

  /**
   * The calling thread's current context, or {@code null} when that is the root: what a task handed to another
   * thread carries. One thread-local look-up; no slot is made for a thread that has none.
   */
  public static Context currentUnlessRoot() {
    if (!inUse) {
      Context context = Context.current();
      return context == Context.root() ? null : context;
    }
    Slot slot = SLOTS.get();
    Context context = slot == null ? null : slot.current;
    // never Context.root() here: that would set the API's own storage up (see install)
    return context == EntriesContext.ROOT ? null : context;
  }

  /** {@code context.makeCurrent()}, in this storage. */
  public static Scope makeCurrent(Context context) {
    return inUse ? INSTANCE.attach(context) : context.makeCurrent();
  }

  /** {@code context.wrap(task)}: runs {@code task} with {@code context} current in this storage. */
  public static Runnable wrap(Context context, Runnable task) {
    return new InContext(context, task);
  }

  /**
   * The calling thread's slot, made on its first call, while this is the context storage in use; null
   * otherwise. A traced call reads its parent context from it and makes its {@link SpanScope} current in it:
   * one thread-local lookup for both, where {@code Context.current()} and {@code makeCurrent()} take two.
   */
  public static Slot slot() {
    return inUse ? slotOfThisThread() : null;
  }

  static Slot slotOfThisThread() {
    Slot slot = SLOTS.get();
    if (slot == null) {
      slot = new Slot(Thread.currentThread());
      SLOTS.set(slot);
    }
    return slot;
  }

  @Override
  public Scope attach(Context toAttach) {
    if (toAttach == null) {
      return Scope.noop(); // as the default storage: a null context is not attached
    }
    Slot slot = slotOfThisThread();
    Context before = slot.current;
    if (before == toAttach) {
      return Scope.noop();
    }
    slot.current = toAttach;
    return new SlotScope(slot, before, toAttach);
  }

  /** Weft's root context, also {@code Context.root()}'s answer through the API once its storage is this one. */
  @Override
  public Context root() {
    return EntriesContext.ROOT;
  }

  @Override
  public Context current() {
    Slot slot = SLOTS.get();
    return slot == null ? null : slot.current;
  }

  private static final class SlotScope implements Scope {
    private final Slot slot;
    private final Context before;
    private final Context attached;
    private boolean closed;

    SlotScope(Slot slot, Context before, Context attached) {
      this.slot = slot;
      this.before = before;
      this.attached = attached;
    }

    @Override
    public void close() {
      if (!closed && slot.current == attached && slot.owner == Thread.currentThread()) {
        closed = true;
        slot.current = before;
      }
    }
  }

  /** A task run with a context current; a class, not a lambda (no method-handle spin on the first one). */
  private static final class InContext implements Runnable {
    private final Context context;
    private final Runnable task;

    InContext(Context context, Runnable task) {
      this.context = context;
      this.task = task;
    }

    @Override
    public void run() {
      try (Scope scope = makeCurrent(context)) {
        task.run();
      }
    }
  }

  /** The wrapper that replaces the default storage; a class, not a lambda (no method-handle spin at premain). */
  private static final class Replace implements Function<ContextStorage, ContextStorage> {
    @Override
    public ContextStorage apply(ContextStorage defaultStorage) {
      return INSTANCE;
    }
  }
}
