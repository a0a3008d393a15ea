package io.weft.agent;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.weft.agent.config.WeftConfig;
import io.weft.agent.export.ExportPipeline;
import io.weft.agent.otel.ResourceFactory;
import io.weft.agent.otel.SdkFactory;
import io.weft.agent.otel.SdkLogger;
import io.weft.agent.otel.WeftTelemetry;
import io.weft.agent.weave.IgnoredNames;
import io.weft.agent.weave.DeferredTypes;
import io.weft.agent.weave.Installer;
import io.weft.agent.weave.JulWeaving;
import io.weft.agent.weave.TaskContextWeaving;
import io.weft.bridge.ContextBridge;
import io.weft.bridge.StartupGate;
import io.weft.instrumentation.FaultInjection;
import io.weft.instrumentation.InstrumentationConfig;
import io.weft.instrumentation.InternalErrors;
import io.weft.instrumentation.Sieve;
import io.weft.instrumentation.TypeInstrumentation;
import io.weft.instrumentation.WeftInstrumentation;
import io.weft.instrumentation.executors.ContextCarrier;
import io.weft.instrumentation.executors.ExecutorsInstrumentation;
import io.weft.instrumentation.jdbc.JdbcInstrumentation;
import io.weft.instrumentation.logging.LogCorrelation;
import io.weft.instrumentation.logging.LogRecords;
import io.weft.instrumentation.methods.MethodsInstrumentation;
import io.weft.instrumentation.runtime.RuntimeTelemetryInstrumentation;
import io.weft.instrumentation.servlet.ServletInstrumentation;
import io.weft.instrumentation.trace.ExceptionSignal;
import io.weft.instrumentation.trace.TelemetryResource;
import io.weft.instrumentation.trace.WeftContextStorage;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The first class run inside the agent class loader. On the caller's (premain's) thread it reads the
 * configuration, closes the bridges' {@link StartupGate}, registers the bounded flush at exit and the
 * weaving's first filter, and returns: the SDK is built on a daemon thread, which then switches the
 * bridges from waiting to live and opens the gate. Never throws into the host.
 */
public final class AgentStarter {

  /**
   * Every {@code weft.*} key, so a mistyped {@code WEFT_} variable can be reported. A holder: the export
   * pipeline's keys initialize its class, which names SDK types, and premain needs the list only when
   * some {@code WEFT_}/{@code weft.} name is set.
   */
  static final class WeftKeys {
    static final List<String> ALL = weftKeys();

    private WeftKeys() {}

    private static List<String> weftKeys() {
      List<String> keys = new ArrayList<>(Arrays.asList(
          "weft.methods.exclude", "weft.methods.metric.enabled", "weft.shutdown.timeout", "weft.http.sensitive.query.parameters", "weft.startup.wait",
          "weft.runtime.telemetry.delay", LogRecords.MIN_SEVERITY_KEY));
      keys.addAll(ExportPipeline.KEYS);
      return keys;
    }
  }

  static {
    // how AgentClassLoader.start reaches start() without reflection
    if (AgentStarter.class.getClassLoader() instanceof AgentClassLoader) {
      ((AgentClassLoader) AgentStarter.class.getClassLoader()).handOver(new Entry());
    }
  }

  private AgentStarter() {}

  public static void start(Instrumentation inst, ClassLoader agentLoader, boolean attached) {
    try {
      long startNanos = System.nanoTime();
      AgentClassLoader loader = agentLoader instanceof AgentClassLoader ? (AgentClassLoader) agentLoader : null;
      WeftConfig config = WeftConfig.fromSystem(loader == null ? Map.of() : loader.arguments());
      if (loader != null) {
        for (String problem : loader.argumentProblems()) {
          config.warn(problem);
        }
      }
      InternalErrors.setDebug(config.debug());
      if (config.hasWeftSettings()) {
        config.reportUnknownWeftSettings(WeftKeys.ALL);
      }
      config.reportUnsupportedSettings();
      if (config.getBoolean("otel.sdk.disabled", false)) {
        System.err.println("[weft] Weft " + version() + ": OTEL_SDK_DISABLED=true, nothing is instrumented");
        return;
      }

      List<WeftInstrumentation> enabled = new ArrayList<>();
      List<String> states = new ArrayList<>();
      boolean defaultEnabled = config.getBoolean("otel.instrumentation.common.default-enabled", true);
      for (WeftInstrumentation instrumentation : instrumentations()) {
        boolean on = instrumentation.enabled(config, defaultEnabled);
        states.add(instrumentation.name() + (on ? "" : "(off)"));
        if (on) {
          enabled.add(instrumentation);
        }
      }

      long waitMillis = config.getMillis("weft.startup.wait", 10_000, true);
      TaskContextWeaving taskWeaving = null;
      for (WeftInstrumentation instrumentation : enabled) {
        if (instrumentation instanceof ExecutorsInstrumentation) {
          // before the application's classes: its first task may be handed over as soon as main runs
          taskWeaving = TaskContextWeaving.install(inst, config);
        }
      }
      Startup startup = new Startup(config, enabled, states, attached, waitMillis, taskWeaving);
      for (WeftInstrumentation instrumentation : enabled) {
        if (instrumentation.name().equals(LogRecords.JUL) && LogRecords.exported(config)) {
          // a JDK class, as the task classes: woven by a transformer of its own, which starts the SDK when it weaves
          startup.julWeaving = JulWeaving.install(inst, config, new BeginAndNeed(startup, instrumentation));
        }
      }
      // registered before the SDK exists, so a JVM that exits while it is still being built still flushes
      Runtime.getRuntime().addShutdownHook(new Thread(new FlushAtExit(startup), "weft-shutdown"));
      for (WeftInstrumentation instrumentation : enabled) {
        if (instrumentation instanceof RuntimeTelemetryInstrumentation && !metricsExportOff(config)) {
          long delay = config.getMillis("weft.runtime.telemetry.delay", 5_000, true);
          Thread later = new Thread(new StartRuntimeTelemetry(startup, instrumentation, delay), "weft-runtime-telemetry");
          later.setDaemon(true);
          later.start();
        }
      }

      List<TypeInstrumentation> types = new ArrayList<>();
      Map<TypeInstrumentation, Runnable> onWoven = new IdentityHashMap<>();
      List<DeferredTypes> deferred = new ArrayList<>();
      for (WeftInstrumentation instrumentation : enabled) {
        Runnable need = new Need(startup, instrumentation);
        Sieve sieve = instrumentation.sieve(config);
        if (sieve != null) {
          deferred.add(new DeferredTypes(instrumentation, sieve, config, need)); // made on the first class it passes
          continue;
        }
        for (TypeInstrumentation type : instrumentation.typeInstrumentations(config)) {
          types.add(type);
          onWoven.put(type, need);
        }
      }
      // the SDK is built, on its own thread, once the first class is about to be woven, and each
      // instrumentation is started once it has woven a class: a JVM pays only for what it runs
      new Installer(config, agentLoader).install(inst, types, onWoven, deferred, new BeginStartup(startup));
      if (config.getChoices("otel.metrics.exporter", List.of("otlp"), WeftConfig.METRIC_EXPORTERS).contains("prometheus")) {
        // a scrape target is expected to answer from the start, not from the first woven class: built now, off premain
        startup.begin();
      }
      startup.premainNanos = System.nanoTime() - startNanos;
      config.debug("premain done in " + startup.premainNanos / 1_000_000 + " ms; the SDK is built when the first class is woven");
    } catch (Throwable failure) {
      System.err.println("[weft] the agent could not start and is off; the application runs without it: "
          + failure + (failure.getCause() != null ? " caused by " + failure.getCause() : ""));
      if (Boolean.getBoolean("otel.javaagent.debug") || "true".equalsIgnoreCase(System.getenv("OTEL_JAVAAGENT_DEBUG"))) {
        failure.printStackTrace();
      }
    }
  }

  /** No metric exporter ({@code OTEL_METRICS_EXPORTER=none}, or no value it knows): the runtime metrics' thread is not started. */
  private static boolean metricsExportOff(WeftConfig config) {
    return config.getChoices("otel.metrics.exporter", List.of("otlp"), WeftConfig.METRIC_EXPORTERS).isEmpty();
  }

  static List<WeftInstrumentation> instrumentations() {
    return Arrays.asList(new MethodsInstrumentation(), new ServletInstrumentation(), new JdbcInstrumentation(),
        new ExecutorsInstrumentation(), new RuntimeTelemetryInstrumentation(), LogCorrelation.logback(),
        LogCorrelation.log4j(), LogCorrelation.jbossLogManager(), LogCorrelation.log4j1(), LogRecords.logback(), LogRecords.log4j(), LogRecords.jul(),
        LogRecords.jbossLogManager());
  }

  static String version() {
    return buildInfo().getProperty("weft.version", "dev");
  }

  /** Weft's and the bundled SDK's versions, as the build wrote them; empty when they cannot be read. */
  static Properties buildInfo() {
    Properties properties = new Properties();
    try (InputStream in = AgentStarter.class.getResourceAsStream("/io/weft/agent/weft.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // the defaults of the callers
    }
    return properties;
  }

  /**
   * Builds the SDK off the application's threads, switches the bridges on and opens the gate. Begun
   * (once) right before the first class is woven; until the bridges are live, woven calls wait at the
   * {@link StartupGate}, at most {@code WEFT_STARTUP_WAIT}.
   *
   * <p>Only the instrumentations that have woven a class are started: those that wove before the SDK
   * existed, before the gate opens; a later one on the thread that wove its first class, before that
   * class is handed to the JVM. Either way no woven call reaches a bridge that is not live, and a JVM
   * that never loads a servlet or a JDBC driver never builds their tracers (about 10 ms of a start).
   */
  private static final class Startup implements Runnable {
    private final WeftConfig config;
    private final List<WeftInstrumentation> instrumentations;
    private boolean settingsChecked; // guarded by this
    private final List<String> states;
    private final boolean attached;
    private boolean begun; // guarded by this
    volatile long premainNanos = -1;
    private final long waitMillis;
    /** Null when tasks do not carry the context (the executors instrumentation is off, or could not weave). */
    private final TaskContextWeaving taskWeaving;
    volatile JulWeaving julWeaving; // null: JUL records are not exported
    private volatile long beginNanos;
    private volatile WeftTelemetry sdk;
    private volatile ExportPipeline pipeline;
    private volatile SdkFactory factory;
    /** Instrumentations that have woven a class, in order; started once {@link #live}. Guarded by this. */
    private final Set<WeftInstrumentation> needed = new LinkedHashSet<>();
    private boolean live; // guarded by this: the SDK is built and needed instrumentations start at once
    private boolean settled; // guarded by this: the SDK build is over, built or failed
    private static final String WOVEN = "it has woven a class";

    Startup(WeftConfig config, List<WeftInstrumentation> instrumentations, List<String> states, boolean attached, long waitMillis,
        TaskContextWeaving taskWeaving) {
      this.config = config;
      this.taskWeaving = taskWeaving;
      this.instrumentations = instrumentations;
      this.states = states;
      this.attached = attached;
      this.waitMillis = waitMillis;
    }

    /** Closes the gate and starts building the SDK; called on the thread about to weave, before it does. */
    void begin() {
      synchronized (this) {
        if (begun) {
          return;
        }
        begun = true;
      }
      beginNanos = System.nanoTime();
      Thread thread = new Thread(this, "weft-start");
      thread.setDaemon(true);
      // a thread that would wait for the SDK loads what the first call and export need meanwhile
      StartupGate.closeUntil(beginNanos + TimeUnit.MILLISECONDS.toNanos(waitMillis), thread,
          new FirstCallClasses(AgentStarter.class.getClassLoader()));
      try {
        thread.start();
      } catch (Throwable e) {
        StartupGate.open();
        System.err.println("[weft] the OpenTelemetry SDK could not be set up, telemetry is off; the application runs on: " + e);
      }
    }

    @Override
    public void run() {
      TelemetryResource resource = null;
      try {
        // what the SDK says is printed in debug mode only; Weft reports export health itself, once
        SdkLogger.verbose(config.debug());
        // before the SDK first asks for a context; here rather than in premain, whose time the application waits for
        WeftContextStorage.install();
        config.debug("the current context is kept in Weft's context storage");
        if (taskWeaving != null) {
          // before any span exists: a task handed over from now on carries the context current then
          ContextBridge.install(new ContextCarrier());
          if (attached) {
            // the task classes are all loaded already: woven calls wait for them at the gate, so the first
            // traced call after the attach hands its tasks to woven classes
            taskWeaving.retransformLoaded();
          }
        }
        JulWeaving jul = julWeaving;
        if (jul != null && attached) {
          // JUL's logger is loaded already: woven before the gate opens, so the first traced call after the attach logs
          // records (at a JVM's start it loads later, woven as it does)
          jul.retransformLoaded();
        }
        Properties build = buildInfo();
        String version = build.getProperty("weft.version", "dev");
        resource = ResourceFactory.create(config, version, build.getProperty("opentelemetry.version", "unknown"));
        SdkFactory factory = new SdkFactory(config);
        WeftTelemetry sdk = factory.create(resource, version);
        // known to the flush at exit before any bridge records into it
        this.pipeline = factory.pipeline();
        this.factory = factory;
        this.sdk = sdk;
        ExceptionSignal.configure(sdk, config); // read by the tracers as they start
        synchronized (this) {
          for (WeftInstrumentation instrumentation : needed) {
            startOne(instrumentation, WOVEN);
          }
          live = true;
        }
        long readyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beginNanos);
        FaultInjection.startLineStall();
        long premain = premainNanos;
        // after an attach the SDK is built while agentmain retransforms what is loaded: no premain time to give
        System.err.println("[weft] Weft " + version + " started" + (attached ? " (attached): " : ": premain "
            + (premain < 0 ? "?" : String.valueOf(TimeUnit.NANOSECONDS.toMillis(premain))) + " ms, ") + "SDK built in " + readyMillis + " ms"
            // both come from the user's settings: quoted printable and bounded, so they cannot forge or flood lines
            + ": service.name=" + InstrumentationConfig.printable(String.valueOf(
                resource.get(io.opentelemetry.api.common.AttributeKey.stringKey("service.name"))))
            + " service.instance.id=" + InstrumentationConfig.printable(String.valueOf(
                resource.get(io.opentelemetry.api.common.AttributeKey.stringKey("service.instance.id"))))
            + " " + factory.summary() + " instrumentations=" + String.join(",", states)
            + (config.configurationFile() != null ? " config=" + config.configurationFile() : ""));
        // before the gate opens, so that a JVM as short as a hello world still says it (one failed look-up otherwise)
        reportOpenTelemetryAgent();
        if (readyMillis > waitMillis) {
          System.err.println("[weft] the OpenTelemetry SDK took " + readyMillis + " ms, longer than WEFT_STARTUP_WAIT="
              + waitMillis + " ms; calls before it was ready were not traced");
        }
      } catch (Throwable e) {
        System.err.println("[weft] the OpenTelemetry SDK could not be set up, telemetry is off; the application runs on: " + e);
      } finally {
        StartupGate.open();
        synchronized (this) {
          settled = true;
          notifyAll();
        }
      }
      if (taskWeaving != null && !attached) {
        // at a JVM's start seldom any: looking for them asks every loaded class its name, after the gate
        taskWeaving.retransformLoaded();
      }
      ExportPipeline built = pipeline;
      if (built != null) {
        // while the application runs on: the agent's own metrics, then what the first (or exit) export needs
        try {
          factory.registerSelfTelemetry();
        } catch (Throwable e) {
          InternalErrors.report("self-telemetry", e);
        }
        checkSettingsOfUnstarted();
        built.warmUp(resource);
        prepareLogs();
      }
    }

    /**
     * The OpenTelemetry Java agent in this JVM as well (a platform's {@code JAVA_TOOL_OPTIONS} beside Weft on the command line,
     * say, while moving from one to the other): both trace every call, each in traces of its own, and the collector gets
     * everything twice. Said once; neither stops. Looked for when the SDK is built, as the first weave follows every premain:
     * that agent puts its {@code AgentInitializer} in the bootstrap loader at its premain, whichever of the two came first.
     */
    private static void reportOpenTelemetryAgent() {
      try {
        // not a literal: the jar's relocation would make it name Weft's shaded copy of io.opentelemetry
        Class.forName(IgnoredNames.unrelocated("io", "opentelemetry.javaagent.bootstrap.AgentInitializer"), false, null);
      } catch (ClassNotFoundException | LinkageError absent) {
        return;
      }
      System.err.println("[weft] the OpenTelemetry Java agent runs in this JVM too: both trace the same calls, each in traces"
          + " of its own, so the collector gets everything twice; keep one of the two -javaagent flags");
    }

    /**
     * Builds the log pipeline now, off the application's threads, when a logging library has been woven or
     * exceptions become log records: the first record would otherwise build it on the thread that logs. Never throws.
     */
    private void prepareLogs() {
      boolean logs = ExceptionSignal.asLogs();
      synchronized (this) {
        for (WeftInstrumentation instrumentation : needed) {
          logs |= instrumentation instanceof LogRecords;
        }
      }
      if (logs && sdk.logsOn()) {
        try {
          sdk.getLogsBridge();
        } catch (Throwable e) {
          InternalErrors.report("log pipeline", e);
        }
      }
    }

    /**
     * {@code instrumentation} has woven a class: started now when the SDK is built (on the weaving thread,
     * before the class is defined), else recorded for {@link #run} to start before the gate opens.
     */
    void need(WeftInstrumentation instrumentation) {
      synchronized (this) {
        if (needed.add(instrumentation) && live) {
          startOne(instrumentation, WOVEN);
        }
      }
    }

    /**
     * Starts {@code instrumentation}, which weaves nothing, on the calling thread once the SDK is built,
     * building it now if nothing woven has asked for it yet. Waits for the build (never the application).
     */
    void startWhenBuilt(WeftInstrumentation instrumentation) throws InterruptedException {
      begin();
      synchronized (this) {
        while (!settled) {
          wait();
        }
        if (!live) {
          return; // the build failed and said so
        }
      }
      startOne(instrumentation, "WEFT_RUNTIME_TELEMETRY_DELAY is over");
    }

    /**
     * Reports malformed settings of the instrumentations not started (nothing woven for them yet), once:
     * after the gate opened, or at exit when the JVM ends first.
     */
    void checkSettingsOfUnstarted() {
      synchronized (this) {
        if (settingsChecked) {
          return;
        }
        settingsChecked = true;
        for (WeftInstrumentation instrumentation : instrumentations) {
          if (!needed.contains(instrumentation)) {
            try {
              instrumentation.checkSettings(config);
            } catch (Throwable e) {
              InternalErrors.report("checking the " + instrumentation.name() + " settings", e);
            }
          }
        }
      }
    }

    /** Installs one instrumentation's tracer; a failure leaves its bridge inert and says so once. */
    private void startOne(WeftInstrumentation instrumentation, String why) {
      try {
        instrumentation.start(sdk, factory.spanPipeline(), config);
        config.debug("the " + instrumentation.name() + " instrumentation is live: " + why);
      } catch (Throwable e) {
        System.err.println("[weft] the " + instrumentation.name() + " instrumentation could not start; the calls it wove run untraced: " + e);
      }
    }

    /** Waits until the SDK build is over (built or failed, and said so), or {@code deadlineNanos}. */
    private synchronized void awaitSettled(long deadlineNanos) {
      try {
        for (long left = deadlineNanos - System.nanoTime(); !settled && left > 0; left = deadlineNanos - System.nanoTime()) {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // the flush goes on; what it waits for next sees the interrupt
      }
    }

    private static long millisLeft(long deadlineNanos) {
      return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    }

    /**
     * Flushes and stops the SDK, bounded by {@code WEFT_SHUTDOWN_TIMEOUT}. An SDK still being built has
     * recorded nothing (the bridges go live after it exists), so there is nothing to wait for.
     */
    void flushAtExit() {
      long timeoutMillis = config.getMillis("weft.shutdown.timeout", 10_000, false);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
      try {
        WeftTelemetry built = sdk;
        if (built == null) {
          return;
        }
        // a JVM that ends just as its SDK is built (its traced calls came once the tracers were live, and so waited for
        // nothing) would otherwise exit before the start-up thread, a few prints away, said "started"
        awaitSettled(Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(1)));
        // spans: encode what is queued, deliver until the deadline, keep the rest on disk or count it; while they
        // go, the agent's own instruments (registered by now unless the JVM exits right after start); then the
        // last metric collection (it only encodes into the pipeline: quick, bounded anyway) and its delivery
        pipeline.close(deadline, new SettleAtExit(this), new FlushLogs(built, deadline), new LastMetrics(built, deadline));
        CompletableResultCode done = built.shutdownTracing().join(Math.max(200, millisLeft(deadline)), TimeUnit.MILLISECONDS);
        if (!done.isDone()) {
          System.err.println("[weft] gave up flushing telemetry at exit after " + timeoutMillis + " ms; what was still queued is lost");
        }
      } catch (Throwable e) {
        InternalErrors.report("shutdown flush", e);
      }
    }
  }

  /**
   * What the exit's last metric collection needs and its spans do not: the agent's own instruments and the
   * report on the settings of instrumentations never started, both done after the gate opens unless the JVM
   * ends first. A class, not a lambda (see {@link LastMetrics}).
   */
  private static final class SettleAtExit implements Runnable {
    private final Startup startup;

    SettleAtExit(Startup startup) {
      this.startup = startup;
    }

    @Override
    public void run() {
      try {
        startup.factory.registerSelfTelemetry();
        startup.checkSettingsOfUnstarted();
      } catch (Throwable e) {
        InternalErrors.report("shutdown flush", e); // the spans' delivery and the last metrics go on
      }
    }
  }

  /** The exit flush's hand-over of the queued log records to their exporters; a class for the reason {@link LastMetrics} gives. */
  private static final class FlushLogs implements Runnable {
    private final WeftTelemetry sdk;
    private final long deadlineNanos;

    FlushLogs(WeftTelemetry sdk, long deadlineNanos) {
      this.sdk = sdk;
      this.deadlineNanos = deadlineNanos;
    }

    @Override
    public void run() {
      try {
        sdk.flushLogs(Math.max(1, Math.min(2000, Startup.millisLeft(deadlineNanos))));
      } catch (Throwable e) {
        InternalErrors.report("shutdown flush", e); // the spans' delivery and the last metrics go on
      }
    }
  }

  /**
   * The exit flush's last metric collection and its delivery. A class, not a lambda: the exit path of a
   * short-lived JVM would spin the lambda's method-handle classes, interpreted, before its last export.
   */
  private static final class LastMetrics implements Runnable {
    private final WeftTelemetry sdk;
    private final long deadlineNanos;

    LastMetrics(WeftTelemetry sdk, long deadlineNanos) {
      this.sdk = sdk;
      this.deadlineNanos = deadlineNanos;
    }

    @Override
    public void run() {
      sdk.shutdownMetrics().join(Math.max(1, Math.min(2000, Startup.millisLeft(deadlineNanos))), TimeUnit.MILLISECONDS);
    }
  }

  /** The agent's entry point, handed to the agent class loader. */
  private static final class Entry implements BiConsumer<Instrumentation, Boolean> {
    @Override
    public void accept(Instrumentation inst, Boolean attached) {
      start(inst, AgentStarter.class.getClassLoader(), attached);
    }
  }

  /**
   * What the weaving runs after one of an instrumentation's type instrumentations wove a class: asks
   * for the instrumentation to be started, once.
   */
  private static final class Need implements Runnable {
    private final Startup startup;
    private final WeftInstrumentation instrumentation;
    private volatile boolean asked;

    Need(Startup startup, WeftInstrumentation instrumentation) {
      this.startup = startup;
      this.instrumentation = instrumentation;
    }

    @Override
    public void run() {
      if (!asked) {
        startup.need(instrumentation);
        asked = true;
      }
    }
  }

  /** What JUL's weaving runs when it weaves: the SDK is built, and the instrumentation started once it is. */
  private static final class BeginAndNeed implements Runnable {
    private final Startup startup;
    private final WeftInstrumentation instrumentation;

    BeginAndNeed(Startup startup, WeftInstrumentation instrumentation) {
      this.startup = startup;
      this.instrumentation = instrumentation;
    }

    @Override
    public void run() {
      startup.begin();
      startup.need(instrumentation);
    }
  }

  /** What the weaving runs right before it weaves its first class. */
  private static final class BeginStartup implements Runnable {
    private final Startup startup;

    BeginStartup(Startup startup) {
      this.startup = startup;
    }

    @Override
    public void run() {
      startup.begin();
    }
  }

  /**
   * The runtime metrics' thread: waits {@code WEFT_RUNTIME_TELEMETRY_DELAY} after premain, then starts them
   * (their first reading of the JVM's management beans costs 50-150 ms of CPU, which a JVM's start, its
   * busiest time, and a short-lived JVM do not pay), and ends.
   */
  private static final class StartRuntimeTelemetry implements Runnable {
    private final Startup startup;
    private final WeftInstrumentation instrumentation;
    private final long delayMillis;

    StartRuntimeTelemetry(Startup startup, WeftInstrumentation instrumentation, long delayMillis) {
      this.startup = startup;
      this.instrumentation = instrumentation;
      this.delayMillis = delayMillis;
    }

    @Override
    public void run() {
      try {
        if (delayMillis > 0) {
          Thread.sleep(delayMillis);
        }
        startup.startWhenBuilt(instrumentation);
      } catch (InterruptedException e) {
        // the JVM is going down
      } catch (Throwable e) {
        InternalErrors.report("starting the JVM metrics", e);
      }
    }
  }

  /** The shutdown hook's task. */
  private static final class FlushAtExit implements Runnable {
    private final Startup startup;

    FlushAtExit(Startup startup) {
      this.startup = startup;
    }

    @Override
    public void run() {
      startup.flushAtExit();
    }
  }
}
