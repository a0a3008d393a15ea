package io.weft.instrumentation.runtime;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableDoubleMeasurement;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import io.weft.instrumentation.InternalErrors;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The JVM's own metrics under the stable {@code jvm.*} conventions, the set the OpenTelemetry Java agent
 * reports by default: memory per pool ({@code jvm.memory.used}, {@code .committed}, {@code .limit},
 * {@code .used_after_last_gc}), garbage collection pauses ({@code jvm.gc.duration}), platform threads by
 * daemon flag and state ({@code jvm.thread.count}), classes ({@code jvm.class.loaded}, {@code .unloaded},
 * {@code .count}) and CPU ({@code jvm.cpu.time}, {@code .count}, {@code .recent_utilization}).
 *
 * <p>Everything but the pauses is read from the management beans in the metric reader's callbacks, once per
 * collection; nothing runs between collections. A pause is recorded when the collector's notification
 * arrives, on the JVM's notification thread. Parts a runtime lacks (a trimmed image without
 * {@code jdk.management}) are left out; the rest is registered. Agent class loader.
 */
final class JvmMetrics {

  static final AttributeKey<String> MEMORY_TYPE = AttributeKey.stringKey("jvm.memory.type");
  static final AttributeKey<String> MEMORY_POOL = AttributeKey.stringKey("jvm.memory.pool.name");
  static final AttributeKey<String> GC_NAME = AttributeKey.stringKey("jvm.gc.name");
  static final AttributeKey<String> GC_ACTION = AttributeKey.stringKey("jvm.gc.action");
  static final AttributeKey<Boolean> THREAD_DAEMON = AttributeKey.booleanKey("jvm.thread.daemon");
  static final AttributeKey<String> THREAD_STATE = AttributeKey.stringKey("jvm.thread.state");
  static final AttributeKey<String> BUFFER_POOL = AttributeKey.stringKey("jvm.buffer.pool.name");
  /** The bucket advice of {@code jvm.gc.duration}. */
  static final List<Double> GC_BUCKETS = Arrays.asList(0.01, 0.1, 1.0, 10.0);

  private JvmMetrics() {}

  /**
   * Registers every instrument on {@code meter}; with {@code experimental}, also those the conventions still mark as
   * in development ({@link #registerExperimental}). Returns what could not be registered (empty when all were), for
   * the one line the caller prints.
   */
  static List<String> register(Meter meter, boolean experimental) {
    List<String> missing = register(meter);
    if (experimental) {
      registerExperimental(meter, missing);
    }
    return missing;
  }

  /**
   * What the OpenTelemetry agent adds with {@code otel.instrumentation.runtime-telemetry.emit-experimental-telemetry}:
   * {@code jvm.memory.init} per pool, the NIO buffer pools ({@code jvm.buffer.memory.used}, {@code .limit},
   * {@code jvm.buffer.count}, by {@code jvm.buffer.pool.name}: {@code direct}, {@code mapped}...), where off-heap
   * memory hides from the heap's metrics, and the machine's CPU as the JVM sees it ({@code jvm.system.cpu.utilization},
   * {@code jvm.system.cpu.load_1m}). Read in the collection's callbacks, as the rest.
   */
  static void registerExperimental(Meter meter, List<String> missing) {
    List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans();
    Attributes[] poolAttributes = poolAttributes(pools);
    meter.upDownCounterBuilder("jvm.memory.init").setUnit("By").setDescription("Measure of initial memory requested.")
        .buildWithCallback(new Memory(Memory.INIT, pools, poolAttributes));

    List<BufferPoolMXBean> buffers = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);
    Attributes[] bufferAttributes = new Attributes[buffers.size()];
    for (int i = 0; i < bufferAttributes.length; i++) {
      bufferAttributes[i] = Attributes.of(BUFFER_POOL, buffers.get(i).getName());
    }
    meter.upDownCounterBuilder("jvm.buffer.memory.used").setUnit("By").setDescription("Measure of memory used by buffers.")
        .buildWithCallback(new Buffers(Buffers.USED, buffers, bufferAttributes));
    meter.upDownCounterBuilder("jvm.buffer.memory.limit").setUnit("By").setDescription("Measure of total memory capacity of buffers.")
        .buildWithCallback(new Buffers(Buffers.LIMIT, buffers, bufferAttributes));
    meter.upDownCounterBuilder("jvm.buffer.count").setUnit("{buffer}").setDescription("Number of buffers in the pool.")
        .buildWithCallback(new Buffers(Buffers.COUNT, buffers, bufferAttributes));

    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    meter.gaugeBuilder("jvm.system.cpu.load_1m").setUnit("{run_queue_item}")
        .setDescription("Average CPU load of the whole system for the last minute as reported by the JVM.")
        .buildWithCallback(new SystemCpu(os, null));
    try {
      if (os instanceof com.sun.management.OperatingSystemMXBean) {
        meter.gaugeBuilder("jvm.system.cpu.utilization").setUnit("1")
            .setDescription("Recent CPU utilization for the whole system as reported by the JVM.")
            .buildWithCallback(new SystemCpu(os, (com.sun.management.OperatingSystemMXBean) os));
      } else {
        missing.add("jvm.system.cpu.utilization (no com.sun.management bean)");
      }
    } catch (LinkageError e) {
      missing.add("jvm.system.cpu.utilization (no jdk.management module)");
    }
  }

  /**
   * Registers the stable instruments on {@code meter}. Returns what could not be registered (empty when all
   * were), for the one line the caller prints.
   */
  static List<String> register(Meter meter) {
    List<String> missing = new ArrayList<>();
    List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans();
    Attributes[] poolAttributes = poolAttributes(pools);
    meter.upDownCounterBuilder("jvm.memory.used").setUnit("By").setDescription("Measure of memory used.")
        .buildWithCallback(new Memory(Memory.USED, pools, poolAttributes));
    meter.upDownCounterBuilder("jvm.memory.committed").setUnit("By").setDescription("Measure of memory committed.")
        .buildWithCallback(new Memory(Memory.COMMITTED, pools, poolAttributes));
    meter.upDownCounterBuilder("jvm.memory.limit").setUnit("By").setDescription("Measure of max obtainable memory.")
        .buildWithCallback(new Memory(Memory.LIMIT, pools, poolAttributes));
    meter.upDownCounterBuilder("jvm.memory.used_after_last_gc").setUnit("By")
        .setDescription("Measure of memory used, as measured after the most recent garbage collection event on this pool.")
        .buildWithCallback(new Memory(Memory.AFTER_GC, pools, poolAttributes));

    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    meter.upDownCounterBuilder("jvm.thread.count").setUnit("{thread}").setDescription("Number of executing platform threads.")
        .buildWithCallback(new Threads(threads));

    ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
    meter.counterBuilder("jvm.class.loaded").setUnit("{class}").setDescription("Number of classes loaded since JVM start.")
        .buildWithCallback(new Classes(Classes.LOADED, classes));
    meter.counterBuilder("jvm.class.unloaded").setUnit("{class}").setDescription("Number of classes unloaded since JVM start.")
        .buildWithCallback(new Classes(Classes.UNLOADED, classes));
    meter.upDownCounterBuilder("jvm.class.count").setUnit("{class}").setDescription("Number of classes currently loaded.")
        .buildWithCallback(new Classes(Classes.COUNT, classes));

    meter.upDownCounterBuilder("jvm.cpu.count").setUnit("{cpu}")
        .setDescription("Number of processors available to the Java virtual machine.")
        .buildWithCallback(new Processors());
    try {
      OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
      if (os instanceof com.sun.management.OperatingSystemMXBean) {
        com.sun.management.OperatingSystemMXBean process = (com.sun.management.OperatingSystemMXBean) os;
        meter.counterBuilder("jvm.cpu.time").ofDoubles().setUnit("s").setDescription("CPU time used by the process as reported by the JVM.")
            .buildWithCallback(new Cpu(Cpu.TIME, process));
        meter.gaugeBuilder("jvm.cpu.recent_utilization").setUnit("1")
            .setDescription("Recent CPU utilization for the process as reported by the JVM.")
            .buildWithCallback(new Cpu(Cpu.UTILIZATION, process));
      } else {
        missing.add("jvm.cpu.time and jvm.cpu.recent_utilization (no com.sun.management bean)");
      }
    } catch (LinkageError e) {
      missing.add("jvm.cpu.time and jvm.cpu.recent_utilization (no jdk.management module)");
    }

    DoubleHistogram gcDuration = meter.histogramBuilder("jvm.gc.duration").setUnit("s")
        .setDescription("Duration of JVM garbage collection actions.")
        .setExplicitBucketBoundariesAdvice(GC_BUCKETS).build();
    try {
      if (!GcPauses.listen(gcDuration)) {
        missing.add("jvm.gc.duration (the collectors send no notifications)");
      }
    } catch (LinkageError e) {
      missing.add("jvm.gc.duration (no jdk.management module)");
    }
    return missing;
  }

  /** Each pool's {@code jvm.memory.type} and {@code jvm.memory.pool.name}, in the pools' order. */
  private static Attributes[] poolAttributes(List<MemoryPoolMXBean> pools) {
    Attributes[] attributes = new Attributes[pools.size()];
    for (int i = 0; i < attributes.length; i++) {
      MemoryPoolMXBean pool = pools.get(i);
      attributes[i] = Attributes.of(MEMORY_TYPE, pool.getType() == MemoryType.HEAP ? "heap" : "non_heap", MEMORY_POOL, pool.getName());
    }
    return attributes;
  }

  /** One of the memory instruments: a point per pool. A class, as the other callbacks: no lambda to spin. */
  private static final class Memory implements Consumer<ObservableLongMeasurement> {
    static final int USED = 0;
    static final int COMMITTED = 1;
    static final int LIMIT = 2;
    static final int AFTER_GC = 3;
    static final int INIT = 4;

    private final int what;
    private final List<MemoryPoolMXBean> pools;
    private final Attributes[] attributes;

    Memory(int what, List<MemoryPoolMXBean> pools, Attributes[] attributes) {
      this.what = what;
      this.pools = pools;
      this.attributes = attributes;
    }

    @Override
    public void accept(ObservableLongMeasurement measurement) {
      for (int i = 0; i < attributes.length; i++) {
        MemoryPoolMXBean pool = pools.get(i);
        MemoryUsage usage = what == AFTER_GC ? pool.getCollectionUsage() : pool.getUsage();
        if (usage == null) {
          continue; // a pool no longer valid, or (after a collection) one no collector manages
        }
        long value = what == COMMITTED ? usage.getCommitted() : what == LIMIT ? usage.getMax()
            : what == INIT ? usage.getInit() : usage.getUsed();
        if (value >= 0) { // a limit (or an initial size) of -1 is none
          measurement.record(value, attributes[i]);
        }
      }
    }
  }

  /** {@code jvm.thread.count}: platform threads counted by daemon flag and state, from one snapshot. */
  static final class Threads implements Consumer<ObservableLongMeasurement> {
    private static final Thread.State[] STATES = Thread.State.values();
    private final ThreadMXBean threads;
    /** Per daemon flag (0: not daemon) and state. */
    private final Attributes[][] attributes = new Attributes[2][STATES.length];

    Threads(ThreadMXBean threads) {
      this.threads = threads;
      for (int daemon = 0; daemon < 2; daemon++) {
        for (Thread.State state : STATES) {
          attributes[daemon][state.ordinal()] = Attributes.of(THREAD_DAEMON, daemon == 1, THREAD_STATE, state.name().toLowerCase(Locale.ROOT));
        }
      }
    }

    @Override
    public void accept(ObservableLongMeasurement measurement) {
      long[][] counts = new long[2][STATES.length];
      for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
        if (info != null) { // a thread that ended since the ids were read
          counts[info.isDaemon() ? 1 : 0][info.getThreadState().ordinal()]++;
        }
      }
      for (int daemon = 0; daemon < 2; daemon++) {
        for (int state = 0; state < STATES.length; state++) {
          if (counts[daemon][state] > 0) {
            measurement.record(counts[daemon][state], attributes[daemon][state]);
          }
        }
      }
    }
  }

  private static final class Classes implements Consumer<ObservableLongMeasurement> {
    static final int LOADED = 0;
    static final int UNLOADED = 1;
    static final int COUNT = 2;

    private final int what;
    private final ClassLoadingMXBean classes;

    Classes(int what, ClassLoadingMXBean classes) {
      this.what = what;
      this.classes = classes;
    }

    @Override
    public void accept(ObservableLongMeasurement measurement) {
      measurement.record(what == LOADED ? classes.getTotalLoadedClassCount()
          : what == UNLOADED ? classes.getUnloadedClassCount() : classes.getLoadedClassCount());
    }
  }

  /** One of the buffer pool instruments: a point per pool ({@code direct}, {@code mapped}, ...). */
  private static final class Buffers implements Consumer<ObservableLongMeasurement> {
    static final int USED = 0;
    static final int LIMIT = 1;
    static final int COUNT = 2;

    private final int what;
    private final List<BufferPoolMXBean> pools;
    private final Attributes[] attributes;

    Buffers(int what, List<BufferPoolMXBean> pools, Attributes[] attributes) {
      this.what = what;
      this.pools = pools;
      this.attributes = attributes;
    }

    @Override
    public void accept(ObservableLongMeasurement measurement) {
      for (int i = 0; i < attributes.length; i++) {
        BufferPoolMXBean pool = pools.get(i);
        long value = what == USED ? pool.getMemoryUsed() : what == LIMIT ? pool.getTotalCapacity() : pool.getCount();
        if (value >= 0) { // -1: no estimate
          measurement.record(value, attributes[i]);
        }
      }
    }
  }

  /** The machine's CPU as the JVM sees it: the load average ({@code process} null) or the recent utilization. */
  private static final class SystemCpu implements Consumer<ObservableDoubleMeasurement> {
    private final OperatingSystemMXBean os;
    private final com.sun.management.OperatingSystemMXBean system;

    SystemCpu(OperatingSystemMXBean os, com.sun.management.OperatingSystemMXBean system) {
      this.os = os;
      this.system = system;
    }

    @Override
    @SuppressWarnings("deprecation") // getCpuLoad is its JDK 14+ name; the agent runs on 11 too
    public void accept(ObservableDoubleMeasurement measurement) {
      double value = system == null ? os.getSystemLoadAverage() : system.getSystemCpuLoad();
      if (value >= 0) { // negative: not available (yet)
        measurement.record(value);
      }
    }
  }

  private static final class Processors implements Consumer<ObservableLongMeasurement> {
    @Override
    public void accept(ObservableLongMeasurement measurement) {
      measurement.record(Runtime.getRuntime().availableProcessors());
    }
  }

  private static final class Cpu implements Consumer<ObservableDoubleMeasurement> {
    static final int TIME = 0;
    static final int UTILIZATION = 1;

    private final int what;
    private final com.sun.management.OperatingSystemMXBean process;

    Cpu(int what, com.sun.management.OperatingSystemMXBean process) {
      this.what = what;
      this.process = process;
    }

    @Override
    public void accept(ObservableDoubleMeasurement measurement) {
      if (what == TIME) {
        long nanos = process.getProcessCpuTime();
        if (nanos >= 0) { // -1: not supported here
          measurement.record(nanos / 1e9);
        }
      } else {
        double load = process.getProcessCpuLoad();
        if (load >= 0) { // negative: not available (yet)
          measurement.record(load);
        }
      }
    }
  }

  /**
   * Records each collection's duration as its notification arrives. A separate class: it is the only part
   * that names {@code com.sun.management} notification types, so a runtime without them fails here alone.
   */
  static final class GcPauses implements javax.management.NotificationListener {
    private final DoubleHistogram duration;
    /** Attribute sets by collector name and action: a handful, made once each. */
    private final Map<String, Attributes> byNameAndAction = new ConcurrentHashMap<>();

    GcPauses(DoubleHistogram duration) {
      this.duration = duration;
    }

    /** Listens to every collector that sends notifications; false when none does. */
    static boolean listen(DoubleHistogram duration) {
      GcPauses listener = new GcPauses(duration);
      boolean any = false;
      for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
        // the notifications' content is jdk.management's: without that module, none are sent (and this is a LinkageError)
        if (collector instanceof com.sun.management.GarbageCollectorMXBean && collector instanceof javax.management.NotificationEmitter) {
          ((javax.management.NotificationEmitter) collector).addNotificationListener(listener, null, null);
          any = true;
        }
      }
      return any;
    }

    @Override
    public void handleNotification(javax.management.Notification notification, Object handback) {
      try {
        if (!com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
          return;
        }
        com.sun.management.GarbageCollectionNotificationInfo info = com.sun.management.GarbageCollectionNotificationInfo
            .from((javax.management.openmbean.CompositeData) notification.getUserData());
        duration.record(info.getGcInfo().getDuration() / 1000.0, attributes(info.getGcName(), info.getGcAction()));
      } catch (RuntimeException | LinkageError e) {
        InternalErrors.report("recording a garbage collection", e); // on the JVM's notification thread: never thrown there
      }
    }

    Attributes attributes(String name, String action) {
      String key = name + '\u0000' + action;
      Attributes attributes = byNameAndAction.get(key);
      if (attributes == null) {
        attributes = Attributes.of(GC_NAME, name, GC_ACTION, action);
        byNameAndAction.put(key, attributes);
      }
      return attributes;
    }
  }
}
