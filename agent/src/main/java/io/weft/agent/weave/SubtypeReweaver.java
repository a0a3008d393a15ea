package io.weft.agent.weave;

import io.weft.agent.config.WeftConfig;
import io.weft.instrumentation.InternalErrors;
import io.weft.instrumentation.Reweaver;
import java.lang.instrument.Instrumentation;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The agent's {@link Reweaver}: one daemon thread, started on the first request, that waits a moment
 * for the named types to be defined (and the classes whose loading brought them in to be defined
 * after them), finds their loaded subclasses and implementations in one pass over the loaded classes,
 * and retransforms those. A type not loaded yet (its definition still under way on a slow start) is
 * looked for once more a second later. Later subtypes need none of
 * this; their weaver knows the type by then. Requests are rare (a JAX-RS application makes one per
 * resource type), so the pass's cost, a few milliseconds per batch, stays off the application's
 * threads and out of start-up. Agent class loader.
 */
final class SubtypeReweaver implements Reweaver, Runnable {

  static final long SETTLE_NANOS = 100_000_000L;
  static final long RETRY_NANOS = 1_000_000_000L;
  private static final int MAX_PENDING = 4096;

  private final Instrumentation inst;
  private final IgnoredNames ignored;
  private final WeftConfig config;
  private final List<Pending> pending = new ArrayList<>(); // guarded by this
  private final Map<Class<?>, Boolean> reweaved = new WeakHashMap<>(); // the worker's only
  private Thread worker; // guarded by this
  private boolean full; // guarded by this

  SubtypeReweaver(Instrumentation inst, IgnoredNames ignored, WeftConfig config) {
    this.inst = inst;
    this.ignored = ignored;
    this.config = config;
  }

  @Override
  public void reweaveSubtypes(ClassLoader loader, String internalName) {
    try {
      synchronized (this) {
        if (pending.size() >= MAX_PENDING) {
          if (!full) {
            full = true;
            config.debug("more than " + MAX_PENDING + " types wait for their subtypes to be woven again; " + internalName + " and later ones are left out");
          }
          return;
        }
        pending.add(new Pending(loader, internalName.replace('/', '.'), System.nanoTime() + SETTLE_NANOS, false));
        if (worker == null) {
          worker = new Thread(this, "weft-reweave");
          worker.setDaemon(true);
          worker.start();
        } else {
          notifyAll();
        }
      }
    } catch (Throwable e) {
      InternalErrors.report("weaving subtypes again", e);
    }
  }

  @Override
  public void run() {
    try {
      while (true) {
        List<Pending> due = takeDue();
        try {
          reweave(due);
        } catch (Throwable e) {
          InternalErrors.report("weaving subtypes again", e);
        }
      }
    } catch (InterruptedException stop) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for the first requests that are due, and takes them all. */
  private synchronized List<Pending> takeDue() throws InterruptedException {
    while (true) {
      long now = System.nanoTime();
      long next = Long.MAX_VALUE;
      List<Pending> due = new ArrayList<>();
      for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
        Pending request = it.next();
        if (request.due - now <= 0) {
          due.add(request);
          it.remove();
        } else {
          next = Math.min(next, request.due - now);
        }
      }
      if (!due.isEmpty()) {
        return due;
      }
      if (next == Long.MAX_VALUE) {
        wait();
      } else {
        wait(Math.max(1, next / 1_000_000L));
      }
    }
  }

  /** One pass over the loaded classes: the requested types, then their subtypes, retransformed together. */
  void reweave(List<Pending> due) {
    long start = System.nanoTime();
    Class<?>[] loaded = inst.getAllLoadedClasses();
    Class<?>[] types = new Class<?>[due.size()];
    for (Class<?> type : loaded) {
      for (int i = 0; i < types.length; i++) {
        Pending request = due.get(i);
        if (types[i] == null && type.getClassLoader() == request.loader.get() && type.getName().equals(request.name)) {
          types[i] = type;
        }
      }
    }
    Set<Class<?>> subtypes = new LinkedHashSet<>();
    for (Class<?> candidate : loaded) {
      if (candidate.isInterface() || candidate.isArray() || candidate.isPrimitive()) {
        continue;
      }
      for (int i = 0; i < types.length; i++) {
        if (types[i] != null && types[i] != candidate && types[i].isAssignableFrom(candidate)
            && !reweaved.containsKey(candidate) && mayRetransform(candidate)) {
          subtypes.add(candidate);
        }
      }
    }
    List<Pending> again = new ArrayList<>();
    for (int i = 0; i < types.length; i++) {
      Pending request = due.get(i);
      if (types[i] == null && !request.retried && request.loader.get() != null) {
        again.add(new Pending(request.loader.get(), request.name, System.nanoTime() + RETRY_NANOS, true));
      }
    }
    if (!again.isEmpty()) {
      synchronized (this) {
        pending.addAll(again);
      }
    }
    if (subtypes.isEmpty()) {
      return;
    }
    for (Class<?> subtype : subtypes) {
      reweaved.put(subtype, Boolean.TRUE);
    }
    config.debug("weaving again " + subtypes.size() + " class(es) loaded before a type they inherit from (found among "
        + loaded.length + " in " + (System.nanoTime() - start) / 1_000_000L + " ms)");
    Installer.retransform(inst, subtypes, config);
  }

  private boolean mayRetransform(Class<?> type) {
    ClassLoader loader = type.getClassLoader();
    return loader != null && !ignored.ignoresLoader(loader) && inst.isModifiableClass(type)
        && !ignored.ignores(type.getName().replace('.', '/'));
  }

  private static final class Pending {
    final WeakReference<ClassLoader> loader;
    final String name;
    final long due;
    final boolean retried;

    Pending(ClassLoader loader, String name, long due, boolean retried) {
      this.loader = new WeakReference<>(loader);
      this.name = name;
      this.due = due;
      this.retried = retried;
    }
  }
}
