package io.weft.instrumentation.logging;

import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;

import io.opentelemetry.api.OpenTelemetry;
import io.weft.bridge.LogBridge;
import io.weft.instrumentation.ClassOutline;
import io.weft.instrumentation.DebugLines;
import io.weft.instrumentation.DirectAdvice;
import io.weft.instrumentation.InstrumentationConfig;
import io.weft.instrumentation.Sieve;
import io.weft.instrumentation.TypeInstrumentation;
import io.weft.instrumentation.WeftInstrumentation;
import io.weft.instrumentation.trace.SpanPipeline;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Every event a logging library lets through its level becomes an OpenTelemetry log record, exported as {@code
 * OTEL_LOGS_EXPORTER} says: the OpenTelemetry agent's Logback, Log4j, JUL and JBoss LogManager instrumentations, with
 * their switches ({@code otel.instrumentation.logback-appender.enabled}, {@code log4j-appender}, {@code
 * java-util-logging}, {@code jboss-logmanager-appender}) and experimental settings. The one method each library funnels
 * its events through is woven by exact class name ({@link Funnel}; JUL's by the agent's own transformer), so any other
 * class costs one string comparison; what the event says is read agent side ({@link LogRecordEmitter}). Nothing is
 * woven when {@code OTEL_LOGS_EXPORTER=none}. Agent class loader.
 */
public final class LogRecords implements WeftInstrumentation {

  private static final String BRIDGE = "io/weft/bridge/LogBridge";
  private static final String LOGBACK_ATTRIBUTES = "otel.instrumentation.logback-appender.experimental-log-attributes";
  private static final String LOG4J_ATTRIBUTES = "otel.instrumentation.log4j-appender.experimental-log-attributes";
  private static final String JUL_ATTRIBUTES = "otel.instrumentation.java-util-logging.experimental-log-attributes";
  private static final String JBOSS_ATTRIBUTES = "otel.instrumentation.jboss-logmanager.experimental-log-attributes";
  private static final String JBOSS_MDC = "otel.instrumentation.jboss-logmanager.experimental.capture-mdc-attributes";
  private static final String LOGBACK_MDC = "otel.instrumentation.logback-appender.experimental.capture-mdc-attributes";
  private static final String LOG4J_MDC = "otel.instrumentation.log4j-appender.experimental.capture-mdc-attributes";
  private static final String LOGBACK_KEY_VALUES = "otel.instrumentation.logback-appender.experimental.capture-key-value-pair-attributes";
  private static final String LOGBACK_MARKERS = "otel.instrumentation.logback-appender.experimental.capture-marker-attribute";
  private static final String LOG4J_MARKERS = "otel.instrumentation.log4j-appender.experimental.capture-marker-attribute";
  private static final String LOGBACK_CODE = "otel.instrumentation.logback-appender.experimental.capture-code-attributes";
  private static final String LOG4J_CODE = "otel.instrumentation.log4j-appender.experimental.capture-code-attributes";
  private static final String LOG4J_MAP_MESSAGES = "otel.instrumentation.log4j-appender.experimental.capture-map-message-attributes";
  /** Weft's own: the least severity a record is exported with ({@code WEFT_LOGS_MIN_SEVERITY}); unset, all. */
  public static final String MIN_SEVERITY_KEY = "weft.logs.min.severity";
  private static final String[] SEVERITY_NAMES = {"trace", "debug", "info", "warn", "error", "fatal"};

  /** The switch of {@link #jul()}, the OpenTelemetry agent's. */
  public static final String JUL = "java-util-logging";
  private static final String LOGBACK = "logback-appender";
  private static final String LOG4J = "log4j-appender";
  private static final String JBOSS = "jboss-logmanager-appender";
  private static final Object lock = new Object();
  private static boolean installed; // guarded by lock: one emitter serves all the libraries

  private final String name;
  private final String[] classes; // internal names
  private final String[] methods; // name + descriptor

  private LogRecords(String name, String[] classes, String[] methods) {
    this.name = name;
    this.classes = classes;
    this.methods = methods;
  }

  /**
   * Logback: {@code ch.qos.logback.classic.Logger.callAppenders(ILoggingEvent)}, which every event that passed the
   * level and turbo filters goes through once, on the logging thread (SLF4J's and Log4j's bridges to Logback too).
   */
  public static LogRecords logback() {
    return new LogRecords(LOGBACK, new String[] {"ch/qos/logback/classic/Logger"},
        new String[] {"callAppenders(Lch/qos/logback/classic/spi/ILoggingEvent;)V"});
  }

  /**
   * Log4j 2 core: {@code Logger.logMessage(fqcn, level, marker, message, thrown)}, which the API calls once a level
   * is enabled, and {@code log(level, marker, fqcn, location, message, thrown)}, the {@code LogBuilder} path (2.13+);
   * both also on {@code AsyncLogger}, which overrides them. An event that goes from one to the other makes one record.
   * Log4j 1.2 (and reload4j), under the same switch: {@code Category.callAppenders(LoggingEvent)}, which every event
   * that passed the level goes through once, on the logging thread.
   */
  public static LogRecords log4j() {
    return new LogRecords(LOG4J,
        new String[] {"org/apache/logging/log4j/core/Logger", "org/apache/logging/log4j/core/async/AsyncLogger",
            "org/apache/log4j/Category"},
        new String[] {
            "logMessage(Ljava/lang/String;Lorg/apache/logging/log4j/Level;Lorg/apache/logging/log4j/Marker;"
                + "Lorg/apache/logging/log4j/message/Message;Ljava/lang/Throwable;)V",
            "log(Lorg/apache/logging/log4j/Level;Lorg/apache/logging/log4j/Marker;Ljava/lang/String;"
                + "Ljava/lang/StackTraceElement;Lorg/apache/logging/log4j/message/Message;Ljava/lang/Throwable;)V",
            "callAppenders(Lorg/apache/log4j/spi/LoggingEvent;)V"});
  }

  /**
   * JBoss LogManager (Quarkus, WildFly): its {@code Logger} extends JUL's but does not call JUL's {@code log(LogRecord)};
   * every call ends in {@code logRaw(ExtLogRecord)} once the level allows it. Its records are JUL records: the same
   * bridge entry, the body as JBoss formats it (printf or {@code {0}} style). The OpenTelemetry agent's switch.
   */
  public static LogRecords jbossLogManager() {
    return new LogRecords(JBOSS, new String[] {"org/jboss/logmanager/Logger"},
        new String[] {"logRaw(Lorg/jboss/logmanager/ExtLogRecord;)V"});
  }

  /**
   * {@code java.util.logging}: {@code Logger.log(LogRecord)}, which every JUL call goes through. A JDK class, which
   * the agent's type instrumentations never look at: the agent weaves it with a transformer of its own ({@link
   * #julAdvice}) and starts this instrumentation when it does. No type instrumentation here.
   */
  public static LogRecords jul() {
    return new LogRecords(JUL, new String[0], new String[0]);
  }

  /**
   * The advice of each of {@link #methods}, made with the type instrumentation rather than with this instrumentation at
   * premain (where making it loaded the weaving code): the library's arguments go to the bridge.
   */
  private DirectAdvice[] advice() {
    switch (name) {
      case LOGBACK:
        return new DirectAdvice[] {DirectAdvice.around(BRIDGE, "logback", "(Ljava/lang/Object;)Ljava/lang/Object;", "exit", 0)};
      case LOG4J:
        String log4jEnter = "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;";
        return new DirectAdvice[] {
            DirectAdvice.around(BRIDGE, "log4j", log4jEnter, "exit", DirectAdvice.THIS, 1, 2, 3, 4),
            DirectAdvice.around(BRIDGE, "log4j", log4jEnter, "exit", DirectAdvice.THIS, 0, 1, 4, 5),
            DirectAdvice.around(BRIDGE, "log4j1", "(Ljava/lang/Object;)Ljava/lang/Object;", "exit", 0)};
      case JBOSS:
        return new DirectAdvice[] {julAdvice()};
      default:
        return new DirectAdvice[0];
    }
  }

  /** The advice of JUL's {@code log(LogRecord)}: the logger and the record go to the bridge. */
  public static DirectAdvice julAdvice() {
    return DirectAdvice.around(BRIDGE, "jul", "(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;", "exit", DirectAdvice.THIS, 0);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations(InstrumentationConfig config) {
    if (!exported(config) || classes.length == 0) {
      return Collections.emptyList();
    }
    // no lambda here: each costs premain a millisecond
    return Collections.singletonList(new Funnel(classes, methods, advice(), new DebugLines(config)));
  }

  /** Its funnel classes, by exact name. */
  @Override
  public Sieve sieve(InstrumentationConfig config) {
    return Sieve.classes(classes);
  }

  /** Whether {@code OTEL_LOGS_EXPORTER} names an exporter (the default, {@code otlp}, does): not only {@code none}. */
  public static boolean exported(InstrumentationConfig config) {
    List<String> exporters = config.getList("otel.logs.exporter");
    return exporters.isEmpty() || !(exporters.size() == 1 && exporters.get(0).equalsIgnoreCase("none"));
  }

  @Override
  public void start(OpenTelemetry openTelemetry, SpanPipeline spans, InstrumentationConfig config) {
    synchronized (lock) {
      if (!installed) {
        installed = true;
        List<String> spanKeys = MdcWithSpan.from(config).keys();
        LogBridge.install(new LogRecordEmitter(openTelemetry, config.getBoolean(LOGBACK_ATTRIBUTES, false),
            config.getBoolean(LOG4J_ATTRIBUTES, false), config.getBoolean(JUL_ATTRIBUTES, false),
            ContextCapture.of(config.getList(LOGBACK_MDC), spanKeys), ContextCapture.of(config.getList(LOG4J_MDC), spanKeys))
            .withLogbackStructure(config.getBoolean(LOGBACK_KEY_VALUES, false), config.getBoolean(LOGBACK_MARKERS, false))
            .withLog4jStructure(config.getBoolean(LOG4J_MAP_MESSAGES, false), config.getBoolean(LOG4J_MARKERS, false))
            .withMinSeverity(minSeverity(config))
            .withCodeAttributes(config.getBoolean(LOGBACK_CODE, false), config.getBoolean(LOG4J_CODE, false))
            .withJboss(jbossThreadAttributes(config), ContextCapture.of(config.getList(JBOSS_MDC), spanKeys)));
      }
    }
  }

  /**
   * {@code WEFT_LOGS_MIN_SEVERITY} as a severity number: {@code trace} 1, {@code debug} 5, {@code info} 9, {@code warn}
   * 13, {@code error} 17, {@code fatal} 21 (any case); 0, every record, when unset or not one of those (one line says so).
   */
  static int minSeverity(InstrumentationConfig config) {
    String value = config.getString(MIN_SEVERITY_KEY);
    if (value == null) {
      return 0;
    }
    for (int i = 0; i < SEVERITY_NAMES.length; i++) {
      if (SEVERITY_NAMES[i].equalsIgnoreCase(value)) {
        return 1 + 4 * i;
      }
    }
    config.warn("WEFT_LOGS_MIN_SEVERITY='" + InstrumentationConfig.printable(value)
        + "' is invalid (expected trace, debug, info, warn, error or fatal); every record is exported");
    return 0;
  }

  /** JBoss LogManager's own switch when set, else JUL's (its records are JUL records, and Weft read only JUL's before). */
  static boolean jbossThreadAttributes(InstrumentationConfig config) {
    return config.getString(JBOSS_ATTRIBUTES) != null ? config.getBoolean(JBOSS_ATTRIBUTES, false) : config.getBoolean(JUL_ATTRIBUTES, false);
  }

  @Override
  public void checkSettings(InstrumentationConfig config) {
    minSeverity(config);
    if (name.equals(LOGBACK)) {
      config.getBoolean(LOGBACK_ATTRIBUTES, false);
      config.getBoolean(LOGBACK_KEY_VALUES, false);
      config.getBoolean(LOGBACK_MARKERS, false);
      config.getBoolean(LOGBACK_CODE, false);
    } else if (name.equals(LOG4J)) {
      config.getBoolean(LOG4J_ATTRIBUTES, false);
      config.getBoolean(LOG4J_MAP_MESSAGES, false);
      config.getBoolean(LOG4J_MARKERS, false);
      config.getBoolean(LOG4J_CODE, false);
    } else {
      config.getBoolean(JUL_ATTRIBUTES, false);
      jbossThreadAttributes(config); // JBoss LogManager's records are JUL records: its own setting, else JUL's
    }
  }

  /** The library's funnel classes, by exact name, woven with {@link DirectAdvice} (also when retransformed at an attach). */
  private static final class Funnel implements TypeInstrumentation, DirectAdvice.Selector {
    private final String[] classes;
    private final String[] methods;
    private final DirectAdvice[] advice;
    private final DebugLines debug;

    Funnel(String[] classes, String[] methods, DirectAdvice[] advice, DebugLines debug) {
      this.classes = classes;
      this.methods = methods;
      this.advice = advice;
      this.debug = debug;
    }

    @Override
    public boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
      String internalName = classFile.internalName();
      for (String wanted : classes) {
        if (wanted.equals(internalName)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public boolean weavesDirectly() {
      return true;
    }

    @Override
    public byte[] weaveDirectly(ClassLoader loader, ClassOutline classFile, byte[] bytes) {
      return DirectAdvice.weave(classFile.internalName(), bytes, this, debug);
    }

    @Override
    public DirectAdvice select(int access, String methodName, String descriptor) {
      if ((access & Opcodes.ACC_STATIC) != 0 || !DirectAdvice.isCode(access, methodName)) {
        return null;
      }
      for (int i = 0; i < methods.length; i++) {
        String method = methods[i];
        if (method.length() == methodName.length() + descriptor.length() && method.startsWith(methodName)
            && method.endsWith(descriptor)) {
          return advice[i];
        }
      }
      return null;
    }

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
      String[] names = new String[classes.length];
      for (int i = 0; i < classes.length; i++) {
        names[i] = classes[i].replace('/', '.');
      }
      return namedOneOf(names);
    }

    @Override
    public void transform(Advisor advisor) {
      // woven directly, also when retransformed at an attach
    }
  }
}
