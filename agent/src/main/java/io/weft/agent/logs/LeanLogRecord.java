package io.weft.agent.logs;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributeType;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.logs.LogRecordBuilder;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.data.Body;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.resources.Resource;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * One log record, filled by the thread that logs and then read by the exporters as it is: the builder and the data
 * in one object, so a line costs one record (and its attributes, when it has any). Not to be changed once emitted;
 * the API's contract already says a builder is not used after {@link #emit}. The attribute value length and count
 * limits ({@code OTEL_LOGRECORD_ATTRIBUTE_*}) apply as attributes are set. Agent class loader.
 */
@SuppressWarnings("deprecation") // Body: LogRecordData still requires it beside getBodyValue
final class LeanLogRecord implements LogRecordBuilder, LogRecordData {

  private final LeanLoggerProvider provider;
  private final InstrumentationScopeInfo scope;
  private long timestamp;
  private long observed;
  private Context context;
  private SpanContext spanContext = SpanContext.getInvalid();
  private Severity severity = Severity.UNDEFINED_SEVERITY_NUMBER;
  private String severityText;
  private Value<?> body;
  private String eventName;
  private AttributesBuilder attributesBuilder;
  private Attributes attributes = Attributes.empty();
  private int attributeCount;

  LeanLogRecord(LeanLoggerProvider provider, InstrumentationScopeInfo scope) {
    this.provider = provider;
    this.scope = scope;
  }

  @Override
  public LogRecordBuilder setTimestamp(long time, TimeUnit unit) {
    timestamp = unit.toNanos(time);
    return this;
  }

  @Override
  public LogRecordBuilder setTimestamp(Instant instant) {
    timestamp = nanos(instant);
    return this;
  }

  @Override
  public LogRecordBuilder setObservedTimestamp(long time, TimeUnit unit) {
    observed = unit.toNanos(time);
    return this;
  }

  @Override
  public LogRecordBuilder setObservedTimestamp(Instant instant) {
    observed = nanos(instant);
    return this;
  }

  private static long nanos(Instant instant) {
    return TimeUnit.SECONDS.toNanos(instant.getEpochSecond()) + instant.getNano();
  }

  @Override
  public LogRecordBuilder setContext(Context context) {
    this.context = context;
    return this;
  }

  @Override
  public LogRecordBuilder setSeverity(Severity severity) {
    this.severity = severity == null ? Severity.UNDEFINED_SEVERITY_NUMBER : severity;
    return this;
  }

  @Override
  public LogRecordBuilder setSeverityText(String severityText) {
    this.severityText = severityText;
    return this;
  }

  @Override
  public LogRecordBuilder setBody(String body) {
    this.body = body == null ? null : Value.of(body);
    return this;
  }

  @Override
  public LogRecordBuilder setBody(Value<?> body) {
    this.body = body;
    return this;
  }

  @Override
  public LogRecordBuilder setEventName(String eventName) {
    this.eventName = eventName;
    return this;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> LogRecordBuilder setAttribute(AttributeKey<T> key, T value) {
    if (key == null || key.getKey().isEmpty() || value == null) {
      return this;
    }
    if (attributeCount >= provider.countLimit()) {
      return this;
    }
    if (attributesBuilder == null) {
      attributesBuilder = Attributes.builder();
    }
    int limit = provider.valueLengthLimit();
    if (key.getType() == AttributeType.STRING && ((String) value).length() > limit) {
      value = (T) ((String) value).substring(0, limit);
    }
    attributesBuilder.put(key, value);
    attributeCount++;
    return this;
  }

  /** Queues the record; the span current in its context (or on the thread, when none was set) names it. */
  @Override
  public void emit() {
    Instant now = Instant.now();
    observed = observed == 0 ? nanos(now) : observed;
    Span span = Span.fromContextOrNull(context != null ? context : Context.current());
    if (span != null) {
      spanContext = span.getSpanContext();
    }
    context = null; // nothing of the application's is held while the record waits
    if (attributesBuilder != null) {
      attributes = attributesBuilder.build();
      attributesBuilder = null;
    }
    provider.emit(this);
  }

  @Override
  public Resource getResource() {
    return provider.resource();
  }

  @Override
  public InstrumentationScopeInfo getInstrumentationScopeInfo() {
    return scope;
  }

  @Override
  public long getTimestampEpochNanos() {
    return timestamp;
  }

  @Override
  public long getObservedTimestampEpochNanos() {
    return observed;
  }

  @Override
  public SpanContext getSpanContext() {
    return spanContext;
  }

  @Override
  public Severity getSeverity() {
    return severity;
  }

  @Override
  public String getSeverityText() {
    return severityText;
  }

  @Override
  public Body getBody() {
    return body == null ? Body.empty() : Body.string(body.asString());
  }

  @Override
  public Value<?> getBodyValue() {
    return body;
  }

  @Override
  public Attributes getAttributes() {
    return attributes;
  }

  @Override
  public int getTotalAttributeCount() {
    return attributes.size();
  }

  @Override
  public String getEventName() {
    return eventName;
  }

  @Override
  public String toString() {
    return "LeanLogRecord{scope=" + scope.getName() + ", severity=" + severity + ", body=" + body + ", span=" + spanContext + "}";
  }
}
