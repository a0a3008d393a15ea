package io.weft.agent.logs;

import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.LoggerBuilder;
import io.opentelemetry.api.logs.LoggerProvider;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.weft.agent.export.LogQueueProcessor;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Weft's logger provider, what the log instrumentations are given instead of the SDK's: a record is one object, the
 * builder the application thread fills ({@link LeanLogRecord}), which is also what the exporters read, queued as it
 * is. The SDK's provider makes a builder, a record and a copy of it for its processor for every line, and looks the
 * scope up each time it is asked for a logger (about twice the time and bytes per line in the benchmark's log call).
 * Agent class loader.
 */
public final class LeanLoggerProvider implements LoggerProvider {

  private final Resource resource;
  private final int valueLengthLimit;
  private final int countLimit;
  private final LogQueueProcessor processor;
  private static final int KEPT = 10_000;
  private final ConcurrentHashMap<String, LeanLogger> loggers = new ConcurrentHashMap<>();

  public LeanLoggerProvider(Resource resource, int valueLengthLimit, int countLimit, LogQueueProcessor processor) {
    this.resource = resource;
    this.valueLengthLimit = valueLengthLimit;
    this.countLimit = countLimit;
    this.processor = processor;
  }

  /**
   * The logger of a scope name, kept for the next line; past {@link #KEPT} names (an application making logger names
   * up as it goes) a new one each time, so such names cannot grow the agent's memory without bound.
   */
  @Override
  public Logger get(String name) {
    LeanLogger logger = loggers.get(name);
    if (logger == null) {
      logger = new LeanLogger(this, InstrumentationScopeInfo.create(name));
      if (loggers.size() < KEPT) {
        LeanLogger raced = loggers.putIfAbsent(name, logger);
        if (raced != null) {
          logger = raced;
        }
      }
    }
    return logger;
  }

  @Override
  public LoggerBuilder loggerBuilder(String name) {
    return new Builder(this, name);
  }

  Resource resource() {
    return resource;
  }

  int valueLengthLimit() {
    return valueLengthLimit;
  }

  int countLimit() {
    return countLimit;
  }

  void emit(LeanLogRecord record) {
    processor.offer(record);
  }

  /** A logger of a scope with a version or schema, made each time (instrumentations ask once). */
  private static final class Builder implements LoggerBuilder {
    private final LeanLoggerProvider provider;
    private final String name;
    private String version;
    private String schemaUrl;

    Builder(LeanLoggerProvider provider, String name) {
      this.provider = provider;
      this.name = name;
    }

    @Override
    public LoggerBuilder setSchemaUrl(String schemaUrl) {
      this.schemaUrl = schemaUrl;
      return this;
    }

    @Override
    public LoggerBuilder setInstrumentationVersion(String version) {
      this.version = version;
      return this;
    }

    @Override
    public Logger build() {
      if (version == null && schemaUrl == null) {
        return provider.get(name);
      }
      io.opentelemetry.sdk.common.InstrumentationScopeInfoBuilder scope = InstrumentationScopeInfo.builder(name);
      if (version != null) {
        scope.setVersion(version);
      }
      if (schemaUrl != null) {
        scope.setSchemaUrl(schemaUrl);
      }
      return new LeanLogger(provider, scope.build());
    }
  }

  /** The loggers of one scope: each record it builds is a {@link LeanLogRecord}. */
  static final class LeanLogger implements Logger {
    private final LeanLoggerProvider provider;
    private final InstrumentationScopeInfo scope;

    LeanLogger(LeanLoggerProvider provider, InstrumentationScopeInfo scope) {
      this.provider = provider;
      this.scope = scope;
    }

    @Override
    public io.opentelemetry.api.logs.LogRecordBuilder logRecordBuilder() {
      return new LeanLogRecord(provider, scope);
    }
  }
}
