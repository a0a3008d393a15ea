package io.weft.agent;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.weft.agent.config.WeftConfig;
import io.weft.agent.export.ExportPipeline;
import io.weft.agent.otel.ResourceFactory;
import io.weft.agent.otel.SdkFactory;
import io.weft.agent.weave.Installer;
import io.weft.instrumentation.InstrumentationConfig;
import io.weft.instrumentation.InternalErrors;
import io.weft.instrumentation.TypeInstrumentation;
import io.weft.instrumentation.WeftInstrumentation;
import io.weft.instrumentation.jdbc.JdbcInstrumentation;
import io.weft.instrumentation.methods.MethodsInstrumentation;
import io.weft.instrumentation.servlet.ServletInstrumentation;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The first class run inside the agent class loader. Reads the configuration, assembles the SDK on a
 * daemon thread while the weaving is installed on the caller's thread, then switches the bridges from
 * inert to live and registers the bounded flush at exit. Never throws into the host.
 */
public final class AgentStarter {

  /** Every {@code weft.*} key, so a mistyped {@code WEFT_} variable can be reported. */
  static final List<String> WEFT_KEYS = weftKeys();

  private static List<String> weftKeys() {
    List<String> keys = new ArrayList<>(Arrays.asList(
        "weft.methods.exclude", "weft.shutdown.timeout", "weft.http.sensitive.query.parameters", "weft.startup.wait"));
    keys.addAll(ExportPipeline.KEYS);
    return keys;
  }

  // JUL levels are forgotten when the logger is collected: keep it
  private static Logger sdkLogger;

  private AgentStarter() {}

  public static void start(Instrumentation inst, String agentArgs, ClassLoader agentLoader, boolean attached) {
    try {
      long startNanos = System.nanoTime();
      WeftConfig config = WeftConfig.fromSystem();
      InternalErrors.setDebug(config.debug());
      config.reportUnknownWeftSettings(WEFT_KEYS);
      String version = version();
      if (config.getBoolean("otel.sdk.disabled", false)) {
        System.err.println("[weft] Weft " + version + ": OTEL_SDK_DISABLED=true, nothing is instrumented");
        return;
      }

      List<WeftInstrumentation> enabled = new ArrayList<>();
      List<String> states = new ArrayList<>();
      boolean defaultEnabled = config.getBoolean("otel.instrumentation.common.default-enabled", true);
      for (WeftInstrumentation instrumentation : instrumentations()) {
        boolean on = config.getBoolean(
            "otel.instrumentation." + instrumentation.name() + ".enabled",
            defaultEnabled && instrumentation.enabledByDefault());
        states.add(instrumentation.name() + (on ? "" : "(off)"));
        if (on) {
          enabled.add(instrumentation);
        }
      }

      Startup startup = new Startup(config, version, enabled);
      // registered before the SDK exists, so a JVM that exits while it is still being built still flushes
      Runtime.getRuntime().addShutdownHook(new Thread(startup::flushAtExit, "weft-shutdown"));
      Thread sdkThread = new Thread(startup, "weft-start");
      sdkThread.setDaemon(true);
      sdkThread.start();

      List<TypeInstrumentation> types = new ArrayList<>();
      for (WeftInstrumentation instrumentation : enabled) {
        types.addAll(instrumentation.typeInstrumentations(config));
      }
      new Installer(config, agentLoader).install(inst, types);

      // spans of calls made right after start-up must not be lost: wait for the SDK, bounded
      long waitMillis = config.getMillis("weft.startup.wait", 10_000, true);
      if (!startup.ready.await(waitMillis, TimeUnit.MILLISECONDS)) {
        System.err.println("[weft] the OpenTelemetry SDK is not ready after " + waitMillis + " ms; the application starts, telemetry begins once it is");
      }
      if (startup.failure == null) {
        System.err.println("[weft] Weft " + version + " started in " + (System.nanoTime() - startNanos) / 1_000_000 + " ms"
            + (attached ? " (attached)" : "") + ": " + startup.describe()
            + " instrumentations=" + String.join(",", states));
      }
    } catch (Throwable failure) {
      System.err.println("[weft] the agent could not start and is off; the application runs without it: "
          + failure + (failure.getCause() != null ? " caused by " + failure.getCause() : ""));
      if (Boolean.getBoolean("otel.javaagent.debug") || "true".equalsIgnoreCase(System.getenv("OTEL_JAVAAGENT_DEBUG"))) {
        failure.printStackTrace();
      }
    }
  }

  static List<WeftInstrumentation> instrumentations() {
    return Arrays.asList(new MethodsInstrumentation(), new ServletInstrumentation(), new JdbcInstrumentation());
  }

  static String version() {
    try (InputStream in = AgentStarter.class.getResourceAsStream("/io/weft/agent/weft.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("weft.version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }

  /** Builds the SDK off the application's start-up path and switches the bridges on. */
  private static final class Startup implements Runnable {
    final CountDownLatch ready = new CountDownLatch(1);
    private final WeftConfig config;
    private final String version;
    private final List<WeftInstrumentation> instrumentations;
    private volatile String description = "";
    private volatile OpenTelemetrySdk sdk;
    private volatile ExportPipeline pipeline;
    volatile Throwable failure;

    Startup(WeftConfig config, String version, List<WeftInstrumentation> instrumentations) {
      this.config = config;
      this.version = version;
      this.instrumentations = instrumentations;
    }

    String describe() {
      return description;
    }

    @Override
    public void run() {
      try {
        if (!config.debug()) {
          // the SDK reports through java.util.logging; Weft reports export health itself, once
          sdkLogger = Logger.getLogger("io.weft.shaded.io.opentelemetry");
          sdkLogger.setLevel(Level.OFF);
        }
        Resource resource = ResourceFactory.create(config, version);
        SdkFactory factory = new SdkFactory(config);
        OpenTelemetrySdk sdk = factory.create(resource, version);
        this.pipeline = factory.pipeline();
        for (WeftInstrumentation instrumentation : instrumentations) {
          instrumentation.start(sdk, config);
        }
        this.sdk = sdk;
        // both come from the user's settings: quoted printable and bounded, so they cannot forge or flood lines
        description = "service.name=" + InstrumentationConfig.printable(String.valueOf(
                resource.getAttribute(io.opentelemetry.api.common.AttributeKey.stringKey("service.name"))))
            + " service.instance.id=" + InstrumentationConfig.printable(String.valueOf(
                resource.getAttribute(io.opentelemetry.api.common.AttributeKey.stringKey("service.instance.id"))))
            + " " + factory.summary();
      } catch (Throwable e) {
        failure = e;
        System.err.println("[weft] the OpenTelemetry SDK could not be set up, telemetry is off; the application runs on: " + e);
      } finally {
        ready.countDown();
      }
    }

    private static long millisLeft(long deadlineNanos) {
      return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    }

    /** Flushes and stops the SDK, bounded by {@code WEFT_SHUTDOWN_TIMEOUT} in all (waiting for start-up included). */
    void flushAtExit() {
      long timeoutMillis = config.getMillis("weft.shutdown.timeout", 10_000, false);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
      try {
        if (!ready.await(timeoutMillis, TimeUnit.MILLISECONDS) || sdk == null) {
          return;
        }
        // spans: encode what is queued, deliver until the deadline, keep the rest on disk or count it; then the
        // last metric collection (it only encodes into the pipeline: quick, bounded anyway) and its delivery
        OpenTelemetrySdk built = sdk;
        pipeline.close(deadline, () -> built.getSdkMeterProvider().shutdown()
            .join(Math.max(1, Math.min(2000, millisLeft(deadline))), TimeUnit.MILLISECONDS));
        CompletableResultCode done = sdk.shutdown().join(Math.max(200, millisLeft(deadline)), TimeUnit.MILLISECONDS);
        if (!done.isDone()) {
          System.err.println("[weft] gave up flushing telemetry at exit after " + timeoutMillis + " ms; what was still queued is lost");
        }
      } catch (Throwable e) {
        InternalErrors.report("shutdown flush", e);
      }
    }
  }
}
