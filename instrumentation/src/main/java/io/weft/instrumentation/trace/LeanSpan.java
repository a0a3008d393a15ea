package io.weft.instrumentation.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributeType;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One span of Weft's own tracer: the span the instrumentation writes to, its span context and, once ended,
 * the data the exporter reads, all in one object, so a traced call allocates this and nothing else for
 * its span. Hex ids are made only when something asks for them (the exporter, on its own thread, or a child
 * span of the SDK). Written by the thread that runs the traced code, read by the exporter after
 * {@link #end()} (the span queue orders the two).
 */
public final class LeanSpan implements Span, SpanContext, ReadableSpan, SpanData {

  private static final AttributeKey<String> EXCEPTION_TYPE = AttributeKey.stringKey("exception.type");
  private static final AttributeKey<String> EXCEPTION_MESSAGE = AttributeKey.stringKey("exception.message");
  private static final AttributeKey<String> EXCEPTION_STACKTRACE = AttributeKey.stringKey("exception.stacktrace");

  private final LeanTracer tracer;
  private final SpanContext parent;
  final long traceHigh;
  final long traceLow;
  private final long spanId;
  final TraceState traceState;
  private final boolean sampled;
  final EpochClock.Anchor anchor;
  private final long startNanoTime;
  private final SpanKind kind;
  private String name;
  /** The attributes given at the start, shared between spans and never changed. */
  private Attributes base;
  /** Attributes set after the start, appended in order (a key set again replaces its value). */
  private AttributeKey<?>[] keys;
  private Object[] values;
  private int added;
  private int droppedAttributes;
  /** {@link #getAttributes()} made once, for exporters that read {@code SpanData}; Weft's encoder reads the parts. */
  private Attributes merged;
  private List<EventData> events = Collections.emptyList();
  private int totalEvents;
  private StatusData status = StatusData.unset();
  private long endNanoTime;
  private boolean ended;
  String traceIdHex;
  private String spanIdHex;

  /** The scope that made this span current; the instrumentation that started the span closes it. */
  public Scope scope;
  /** What the instrumentation that started the span keeps with it until the end (e.g. the traced method). */
  public Object owner;

  LeanSpan(LeanTracer tracer, String name, SpanKind kind, Attributes attributes, SpanContext parent,
      long traceHigh, long traceLow, String traceIdHex, long spanId, TraceState traceState, boolean sampled,
      EpochClock.Anchor anchor, long startNanoTime) {
    this.tracer = tracer;
    this.name = name;
    this.kind = kind;
    this.base = attributes;
    this.parent = parent;
    this.traceHigh = traceHigh;
    this.traceLow = traceLow;
    this.traceIdHex = traceIdHex;
    this.spanId = spanId;
    this.traceState = traceState;
    this.sampled = sampled;
    this.anchor = anchor;
    this.startNanoTime = startNanoTime;
  }

  // ---- Span: what instrumentation writes ----

  @Override
  public <T> Span setAttribute(AttributeKey<T> key, T value) {
    if (ended || !sampled || key == null || key.getKey().isEmpty() || value == null) {
      return this;
    }
    if (base.get(key) != null) {
      unshare(); // the key is in the shared set: from now on every attribute lives in this span's arrays
    }
    int index = indexOfAdded(key);
    if (index >= 0) {
      values[index] = value;
      return this;
    }
    addWithinLimit(key, value);
    return this;
  }

  /**
   * {@link #setAttribute} for instrumentation that has just started this span and knows it has no attribute
   * with {@code key} (it set only other keys on it since, and nothing else could): appended without looking
   * through those already set, which a server span's dozen attributes made a quadratic scan.
   */
  public <T> void setNewAttribute(AttributeKey<T> key, T value) {
    if (ended || !sampled || value == null) {
      return;
    }
    addWithinLimit(key, value);
  }

  /** A key the span does not have: appended, or counted as dropped past the attribute count limit. */
  private void addWithinLimit(AttributeKey<?> key, Object value) {
    if (base.size() + added >= tracer.pipeline.attributeCountLimit) {
      droppedAttributes++;
      return;
    }
    append(key, value);
    merged = null;
  }

  /**
   * Sizes the arrays for {@code count} attributes set after the start, before the first is set: a
   * server span sets about a dozen, and growing from the default eight copied both arrays on every
   * request. A hint only; nothing is limited by it.
   */
  public void expectAttributes(int count) {
    if (keys == null && count > 0 && sampled && !ended) {
      keys = new AttributeKey<?>[count];
      values = new Object[count];
    }
  }

  /**
   * Gives the span {@code shared}, an attribute set other spans (and a metric) use too, as its shared set, so the
   * exporter writes the set's bytes once and copies them into every span that has it: for instrumentation that
   * knows a span's common attributes only at its end (a server span's method, route and status, the set its
   * duration is recorded with). {@code disjoint}: the caller knows the span has none of the set's keys (nothing
   * but the caller set attributes on it, none of these), which spares the check. When the span has one of them
   * (set during the span, by the application say), a shared set already, or no room under the attribute count
   * limit, each attribute is set on its own instead, and a key the span already has keeps its value: whoever
   * set it during the span knew better.
   */
  public void shareAttributes(Attributes shared, boolean disjoint) {
    if (ended || !sampled || shared == null || shared.isEmpty()) {
      return;
    }
    if (base.isEmpty() && shared.size() + added <= tracer.pipeline.attributeCountLimit
        && (disjoint || !addedAnyOf(shared))) {
      base = shared;
      merged = null;
      return;
    }
    for (Map.Entry<AttributeKey<?>, Object> entry : shared.asMap().entrySet()) {
      AttributeKey<?> key = entry.getKey();
      if (base.get(key) == null && indexOfAdded(key) < 0) {
        @SuppressWarnings("unchecked")
        AttributeKey<Object> typed = (AttributeKey<Object>) key;
        setAttribute(typed, entry.getValue());
      }
    }
  }

  private boolean addedAnyOf(Attributes set) {
    for (int i = 0; i < added; i++) {
      if (set.get(keys[i]) != null) {
        return true;
      }
    }
    return false;
  }

  /** Where {@code key} is among the attributes set after the start, or -1. */
  private int indexOfAdded(AttributeKey<?> key) {
    // keys cache their hash: most comparisons (a new key against those already set) end at the hash
    int hash = key.hashCode();
    for (int i = 0; i < added; i++) {
      AttributeKey<?> known = keys[i];
      if (known == key || (known.hashCode() == hash && known.equals(key))) {
        return i;
      }
    }
    return -1;
  }

  private void append(AttributeKey<?> key, Object value) {
    if (keys == null) {
      keys = new AttributeKey<?>[8];
      values = new Object[8];
    } else if (added == keys.length) {
      keys = java.util.Arrays.copyOf(keys, added * 2);
      values = java.util.Arrays.copyOf(values, added * 2);
    }
    keys[added] = key;
    values[added] = value;
    added++;
  }

  private void unshare() {
    Attributes shared = base;
    base = Attributes.empty();
    shared.forEach(this::append);
  }

  // ---- what Weft's OTLP encoder reads, without making an Attributes ----

  /** The shared attributes given at the start (the encoder adds {@link #addedCount()} more). */
  public Attributes baseAttributes() {
    return base;
  }

  public int addedCount() {
    return added;
  }

  public AttributeKey<?> addedKey(int i) {
    return keys[i];
  }

  public Object addedValue(int i) {
    return values[i];
  }

  public int droppedAttributeCount() {
    return droppedAttributes;
  }

  public int attributeValueLengthLimit() {
    return tracer.pipeline.attributeValueLengthLimit;
  }

  public long traceIdHigh() {
    return traceHigh;
  }

  public long traceIdLow() {
    return traceLow;
  }

  public long spanIdLong() {
    return spanId;
  }

  /** The parent's span id, or 0 for a root; read from the parent itself when it is a lean span. */
  public long parentSpanIdLong() {
    if (!parent.isValid()) {
      return 0;
    }
    if (parent instanceof LeanSpan) {
      return ((LeanSpan) parent).spanId;
    }
    return io.opentelemetry.api.internal.OtelEncodingUtils.longFromBase16String(parent.getSpanId(), 0);
  }

  @Override
  public Span addEvent(String eventName, Attributes eventAttributes) {
    return addEvent(eventName, eventAttributes, anchor.epochNanos(System.nanoTime()));
  }

  @Override
  public Span addEvent(String eventName, Attributes eventAttributes, long timestamp, TimeUnit unit) {
    return addEvent(eventName, eventAttributes, unit.toNanos(timestamp));
  }

  private Span addEvent(String eventName, Attributes eventAttributes, long epochNanos) {
    if (ended || !sampled || eventName == null) {
      return this;
    }
    totalEvents++;
    if (events.size() >= tracer.pipeline.eventCountLimit) {
      return this;
    }
    if (events.isEmpty()) {
      events = new ArrayList<>(1);
    }
    Attributes limited = limit(eventAttributes == null ? Attributes.empty() : eventAttributes);
    events.add(EventData.create(epochNanos, eventName, limited,
        eventAttributes == null ? 0 : eventAttributes.size()));
    return this;
  }

  @Override
  public Span setStatus(StatusCode statusCode, String description) {
    if (ended || !sampled || statusCode == null || status.getStatusCode() == StatusCode.OK) {
      return this; // OK is final, as in the SDK
    }
    status = StatusData.create(statusCode, description == null ? "" : description);
    return this;
  }

  @Override
  public Span recordException(Throwable exception, Attributes additional) {
    if (ended || !sampled || exception == null) {
      return this;
    }
    AttributesBuilder builder = Attributes.builder().put(EXCEPTION_TYPE, exceptionType(exception));
    // the application's exception may fail to describe itself: what it cannot say is left out, the span still ends
    try {
      String message = exception.getMessage();
      if (message != null) {
        builder.put(EXCEPTION_MESSAGE, message);
      }
      builder.put(EXCEPTION_STACKTRACE, stackTrace(exception));
    } catch (RuntimeException | StackOverflowError unprintable) {
      // keep the type
    }
    if (additional != null) {
      builder.putAll(additional);
    }
    return addEvent("exception", builder.build());
  }

  /** {@code exception.type}: the canonical name, as the SDK gives it; an anonymous class's binary name (it has none). */
  public static String exceptionType(Throwable exception) {
    String type = exception.getClass().getCanonicalName();
    return type == null ? exception.getClass().getName() : type;
  }

  /**
   * {@code exception.stacktrace}: what {@code printStackTrace} writes; the application's throwable may throw here. The
   * last throwable's text is kept (weakly): an exception that fails several nested traced calls is written out once,
   * not once per span, which for a {@code StackOverflowError} through thousands of recursive traced calls was seconds.
   */
  public static String stackTrace(Throwable exception) {
    int suppressed = exception.getSuppressed().length; // try-with-resources may add to it on the way out
    RenderedTrace last = lastTrace;
    if (last != null && last.suppressed == suppressed && last.exception.get() == exception) {
      return last.text;
    }
    StringWriter trace = new StringWriter();
    try (PrintWriter writer = new PrintWriter(trace)) {
      exception.printStackTrace(writer);
    }
    String text = trace.toString();
    lastTrace = new RenderedTrace(exception, suppressed, text);
    return text;
  }

  /** The last {@link #stackTrace}: any thread's, replaced whole. */
  private static volatile RenderedTrace lastTrace;

  private static final class RenderedTrace {
    final java.lang.ref.WeakReference<Throwable> exception;
    final int suppressed;
    final String text;

    RenderedTrace(Throwable exception, int suppressed, String text) {
      this.exception = new java.lang.ref.WeakReference<>(exception);
      this.suppressed = suppressed;
      this.text = text;
    }
  }

  /** The throwable's message for a status description: empty when it has none or cannot give one. */
  public static String messageOf(Throwable thrown) {
    try {
      String message = thrown.getMessage();
      return message == null ? "" : message;
    } catch (RuntimeException | StackOverflowError unprintable) {
      return "";
    }
  }

  @Override
  public Span updateName(String newName) {
    if (!ended && newName != null) {
      name = newName;
    }
    return this;
  }

  @Override
  public void end() {
    endAt(System.nanoTime());
  }

  @Override
  public void end(long timestamp, TimeUnit unit) {
    if (timestamp == 0) {
      end();
      return;
    }
    endAt(startNanoTime + (unit.toNanos(timestamp) - anchor.epochNanos(startNanoTime)));
  }

  /** Ends the span at {@code nanoTime} ({@link System#nanoTime()}), handing it to the exporter if sampled. */
  public void endAt(long nanoTime) {
    if (ended) {
      return;
    }
    endNanoTime = Math.max(nanoTime, startNanoTime);
    ended = true;
    if (sampled && tracer.pipeline.endRequired) {
      tracer.pipeline.processor.onEnd(this);
    }
  }

  @Override
  public SpanContext getSpanContext() {
    return this;
  }

  @Override
  public boolean isRecording() {
    return sampled && !ended;
  }

  // ---- SpanContext ----

  @Override
  public String getTraceId() {
    String hex = traceIdHex;
    if (hex == null) {
      hex = TraceId.fromLongs(traceHigh, traceLow);
      traceIdHex = hex;
    }
    return hex;
  }

  @Override
  public String getSpanId() {
    String hex = spanIdHex;
    if (hex == null) {
      hex = SpanId.fromLong(spanId);
      spanIdHex = hex;
    }
    return hex;
  }

  @Override
  public boolean isSampled() {
    return sampled;
  }

  @Override
  public TraceFlags getTraceFlags() {
    return sampled ? TraceFlags.getSampled() : TraceFlags.getDefault();
  }

  @Override
  public TraceState getTraceState() {
    return traceState;
  }

  @Override
  public boolean isValid() {
    return true;
  }

  @Override
  public boolean isRemote() {
    return false;
  }

  // ---- ReadableSpan and SpanData: what the exporter reads ----

  @Override
  public SpanContext getParentSpanContext() {
    return parent;
  }

  @Override
  public String getParentSpanId() {
    return parent.getSpanId();
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public SpanKind getKind() {
    return kind;
  }

  @Override
  public SpanData toSpanData() {
    return this;
  }

  @Override
  public boolean hasEnded() {
    return ended;
  }

  @Override
  public long getLatencyNanos() {
    return (ended ? endNanoTime : System.nanoTime()) - startNanoTime;
  }

  @Override
  public <T> T getAttribute(AttributeKey<T> key) {
    return getAttributes().get(key);
  }

  @Override
  @SuppressWarnings("unchecked")
  public Attributes getAttributes() {
    Attributes result = merged;
    if (result == null) {
      if (added == 0) {
        result = limit(base);
      } else {
        AttributesBuilder builder = base.toBuilder();
        for (int i = 0; i < added; i++) {
          builder.put((AttributeKey<Object>) keys[i], values[i]);
        }
        result = limit(builder.build());
      }
      merged = result;
    }
    return result;
  }

  @Override
  public StatusData getStatus() {
    return status;
  }

  @Override
  public long getStartEpochNanos() {
    return anchor.epochNanos(startNanoTime);
  }

  @Override
  public long getEndEpochNanos() {
    return ended ? anchor.epochNanos(endNanoTime) : 0;
  }

  @Override
  public List<EventData> getEvents() {
    return events;
  }

  @Override
  public List<LinkData> getLinks() {
    return Collections.emptyList();
  }

  @Override
  public int getTotalRecordedEvents() {
    return totalEvents;
  }

  @Override
  public int getTotalRecordedLinks() {
    return 0;
  }

  @Override
  public int getTotalAttributeCount() {
    return base.size() + added + droppedAttributes;
  }

  /** The SDK's resource, made on the first call: Weft's encoders use {@link #telemetryResource()}. */
  @Override
  public Resource getResource() {
    return tracer.pipeline.resource.sdk();
  }

  public TelemetryResource telemetryResource() {
    return tracer.pipeline.resource;
  }

  @Override
  public InstrumentationScopeInfo getInstrumentationScopeInfo() {
    return tracer.scope;
  }

  @Override
  @SuppressWarnings("deprecation") // still abstract in the SDK's interfaces
  public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
    return InstrumentationLibraryInfo.create(tracer.scope.getName(), tracer.scope.getVersion());
  }

  /** Truncates string values to the configured length limit, as the SDK does; the same object when none is too long. */
  private Attributes limit(Attributes source) {
    int maxLength = tracer.pipeline.attributeValueLengthLimit;
    if (maxLength == Integer.MAX_VALUE) {
      return source;
    }
    boolean tooLong = false;
    for (Object value : source.asMap().values()) {
      if (value instanceof String && ((String) value).length() > maxLength) {
        tooLong = true;
        break;
      }
      if (value instanceof List) {
        for (Object item : (List<?>) value) {
          tooLong |= item instanceof String && ((String) item).length() > maxLength;
        }
      }
    }
    if (!tooLong) {
      return source;
    }
    AttributesBuilder builder = Attributes.builder();
    source.forEach((key, value) -> putLimited(builder, key, value, maxLength));
    return builder.build();
  }

  /** A string value cut to the attribute value length limit, as the SDK cuts it. */
  public static String cut(String value, int maxLength) {
    return value.length() > maxLength ? value.substring(0, maxLength) : value;
  }

  @SuppressWarnings("unchecked")
  private static void putLimited(AttributesBuilder builder, AttributeKey<?> key, Object value, int maxLength) {
    if (key.getType() == AttributeType.STRING && ((String) value).length() > maxLength) {
      builder.put((AttributeKey<String>) key, cut((String) value, maxLength));
    } else if (key.getType() == AttributeType.STRING_ARRAY) {
      List<String> cutItems = new ArrayList<>();
      for (Object item : (List<?>) value) {
        String text = (String) item;
        cutItems.add(text == null ? null : cut(text, maxLength));
      }
      builder.put((AttributeKey<List<String>>) key, cutItems);
    } else {
      builder.put((AttributeKey<Object>) key, value);
    }
  }

  @Override
  public String toString() {
    return "LeanSpan{name=" + name + ", traceId=" + getTraceId() + ", spanId=" + getSpanId() + ", sampled=" + sampled + "}";
  }
}
