package io.weft.instrumentation.logging;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.logs.LogRecordBuilder;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.LoggerProvider;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.weft.bridge.LogBridge;
import io.weft.instrumentation.trace.ExceptionSignal;
import io.weft.instrumentation.FaultInjection;
import io.weft.instrumentation.InternalErrors;
import io.weft.instrumentation.trace.WeftContextStorage;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Turns one Logback or Log4j event into an OpenTelemetry log record, as the OpenTelemetry agent's appender
 * instrumentations do: the logger's name is the record's instrumentation scope, the formatted message its body,
 * the library's level its severity (number and text), the event's time its timestamp, the current span its trace
 * and span ids, and a throwable the {@code exception.*} attributes; {@code thread.name} and {@code thread.id} on
 * request ({@code otel.instrumentation.<library>-appender.experimental-log-attributes}). The libraries' classes are
 * reached through method handles found once per copy of the library ({@link ClassValue}s, so no application loader
 * is held); nothing is looked up per event. Runs on the logging thread, under the span that logs. Agent class loader.
 */
final class LogRecordEmitter implements LogBridge.RecordHandler {

  private static final AttributeKey<String> EXCEPTION_TYPE = AttributeKey.stringKey("exception.type");
  private static final AttributeKey<String> EXCEPTION_MESSAGE = AttributeKey.stringKey("exception.message");
  private static final AttributeKey<String> THREAD_NAME = AttributeKey.stringKey("thread.name");
  private static final AttributeKey<Long> THREAD_ID = AttributeKey.longKey("thread.id");
  private static final AttributeKey<List<String>> LOGBACK_MARKER = AttributeKey.stringArrayKey("logback.marker");
  private static final AttributeKey<String> LOG4J_MARKER = AttributeKey.stringKey("log4j.marker");
  private static final AttributeKey<String> CODE_FUNCTION = AttributeKey.stringKey("code.function.name");
  private static final AttributeKey<String> CODE_FILE = AttributeKey.stringKey("code.file.path");
  private static final AttributeKey<Long> CODE_LINE = AttributeKey.longKey("code.line.number");

  private static final MethodType OBJECT_TO_STRING = MethodType.methodType(String.class, Object.class);
  private static final MethodType OBJECT_TO_OBJECT = MethodType.methodType(Object.class, Object.class);
  private static final MethodType OBJECT_TO_LONG = MethodType.methodType(long.class, Object.class);
  private static final MethodType OBJECT_TO_INT = MethodType.methodType(int.class, Object.class);

  private final OpenTelemetry openTelemetry;
  private final boolean logbackThreadAttributes;
  private final boolean log4jThreadAttributes;
  private final boolean julThreadAttributes;
  private final ContextCapture logbackMdc; // null: none
  private final ContextCapture log4jContext; // null: none
  private boolean logbackKeyValuePairs;
  private boolean logbackMarkers;
  private boolean log4jMapMessages;
  private boolean log4jMarkers;
  private int minSeverity;
  private boolean jbossThreadAttributes;
  private ContextCapture jbossMdc;
  private boolean logbackCode;
  private boolean log4jCode;
  private volatile LoggerProvider provider; // the SDK's, made by the first record

  LogRecordEmitter(OpenTelemetry openTelemetry, boolean logbackThreadAttributes, boolean log4jThreadAttributes,
      boolean julThreadAttributes) {
    this(openTelemetry, logbackThreadAttributes, log4jThreadAttributes, julThreadAttributes, null, null);
  }

  /**
   * The calling code's location as {@code code.function.name}, {@code code.file.path} and {@code code.line.number}: the
   * OpenTelemetry agent's experimental {@code capture-code-attributes}, off by default since it costs a walk of the
   * stack per line (Logback's caller data; for Log4j, the first frame outside the logging libraries). Called once,
   * before the emitter is installed.
   */
  LogRecordEmitter withCodeAttributes(boolean logback, boolean log4j) {
    this.logbackCode = logback;
    this.log4jCode = log4j;
    return this;
  }

  /**
   * JBoss LogManager's records (JUL records otherwise): thread attributes ({@code
   * otel.instrumentation.jboss-logmanager.experimental-log-attributes}, JUL's setting when it is not set) and the
   * record's MDC values ({@code ...jboss-logmanager.experimental.capture-mdc-attributes}, null: none). Called once,
   * before the emitter is installed.
   */
  LogRecordEmitter withJboss(boolean threadAttributes, ContextCapture mdc) {
    this.jbossThreadAttributes = threadAttributes;
    this.jbossMdc = mdc;
    return this;
  }

  /**
   * Records of a lower severity number than {@code minSeverity} are not made ({@code WEFT_LOGS_MIN_SEVERITY}): the
   * application logs them as before, the collector is spared them. 0: all. Called once, before the emitter is installed.
   */
  LogRecordEmitter withMinSeverity(int minSeverity) {
    this.minSeverity = minSeverity;
    return this;
  }

  /**
   * Logback's SLF4J 2 key-value pairs as attributes of their own keys (typed: numbers, booleans, else text), and its
   * markers' names as {@code logback.marker}: the OpenTelemetry agent's experimental settings. Called once, before the
   * emitter is installed.
   */
  LogRecordEmitter withLogbackStructure(boolean keyValuePairs, boolean markers) {
    this.logbackKeyValuePairs = keyValuePairs;
    this.logbackMarkers = markers;
    return this;
  }

  /**
   * A Log4j {@code MapMessage}'s fields as attributes of their keys (its {@code message} field, when it has one, as
   * the body), and the marker's name as {@code log4j.marker}: the OpenTelemetry agent's experimental settings.
   * Called once, before the emitter is installed.
   */
  LogRecordEmitter withLog4jStructure(boolean mapMessages, boolean markers) {
    this.log4jMapMessages = mapMessages;
    this.log4jMarkers = markers;
    return this;
  }

  /** {@code logbackMdc}, {@code log4jContext}: the context values records carry; null for none. */
  LogRecordEmitter(OpenTelemetry openTelemetry, boolean logbackThreadAttributes, boolean log4jThreadAttributes,
      boolean julThreadAttributes, ContextCapture logbackMdc, ContextCapture log4jContext) {
    this.openTelemetry = openTelemetry;
    this.logbackThreadAttributes = logbackThreadAttributes;
    this.log4jThreadAttributes = log4jThreadAttributes;
    this.julThreadAttributes = julThreadAttributes;
    this.logbackMdc = logbackMdc;
    this.log4jContext = log4jContext;
  }

  private LoggerProvider provider() {
    LoggerProvider made = provider;
    if (made == null) {
      made = openTelemetry.getLogsBridge(); // built once, by whoever asks first
      provider = made;
    }
    return made;
  }

  /** The logger of a scope name; Weft's provider keeps them per name (bounded), so nothing is kept here too. */
  private Logger logger(String name) {
    return provider().get(name);
  }


  @Override
  public void record(int library, Object a, Object b, Object c, Object d, Object e) {
    if (Thread.currentThread().getName().startsWith("weft-")) {
      return; // the agent's own threads: what the JDK logs while they export must not become more to export
    }
    if (library == LogBridge.LOGBACK) {
      logback(a);
    } else if (library == LogBridge.LOG4J) {
      log4j(a, b, c, d, e);
    } else if (library == LogBridge.JUL) {
      jul(a, b);
    } else if (library == LogBridge.LOG4J1) {
      log4j1(a);
    }
  }

  /**
   * Log4j 1.2 (or reload4j): the event as {@code Category.callAppenders} hands it to the appenders. Its levels have
   * Logback's numbers (TRACE 5000 ... ERROR 40000, FATAL 50000); the body is the rendered message; the time is the
   * event's, to the millisecond. Log4j's settings (thread attributes, code attributes, MDC capture) apply.
   */
  void log4j1(Object event) {
    try {
      FaultInjection.logRecord();
      Log4j1 access = LOG4J1.get(event.getClass());
      if (access == null) {
        return;
      }
      Object level = access.level(event);
      Severity severity = level != null ? log4j1Severity(access.levelValue(level)) : Severity.UNDEFINED_SEVERITY_NUMBER;
      LogRecordBuilder record = builder(access.loggerName(event), level, severity);
      if (record == null) {
        return;
      }
      String message = access.message(event);
      if (message != null) {
        record.setBody(message);
      }
      record.setTimestamp(access.timeStamp(event), TimeUnit.MILLISECONDS);
      Throwable thrown = access.throwable(event);
      if (thrown != null) {
        exception(record, thrown);
      }
      if (log4jThreadAttributes) {
        threadAttributes(record, access.threadName(event));
      }
      if (log4jCode) {
        StackTraceElement caller = caller();
        if (caller != null) {
          code(record, caller);
        }
      }
      Context context = WeftContextStorage.currentContext();
      if (log4jContext != null) {
        log4jContext.addTo(record, access.properties(event), Span.fromContext(context).getSpanContext());
      }
      record.setContext(context).emit();
    } catch (Throwable e) {
      InternalErrors.report("log records (Log4j 1)", e);
    }
  }

  /**
   * A record of the logger's scope with the level's severity and its own name as the text (Logback's and Log4j 1's
   * levels print their names); null when the severity is below {@code WEFT_LOGS_MIN_SEVERITY}.
   */
  private LogRecordBuilder builder(String loggerName, Object level, Severity severity) {
    if (severity.getSeverityNumber() < minSeverity) {
      return null;
    }
    LogRecordBuilder record = logger(scopeName(loggerName)).logRecordBuilder();
    if (level != null) {
      record.setSeverity(severity).setSeverityText(level.toString());
    }
    return record;
  }

  /** Log4j 1's levels (TRACE 5000 ... ERROR 40000, FATAL 50000) as severity numbers; a custom value goes to the one below it. */
  static Severity log4j1Severity(int level) {
    return level >= 50_000 ? Severity.FATAL : logbackSeverity(level);
  }

  void logback(Object event) {
    try {
      FaultInjection.logRecord();
      Logback access = LOGBACK.get(event.getClass());
      if (access == null) {
        return;
      }
      Object level = access.level(event);
      Severity severity = level != null ? logbackSeverity(access.levelValue(level)) : Severity.UNDEFINED_SEVERITY_NUMBER;
      LogRecordBuilder record = builder(access.loggerName(event), level, severity);
      if (record == null) {
        return;
      }
      String message = access.message(event);
      if (message != null) {
        record.setBody(message);
      }
      long epochNanos = access.epochNanos(event);
      if (epochNanos != 0) {
        record.setTimestamp(epochNanos, TimeUnit.NANOSECONDS);
      }
      Object proxy = access.throwableProxy(event);
      if (proxy != null) {
        Throwable thrown = access.throwable(proxy);
        if (thrown != null) {
          exception(record, thrown);
        } else {
          record.setAttribute(EXCEPTION_TYPE, access.proxyClassName(proxy));
          String proxyMessage = access.proxyMessage(proxy);
          if (proxyMessage != null) {
            record.setAttribute(EXCEPTION_MESSAGE, proxyMessage);
          }
        }
      }
      if (logbackThreadAttributes) {
        threadAttributes(record, access.threadName(event));
      }
      if (logbackCode) {
        StackTraceElement[] callers = access.callerData(event);
        if (callers != null && callers.length > 0) {
          code(record, callers[0]);
        }
      }
      if (logbackKeyValuePairs) {
        access.keyValuePairs(event, record);
      }
      if (logbackMarkers) {
        access.markers(event, record);
      }
      Context context = WeftContextStorage.currentContext();
      if (logbackMdc != null) {
        logbackMdc.addTo(record, access.mdc(event), Span.fromContext(context).getSpanContext());
      }
      record.setContext(context).emit();
    } catch (Throwable e) {
      InternalErrors.report("log records (Logback)", e); // once; the application's logging goes on
    }
  }

  void log4j(Object logger, Object level, Object marker, Object message, Object thrown) {
    try {
      FaultInjection.logRecord();
      Log4j access = LOG4J.get(logger.getClass());
      if (access == null) {
        return;
      }
      Severity severity = level != null ? log4jSeverity(access.levelValue(level)) : Severity.UNDEFINED_SEVERITY_NUMBER;
      if (severity.getSeverityNumber() < minSeverity) {
        return;
      }
      LogRecordBuilder record = logger(scopeName(access.loggerName(logger))).logRecordBuilder();
      if (level != null) {
        record.setSeverity(severity).setSeverityText(access.levelName(level));
      }
      Throwable error = thrown instanceof Throwable ? (Throwable) thrown : null;
      if (message != null) {
        Map<?, ?> fields = log4jMapMessages ? access.mapMessageData(message) : null;
        Object fieldMessage = fields != null ? fields.get("message") : null;
        String body = fieldMessage != null ? fieldMessage.toString() : access.message(message);
        if (body != null) {
          record.setBody(body);
        }
        if (fields != null) {
          for (Map.Entry<?, ?> field : fields.entrySet()) {
            if (field.getKey() != null && field.getValue() != null && !"message".equals(field.getKey())) {
              record.setAttribute(AttributeKey.stringKey(field.getKey().toString()), field.getValue().toString());
            }
          }
        }
        if (error == null) {
          error = access.messageThrowable(message);
        }
      }
      if (log4jCode) {
        StackTraceElement caller = caller();
        if (caller != null) {
          code(record, caller);
        }
      }
      if (log4jMarkers && marker != null) {
        record.setAttribute(LOG4J_MARKER, access.markerName(marker));
      }
      record.setTimestamp(Instant.now());
      if (error != null) {
        exception(record, error);
      }
      if (log4jThreadAttributes) {
        threadAttributes(record, Thread.currentThread().getName());
      }
      Context context = WeftContextStorage.currentContext();
      if (log4jContext != null) {
        log4jContext.addTo(record, access.threadContext(), Span.fromContext(context).getSpanContext());
      }
      record.setContext(context).emit();
    } catch (Throwable e) {
      InternalErrors.report("log records (Log4j)", e);
    }
  }

  /**
   * JUL: the record as the logger's handlers would see it, once the logger's level lets it through (checked here,
   * as {@code log(LogRecord)} does first; a logger's filter is the application's and is not run twice). The body is
   * the message formatted as JUL's formatters do (resource bundle, {@code {0}} parameters).
   */
  void jul(Object logger, Object record) {
    try {
      FaultInjection.logRecord();
      if (!(record instanceof LogRecord)) {
        return;
      }
      LogRecord event = (LogRecord) record;
      Level level = event.getLevel();
      JulLevelCheck access = JUL_LEVEL_CHECK.get(logger.getClass());
      if (level == null || !access.isLoggable(logger, level) || julSeverity(level.intValue()).getSeverityNumber() < minSeverity) {
        return;
      }
      // a record not named yet (JBoss LogManager names it inside logRaw) is the logger's
      String loggerName = event.getLoggerName() != null ? event.getLoggerName() : access.name(logger);
      LogRecordBuilder builder = logger(scopeName(loggerName)).logRecordBuilder();
      builder.setSeverity(julSeverity(level.intValue())).setSeverityText(level.getName());
      MethodHandle formatted = JUL_FORMATTED.get(event.getClass());
      String body = formatted != null ? (String) formatted.invokeExact((Object) event) : julBody(event);
      if (body != null) {
        builder.setBody(body);
      }
      Instant at = event.getInstant();
      builder.setTimestamp(TimeUnit.SECONDS.toNanos(at.getEpochSecond()) + at.getNano(), TimeUnit.NANOSECONDS);
      if (event.getThrown() != null) {
        exception(builder, event.getThrown());
      }
      MethodHandle jbossMdc = JBOSS_MDC.get(event.getClass());
      if (jbossMdc != null ? jbossThreadAttributes : julThreadAttributes) {
        threadAttributes(builder, Thread.currentThread().getName());
      }
      Context context = WeftContextStorage.currentContext();
      if (jbossMdc != null && this.jbossMdc != null) {
        this.jbossMdc.addTo(builder, (Map<?, ?>) jbossMdc.invokeExact((Object) event), Span.fromContext(context).getSpanContext());
      }
      builder.setContext(context).emit();
    } catch (Throwable e) {
      InternalErrors.report("log records (java.util.logging)", e);
    }
  }

  /** JBoss LogManager's {@code ExtLogRecord.getMdcCopy()}; null for any other record class (JUL's own). */
  private static final ClassValue<MethodHandle> JBOSS_MDC = new ClassValue<MethodHandle>() {
    @Override
    protected MethodHandle computeValue(Class<?> recordClass) {
      if (recordClass == LogRecord.class) {
        return null;
      }
      try {
        return MethodHandles.publicLookup().findVirtual(recordClass, "getMdcCopy", MethodType.methodType(Map.class))
            .asType(MethodType.methodType(Map.class, Object.class));
      } catch (ReflectiveOperationException | RuntimeException | LinkageError notJboss) {
        return null;
      }
    }
  };

  /**
   * A record class's own {@code getFormattedMessage()} (JBoss LogManager's {@code ExtLogRecord}, whose printf-style
   * messages JUL's formatting would leave as they are); null for JUL's own records.
   */
  private static final ClassValue<MethodHandle> JUL_FORMATTED = new ClassValue<MethodHandle>() {
    @Override
    protected MethodHandle computeValue(Class<?> recordClass) {
      if (recordClass == LogRecord.class) {
        return null;
      }
      try {
        return MethodHandles.publicLookup().findVirtual(recordClass, "getFormattedMessage", MethodType.methodType(String.class))
            .asType(OBJECT_TO_STRING);
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null; // a record of its own without one: formatted as JUL does
      }
    }
  };

  /**
   * The message as JUL's {@code Formatter.formatMessage} makes it: localized through the record's resource bundle, and
   * its parameters put in with {@code MessageFormat} when it has {@code {0}} to {@code {3}} placeholders; left as it is
   * when either fails. Not a shared formatter: that method was {@code synchronized} in some JDKs, and every logging
   * thread would take its lock.
   */
  static String julBody(LogRecord record) {
    String format = record.getMessage();
    java.util.ResourceBundle bundle = record.getResourceBundle();
    if (bundle != null && format != null) {
      try {
        format = bundle.getString(format);
      } catch (java.util.MissingResourceException | ClassCastException notThere) {
        // the key as it is, as JUL does
      }
    }
    Object[] parameters = record.getParameters();
    if (format == null || parameters == null || parameters.length == 0) {
      return format;
    }
    if (format.contains("{0") || format.contains("{1") || format.contains("{2") || format.contains("{3")) {
      try {
        return java.text.MessageFormat.format(format, parameters);
      } catch (IllegalArgumentException malformed) {
        return format;
      }
    }
    return format;
  }

  /**
   * The logger's {@code isLoggable(Level)}, found on its runtime class. The JUL logger's class is never named in
   * the agent's code: the shaded build renames every reference to it (see {@code SdkLogger}).
   */
  private static final ClassValue<JulLevelCheck> JUL_LEVEL_CHECK = new ClassValue<JulLevelCheck>() {
    @Override
    protected JulLevelCheck computeValue(Class<?> loggerClass) {
      try {
        Class<?> visible = loggerClass; // the root logger's class is private to LogManager: its public ancestor's method
        while (!java.lang.reflect.Modifier.isPublic(visible.getModifiers()) && visible.getSuperclass() != null) {
          visible = visible.getSuperclass();
        }
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        return new JulLevelCheck(lookup.findVirtual(visible, "isLoggable", MethodType.methodType(boolean.class, Level.class))
            .asType(MethodType.methodType(boolean.class, Object.class, Level.class)),
            lookup.findVirtual(visible, "getName", MethodType.methodType(String.class)).asType(OBJECT_TO_STRING));
      } catch (ReflectiveOperationException | RuntimeException e) {
        InternalErrors.report("log records: JUL logger " + loggerClass.getName() + " is unreadable", e);
        return new JulLevelCheck(null, null);
      }
    }
  };

  private static final class JulLevelCheck {
    private final MethodHandle isLoggable; // null: unreadable, nothing is recorded
    private final MethodHandle name;

    JulLevelCheck(MethodHandle isLoggable, MethodHandle name) {
      this.isLoggable = isLoggable;
      this.name = name;
    }

    boolean isLoggable(Object logger, Level level) throws Throwable {
      return isLoggable != null && (boolean) isLoggable.invokeExact(logger, level);
    }

    String name(Object logger) throws Throwable {
      return (String) name.invokeExact(logger);
    }
  }

  /** JUL's levels as severity numbers: SEVERE ERROR, WARNING WARN, INFO INFO, CONFIG DEBUG4, FINE DEBUG, FINER TRACE4, FINEST TRACE. */
  static Severity julSeverity(int level) {
    if (level >= 1000) {
      return Severity.ERROR;
    }
    if (level >= 900) {
      return Severity.WARN;
    }
    if (level >= 800) {
      return Severity.INFO;
    }
    if (level >= 700) {
      return Severity.DEBUG4;
    }
    if (level >= 500) {
      return Severity.DEBUG;
    }
    if (level >= 400) {
      return Severity.TRACE4;
    }
    return Severity.TRACE;
  }

  /** The scope of a logger's records: its name, {@code ROOT} for the root logger of Log4j and JUL (Logback's says so). */
  private static String scopeName(String name) {
    return name == null || name.isEmpty() ? "ROOT" : name;
  }

  @SuppressWarnings("deprecation") // Thread.getId: threadId() is JDK 19+
  private static void threadAttributes(LogRecordBuilder record, String threadName) {
    if (threadName != null) {
      record.setAttribute(THREAD_NAME, threadName);
    }
    record.setAttribute(THREAD_ID, Thread.currentThread().getId());
  }

  private static void code(LogRecordBuilder record, StackTraceElement frame) {
    record.setAttribute(CODE_FUNCTION, frame.getClassName() + "." + frame.getMethodName());
    if (frame.getFileName() != null) {
      record.setAttribute(CODE_FILE, frame.getFileName());
    }
    if (frame.getLineNumber() > 0) {
      record.setAttribute(CODE_LINE, (long) frame.getLineNumber());
    }
  }

  /** The first frame of the calling thread outside the logging libraries, their bridges and the agent. */
  private static StackTraceElement caller() {
    for (StackTraceElement frame : new Throwable().getStackTrace()) {
      String name = frame.getClassName();
      if (!(name.startsWith("org.apache.logging.") || name.startsWith("org.apache.log4j.") || name.startsWith("org.slf4j.")
          || name.startsWith("ch.qos.logback.")
          || name.startsWith("java.util.logging.") || name.startsWith("io.weft.bridge.") || name.startsWith("io.weft.instrumentation.")
          || name.startsWith("io.weft.agent.") || name.startsWith("java.lang.invoke."))) {
        return frame;
      }
    }
    return null;
  }

  /** The {@code exception.*} attributes; what an exception cannot say about itself is left out. */
  private static void exception(LogRecordBuilder record, Throwable thrown) {
    ExceptionSignal.exceptionAttributes(record, thrown);
  }

  /** Logback's levels (TRACE 5000 ... ERROR 40000) as severity numbers; a custom value goes to the one below it. */
  static Severity logbackSeverity(int level) {
    if (level >= 40_000) {
      return Severity.ERROR;
    }
    if (level >= 30_000) {
      return Severity.WARN;
    }
    if (level >= 20_000) {
      return Severity.INFO;
    }
    if (level >= 10_000) {
      return Severity.DEBUG;
    }
    return Severity.TRACE;
  }

  /** Log4j's levels (FATAL 100 ... TRACE 600, smaller is more severe) as severity numbers; custom ones by range. */
  static Severity log4jSeverity(int intLevel) {
    if (intLevel <= 100) {
      return Severity.FATAL;
    }
    if (intLevel <= 200) {
      return Severity.ERROR;
    }
    if (intLevel <= 300) {
      return Severity.WARN;
    }
    if (intLevel <= 400) {
      return Severity.INFO;
    }
    if (intLevel <= 500) {
      return Severity.DEBUG;
    }
    return Severity.TRACE;
  }

  /** Reads one class of Logback event; null (cached) when the class is not a Logback {@code ILoggingEvent}. */
  private static final ClassValue<Logback> LOGBACK = new LibraryReader<Logback>("Logback event") {
    @Override
    Logback read(Class<?> eventClass) throws ReflectiveOperationException {
      return new Logback(eventClass);
    }
  };

  /**
   * Handles on one class of a logging library, found once per class from its own loader; null (cached) when the class
   * cannot be read, which is reported once.
   */
  private abstract static class LibraryReader<T> extends ClassValue<T> {
    private final String what;

    LibraryReader(String what) {
      this.what = what;
    }

    abstract T read(Class<?> type) throws ReflectiveOperationException;

    @Override
    protected final T computeValue(Class<?> type) {
      try {
        return read(type);
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        InternalErrors.report("log records: " + what + " " + type.getName() + " is unreadable", e);
        return null;
      }
    }
  }

  /** Reads one class of Log4j 1 {@code LoggingEvent}; null (cached) when it is not one. */
  private static final ClassValue<Log4j1> LOG4J1 = new LibraryReader<Log4j1>("Log4j 1 event") {
    @Override
    Log4j1 read(Class<?> eventClass) throws ReflectiveOperationException {
      return new Log4j1(eventClass);
    }
  };

  /** Handles on Log4j 1's {@code LoggingEvent}, {@code Level} and {@code ThrowableInformation}, from the event's loader. */
  private static final class Log4j1 {
    private final MethodHandle loggerName;
    private final MethodHandle level;
    private final MethodHandle levelValue;
    private final MethodHandle message;
    private final MethodHandle timeStamp;
    private final MethodHandle throwableInformation;
    private final MethodHandle throwable;
    private final MethodHandle threadName;
    private final MethodHandle properties; // null before 1.2.15

    Log4j1(Class<?> event) throws ReflectiveOperationException {
      ClassLoader loader = event.getClassLoader();
      Class<?> levelClass = Class.forName("org.apache.log4j.Level", false, loader);
      Class<?> priority = Class.forName("org.apache.log4j.Priority", false, loader);
      Class<?> information = Class.forName("org.apache.log4j.spi.ThrowableInformation", false, loader);
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      loggerName = lookup.findVirtual(event, "getLoggerName", MethodType.methodType(String.class)).asType(OBJECT_TO_STRING);
      level = lookup.findVirtual(event, "getLevel", MethodType.methodType(levelClass)).asType(OBJECT_TO_OBJECT);
      levelValue = lookup.findVirtual(priority, "toInt", MethodType.methodType(int.class)).asType(OBJECT_TO_INT);
      message = lookup.findVirtual(event, "getRenderedMessage", MethodType.methodType(String.class)).asType(OBJECT_TO_STRING);
      timeStamp = lookup.findGetter(event, "timeStamp", long.class).asType(MethodType.methodType(long.class, Object.class));
      throwableInformation = lookup.findVirtual(event, "getThrowableInformation", MethodType.methodType(information))
          .asType(OBJECT_TO_OBJECT);
      throwable = lookup.findVirtual(information, "getThrowable", MethodType.methodType(Throwable.class))
          .asType(MethodType.methodType(Throwable.class, Object.class));
      threadName = lookup.findVirtual(event, "getThreadName", MethodType.methodType(String.class)).asType(OBJECT_TO_STRING);
      MethodHandle props = null;
      try {
        props = lookup.findVirtual(event, "getProperties", MethodType.methodType(Map.class))
            .asType(MethodType.methodType(Map.class, Object.class));
      } catch (NoSuchMethodException before1215) {
        // no MDC capture
      }
      properties = props;
    }

    String loggerName(Object event) throws Throwable {
      return (String) loggerName.invokeExact(event);
    }

    Object level(Object event) throws Throwable {
      return (Object) level.invokeExact(event);
    }

    int levelValue(Object level) throws Throwable {
      return (int) levelValue.invokeExact(level);
    }

    String message(Object event) throws Throwable {
      return (String) message.invokeExact(event);
    }

    long timeStamp(Object event) throws Throwable {
      return (long) timeStamp.invokeExact(event);
    }

    Throwable throwable(Object event) throws Throwable {
      Object information = (Object) throwableInformation.invokeExact(event);
      return information == null ? null : (Throwable) throwable.invokeExact(information);
    }

    String threadName(Object event) throws Throwable {
      return (String) threadName.invokeExact(event);
    }

    /** The event's MDC (a copy of the thread's, taken now), or null. */
    Map<?, ?> properties(Object event) throws Throwable {
      return properties == null ? null : (Map<?, ?>) properties.invokeExact(event);
    }
  }

  /** Reads one Log4j core {@code Logger} class and its library's levels and messages. */
  private static final ClassValue<Log4j> LOG4J = new LibraryReader<Log4j>("Log4j logger") {
    @Override
    Log4j read(Class<?> loggerClass) throws ReflectiveOperationException {
      return new Log4j(loggerClass);
    }
  };

  /** Handles on Logback's {@code ILoggingEvent}, {@code Level} and throwable proxies, from the event's loader. */
  private static final class Logback {
    private final MethodHandle loggerName;
    private final MethodHandle level;
    private final MethodHandle levelValue;
    private final MethodHandle message;
    private final MethodHandle instant; // null before Logback 1.3
    private final MethodHandle timeStamp;
    private final MethodHandle throwableProxy;
    private final MethodHandle proxyClassName;
    private final MethodHandle proxyMessage;
    private final Class<?> throwableProxyClass;
    private final MethodHandle throwable;
    private final MethodHandle threadName;
    private final MethodHandle mdc;
    private final MethodHandle callerData;
    private final MethodHandle keyValuePairs; // null before Logback 1.3
    private final MethodHandle pairKey;
    private final MethodHandle pairValue;
    private final MethodHandle markerList; // null before Logback 1.3
    private final MethodHandle marker; // the one marker of Logback 1.2
    private final MethodHandle markerName;

    Logback(Class<?> eventClass) throws ReflectiveOperationException {
      ClassLoader loader = eventClass.getClassLoader();
      Class<?> event = Class.forName("ch.qos.logback.classic.spi.ILoggingEvent", false, loader);
      if (!event.isAssignableFrom(eventClass)) {
        throw new ClassCastException(eventClass.getName() + " is not an ILoggingEvent");
      }
      Class<?> levelClass = Class.forName("ch.qos.logback.classic.Level", false, loader);
      Class<?> proxy = Class.forName("ch.qos.logback.classic.spi.IThrowableProxy", false, loader);
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      loggerName = lookup.findVirtual(event, "getLoggerName", MethodType.methodType(String.class)).asType(OBJECT_TO_STRING);
      level = lookup.findVirtual(event, "getLevel", MethodType.methodType(levelClass)).asType(OBJECT_TO_OBJECT);
      levelValue = lookup.findVirtual(levelClass, "toInt", MethodType.methodType(int.class)).asType(OBJECT_TO_INT);
      message = lookup.findVirtual(event, "getFormattedMessage", MethodType.methodType(String.class)).asType(OBJECT_TO_STRING);
      timeStamp = lookup.findVirtual(event, "getTimeStamp", MethodType.methodType(long.class)).asType(OBJECT_TO_LONG);
      MethodHandle found;
      try {
        found = lookup.findVirtual(event, "getInstant", MethodType.methodType(Instant.class)).asType(OBJECT_TO_OBJECT);
      } catch (NoSuchMethodException before13) {
        found = null;
      }
      instant = found;
      throwableProxy = lookup.findVirtual(event, "getThrowableProxy", MethodType.methodType(proxy)).asType(OBJECT_TO_OBJECT);
      proxyClassName = lookup.findVirtual(proxy, "getClassName", MethodType.methodType(String.class)).asType(OBJECT_TO_STRING);
      proxyMessage = lookup.findVirtual(proxy, "getMessage", MethodType.methodType(String.class)).asType(OBJECT_TO_STRING);
      throwableProxyClass = Class.forName("ch.qos.logback.classic.spi.ThrowableProxy", false, loader);
      throwable = lookup.findVirtual(throwableProxyClass, "getThrowable", MethodType.methodType(Throwable.class))
          .asType(MethodType.methodType(Throwable.class, Object.class));
      threadName = lookup.findVirtual(event, "getThreadName", MethodType.methodType(String.class)).asType(OBJECT_TO_STRING);
      mdc = lookup.findVirtual(event, "getMDCPropertyMap", MethodType.methodType(Map.class))
          .asType(MethodType.methodType(Map.class, Object.class));
      callerData = lookup.findVirtual(event, "getCallerData", MethodType.methodType(StackTraceElement[].class))
          .asType(MethodType.methodType(StackTraceElement[].class, Object.class));
      Class<?> markerClass = Class.forName("org.slf4j.Marker", false, loader);
      markerName = lookup.findVirtual(markerClass, "getName", MethodType.methodType(String.class)).asType(OBJECT_TO_STRING);
      MethodHandle pairs = null;
      MethodHandle key = null;
      MethodHandle value = null;
      MethodHandle markers = null;
      try {
        pairs = lookup.findVirtual(event, "getKeyValuePairs", MethodType.methodType(List.class))
            .asType(MethodType.methodType(List.class, Object.class));
        Class<?> pair = Class.forName("org.slf4j.event.KeyValuePair", false, loader);
        key = lookup.findGetter(pair, "key", String.class).asType(OBJECT_TO_STRING);
        value = lookup.findGetter(pair, "value", Object.class).asType(OBJECT_TO_OBJECT);
        markers = lookup.findVirtual(event, "getMarkerList", MethodType.methodType(List.class))
            .asType(MethodType.methodType(List.class, Object.class));
      } catch (NoSuchMethodException | NoSuchFieldException | ClassNotFoundException before13) {
        // Logback 1.2 and SLF4J 1.7: no key-value pairs, one marker
      }
      keyValuePairs = pairs;
      pairKey = key;
      pairValue = value;
      markerList = markers;
      marker = markers != null ? null
          : lookup.findVirtual(event, "getMarker", MethodType.methodType(markerClass)).asType(OBJECT_TO_OBJECT);
    }

    /** The event's SLF4J 2 key-value pairs as attributes: numbers and booleans typed, anything else as text. */
    void keyValuePairs(Object event, LogRecordBuilder record) throws Throwable {
      if (keyValuePairs == null) {
        return;
      }
      List<?> pairs = (List<?>) keyValuePairs.invokeExact(event);
      if (pairs == null) {
        return;
      }
      for (Object pair : pairs) {
        String key = (String) pairKey.invokeExact(pair);
        Object value = (Object) pairValue.invokeExact(pair);
        if (key == null || key.isEmpty() || value == null) {
          continue;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
          record.setAttribute(AttributeKey.longKey(key), ((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
          record.setAttribute(AttributeKey.doubleKey(key), ((Number) value).doubleValue());
        } else if (value instanceof Boolean) {
          record.setAttribute(AttributeKey.booleanKey(key), (Boolean) value);
        } else {
          record.setAttribute(AttributeKey.stringKey(key), String.valueOf(value));
        }
      }
    }

    /** The names of the event's markers as {@code logback.marker}. */
    void markers(Object event, LogRecordBuilder record) throws Throwable {
      List<String> names = new java.util.ArrayList<>(2);
      if (markerList != null) {
        List<?> markers = (List<?>) markerList.invokeExact(event);
        if (markers != null) {
          for (Object one : markers) {
            names.add((String) markerName.invokeExact(one));
          }
        }
      } else {
        Object one = (Object) marker.invokeExact(event);
        if (one != null) {
          names.add((String) markerName.invokeExact(one));
        }
      }
      if (!names.isEmpty()) {
        record.setAttribute(LOGBACK_MARKER, names);
      }
    }

    /** The frames of the code that logged, as Logback finds them (and keeps them in the event for its appenders). */
    StackTraceElement[] callerData(Object event) throws Throwable {
      return (StackTraceElement[]) callerData.invokeExact(event);
    }

    /** The event's MDC (with the span's ids when the MDC instrumentation is on, as an appender sees it). */
    Map<?, ?> mdc(Object event) throws Throwable {
      return (Map<?, ?>) mdc.invokeExact(event);
    }

    String loggerName(Object event) throws Throwable {
      return (String) loggerName.invokeExact(event);
    }

    Object level(Object event) throws Throwable {
      return (Object) level.invokeExact(event);
    }

    int levelValue(Object level) throws Throwable {
      return (int) levelValue.invokeExact(level);
    }

    String message(Object event) throws Throwable {
      return (String) message.invokeExact(event);
    }

    /** The event's time; Logback before 1.3 keeps milliseconds only. */
    long epochNanos(Object event) throws Throwable {
      if (instant != null) {
        Instant at = (Instant) (Object) instant.invokeExact(event);
        if (at != null) {
          return TimeUnit.SECONDS.toNanos(at.getEpochSecond()) + at.getNano();
        }
      }
      return TimeUnit.MILLISECONDS.toNanos((long) timeStamp.invokeExact(event));
    }

    Object throwableProxy(Object event) throws Throwable {
      return (Object) throwableProxy.invokeExact(event);
    }

    /** The throwable itself when the proxy holds it (not after serialization), else null. */
    Throwable throwable(Object proxy) throws Throwable {
      return throwableProxyClass.isInstance(proxy) ? (Throwable) throwable.invokeExact(proxy) : null;
    }

    String proxyClassName(Object proxy) throws Throwable {
      return (String) proxyClassName.invokeExact(proxy);
    }

    String proxyMessage(Object proxy) throws Throwable {
      return (String) proxyMessage.invokeExact(proxy);
    }

    String threadName(Object event) throws Throwable {
      return (String) threadName.invokeExact(event);
    }
  }

  /** Handles on Log4j's logger, {@code Level} and {@code Message}, from the logger's loader. */
  private static final class Log4j {
    private final MethodHandle loggerName;
    private final MethodHandle levelValue;
    private final MethodHandle levelName;
    private final MethodHandle message;
    private final MethodHandle messageThrowable;
    private final MethodHandle threadContext;
    private final MethodHandle markerName;
    private final Class<?> mapMessageClass;
    private final MethodHandle mapMessageData;

    Log4j(Class<?> loggerClass) throws ReflectiveOperationException {
      ClassLoader loader = loggerClass.getClassLoader();
      Class<?> logger = Class.forName("org.apache.logging.log4j.Logger", false, loader);
      Class<?> levelClass = Class.forName("org.apache.logging.log4j.Level", false, loader);
      Class<?> messageClass = Class.forName("org.apache.logging.log4j.message.Message", false, loader);
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      loggerName = lookup.findVirtual(logger, "getName", MethodType.methodType(String.class)).asType(OBJECT_TO_STRING);
      levelValue = lookup.findVirtual(levelClass, "intLevel", MethodType.methodType(int.class)).asType(OBJECT_TO_INT);
      levelName = lookup.findVirtual(levelClass, "name", MethodType.methodType(String.class)).asType(OBJECT_TO_STRING);
      message = lookup.findVirtual(messageClass, "getFormattedMessage", MethodType.methodType(String.class)).asType(OBJECT_TO_STRING);
      messageThrowable = lookup.findVirtual(messageClass, "getThrowable", MethodType.methodType(Throwable.class))
          .asType(MethodType.methodType(Throwable.class, Object.class));
      threadContext = lookup.findStatic(Class.forName("org.apache.logging.log4j.ThreadContext", false, loader),
          "getImmutableContext", MethodType.methodType(Map.class));
      markerName = lookup.findVirtual(Class.forName("org.apache.logging.log4j.Marker", false, loader), "getName",
          MethodType.methodType(String.class)).asType(OBJECT_TO_STRING);
      mapMessageClass = Class.forName("org.apache.logging.log4j.message.MapMessage", false, loader);
      mapMessageData = lookup.findVirtual(mapMessageClass, "getData", MethodType.methodType(Map.class))
          .asType(MethodType.methodType(Map.class, Object.class));
    }

    String markerName(Object marker) throws Throwable {
      return (String) markerName.invokeExact(marker);
    }

    /** The fields of a {@code MapMessage}; null for any other message. */
    Map<?, ?> mapMessageData(Object message) throws Throwable {
      return mapMessageClass.isInstance(message) ? (Map<?, ?>) mapMessageData.invokeExact(message) : null;
    }

    /** The logging thread's context map (the event is not built yet when the logger is called). */
    Map<?, ?> threadContext() throws Throwable {
      return (Map<?, ?>) threadContext.invokeExact();
    }

    String loggerName(Object logger) throws Throwable {
      return (String) loggerName.invokeExact(logger);
    }

    int levelValue(Object level) throws Throwable {
      return (int) levelValue.invokeExact(level);
    }

    String levelName(Object level) throws Throwable {
      return (String) levelName.invokeExact(level);
    }

    String message(Object message) throws Throwable {
      return (String) this.message.invokeExact(message);
    }

    Throwable messageThrowable(Object message) throws Throwable {
      return (Throwable) messageThrowable.invokeExact(message);
    }
  }
}
