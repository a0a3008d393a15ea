package io.weft.agent.export;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributeType;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.exporter.internal.otlp.traces.SpanFlags;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.weft.instrumentation.trace.LeanSpan;
import io.weft.instrumentation.trace.TelemetryResource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Encodes a batch of {@link LeanSpan}s as an OTLP {@code ExportTraceServiceRequest} straight from the spans'
 * fields: ids from their longs, attributes from the shared set and the appended arrays, string values cut to
 * the configured length. No marshaler objects, hex strings or sorted attribute sets are made, which is most of
 * what the SDK's marshalers spend per span. The bytes are what the SDK's marshalers produce for the same spans
 * (fields in number order, defaults left out). Used by the batch thread only.
 */
final class LeanSpanEncoder {

  /** Spans written between two {@link #beat}s: some ten microseconds of a compiled encoder's work. */
  static final int BEAT_EVERY = 32;
  /**
   * When this encoder last wrote {@link #BEAT_EVERY} spans, or finished a request ({@link System#nanoTime}): the
   * span queue reads the batch thread's to tell an encoding batch thread from one kept off the CPU.
   */
  volatile long beat = System.nanoTime();
  private int sinceBeat;

  final ProtoWriter out = new ProtoWriter();
  private final Map<Object, byte[]> resources = new IdentityHashMap<>(); // a TelemetryResource or an SDK Resource
  private final Map<InstrumentationScopeInfo, byte[]> scopes = new IdentityHashMap<>();
  // a method's spans share its name and attribute set, and attribute keys are constants: their bytes are made once
  private final Reused names = new Reused();
  private final Reused baseAttributes = new Reused();
  private final Reused keys = new Reused();
  private final AttributeWriter attributeWriter = new AttributeWriter();

  /** Whether every span is a lean span this encoder can write (otherwise the SDK's marshalers are used). */
  static boolean accepts(List<?> spans) {
    for (Object span : spans) {
      if (!(span instanceof LeanSpan)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Encodes {@code batch} as one request into this encoder's own buffer, its first bytes ({@link #buffer}; the
   * next encoding writes over them, unless the buffer is handed over first); returns how many.
   */
  int encodeInPlace(List<?> batch) {
    out.reset();
    Map<TelemetryResource, Map<InstrumentationScopeInfo, List<LeanSpan>>> grouped = new IdentityHashMap<>(2);
    TelemetryResource lastResource = null;
    InstrumentationScopeInfo lastScope = null;
    List<LeanSpan> last = null;
    for (Object item : batch) {
      LeanSpan span = (LeanSpan) item;
      // spans come in runs of one scope (a request's, a method chain's): look the group up when the run changes
      if (span.telemetryResource() != lastResource || span.getInstrumentationScopeInfo() != lastScope) {
        lastResource = span.telemetryResource();
        lastScope = span.getInstrumentationScopeInfo();
        // no lambdas on this path: the first batch of a JVM is often encoded at its exit, and each new
        // lambda shape spins method-handle classes there (milliseconds, interpreted)
        Map<InstrumentationScopeInfo, List<LeanSpan>> byScope = grouped.get(lastResource);
        if (byScope == null) {
          byScope = new IdentityHashMap<>(4);
          grouped.put(lastResource, byScope);
        }
        last = byScope.get(lastScope);
        if (last == null) {
          last = new ArrayList<>(batch.size());
          byScope.put(lastScope, last);
        }
      }
      last.add(span);
    }
    for (Map.Entry<TelemetryResource, Map<InstrumentationScopeInfo, List<LeanSpan>>> resource : grouped.entrySet()) {
      // a request's outer messages hold the whole batch: 3 bytes of length cover up to 2 MiB without moving it
      int resourceSpans = out.beginMessage(1, 3);
      writeResource(resource.getKey(), resource.getKey().attributes()); // Weft's resources have no schema URL
      for (Map.Entry<InstrumentationScopeInfo, List<LeanSpan>> scope : resource.getValue().entrySet()) {
        int scopeSpans = out.beginMessage(2, 3);
        writeScope(scope.getKey());
        // the room for a span's length is what the scope's last span took: a scope's spans are alike (a traced
        // method's are under 128 bytes, a server span's over), so its content rarely moves (a move was a sixth of the
        // batch thread's time with small spans)
        int reserve = 2;
        for (LeanSpan span : scope.getValue()) {
          reserve = writeSpan(span, reserve);
          if (++sinceBeat == BEAT_EVERY) {
            sinceBeat = 0;
            beat = System.nanoTime();
          }
        }
        if (scope.getKey().getSchemaUrl() != null) {
          out.writeString(3, scope.getKey().getSchemaUrl(), Integer.MAX_VALUE);
        }
        out.endMessage(scopeSpans, 3);
      }
      out.endMessage(resourceSpans, 3);
    }
    beat = System.nanoTime();
    return out.position;
  }

  /** The buffer the last {@link #encodeInPlace} wrote into. */
  byte[] buffer() {
    return out.buffer;
  }

  /**
   * Gives up the buffer the last {@link #encodeInPlace} wrote into, for good, and writes into {@code replacement}
   * from now on (a new buffer when it is null).
   */
  byte[] handOver(byte[] replacement) {
    return out.handOver(replacement);
  }

  /**
   * Writes one span with {@code reserve} bytes of room for its length (it moves when it needs another size); returns
   * the size its length took, the best guess for the next span of its scope.
   */
  private int writeSpan(LeanSpan span, int reserve) {
    int limit = span.attributeValueLengthLimit();
    int message = out.beginMessage(2, reserve);
    out.writeIds(1, span.traceIdHigh(), span.traceIdLow());
    out.writeId(2, span.spanIdLong());
    TraceState state = span.getTraceState();
    if (!state.isEmpty()) {
      out.writeString(3, traceState(state), Integer.MAX_VALUE);
    }
    long parent = span.parentSpanIdLong();
    if (parent != 0) {
      out.writeId(4, parent);
    }
    String name = span.getName();
    if (name != null && !name.isEmpty()) {
      if (!out.writeReused(names, name, Integer.MAX_VALUE)) {
        int from = out.position;
        out.writeStringAlways(5, name, Integer.MAX_VALUE);
        out.offerWritten(names, name, Integer.MAX_VALUE, from);
      }
    }
    out.writeVarintField(6, kind(span.getKind()));
    out.writeFixed64(7, span.getStartEpochNanos());
    out.writeFixed64(8, span.getEndEpochNanos());
    Attributes base = span.baseAttributes();
    if (!base.isEmpty()) {
      if (!out.writeReused(baseAttributes, base, limit)) {
        int from = out.position;
        writeAttributes(9, base, limit);
        out.offerWritten(baseAttributes, base, limit, from);
      }
    }
    for (int i = 0; i < span.addedCount(); i++) {
      writeKeyValue(9, span.addedKey(i), span.addedValue(i), limit);
    }
    if (span.droppedAttributeCount() > 0) {
      out.writeVarintField(10, span.droppedAttributeCount());
    }
    List<EventData> events = span.getEvents();
    for (EventData event : events) {
      int e = out.beginMessage(11);
      out.writeFixed64(1, event.getEpochNanos());
      out.writeString(2, event.getName(), Integer.MAX_VALUE);
      writeAttributes(3, event.getAttributes(), limit);
      int droppedEventAttributes = event.getTotalAttributeCount() - event.getAttributes().size();
      if (droppedEventAttributes > 0) {
        out.writeVarintField(4, droppedEventAttributes);
      }
      out.endMessage(e);
    }
    int droppedEvents = span.getTotalRecordedEvents() - events.size();
    if (droppedEvents > 0) {
      out.writeVarintField(12, droppedEvents);
    }
    StatusData status = span.getStatus();
    int s = out.beginMessage(15); // always present, empty when unset, as the SDK writes it
    out.writeString(2, status.getDescription(), Integer.MAX_VALUE);
    out.writeVarintField(3, status.getStatusCode() == StatusCode.UNSET ? 0 : status.getStatusCode() == StatusCode.OK ? 1 : 2);
    out.endMessage(s);
    out.writeFixed32(16, SpanFlags.withParentIsRemoteFlags(span.getTraceFlags(), span.getParentSpanContext().isRemote()));
    return out.endMessage(message, reserve);
  }

  void writeAttributes(int field, Attributes attributes, int limit) {
    if (attributes.isEmpty()) {
      return;
    }
    attributeWriter.field = field;
    attributeWriter.limit = limit;
    attributes.forEach(attributeWriter);
  }

  /** Writes each attribute of a set; one per encoder, so a set costs no capturing lambda (nor its first-use spin). */
  private final class AttributeWriter implements BiConsumer<AttributeKey<?>, Object> {
    int field;
    int limit;

    @Override
    public void accept(AttributeKey<?> key, Object value) {
      writeKeyValue(field, key, value, limit);
    }
  }

  private void writeKeyValue(int field, AttributeKey<?> key, Object value, int limit) {
    int keyValue = out.beginMessage(field);
    if (!out.writeReused(keys, key, Integer.MAX_VALUE)) {
      int from = out.position;
      out.writeString(1, key.getKey(), Integer.MAX_VALUE);
      out.offerWritten(keys, key, Integer.MAX_VALUE, from);
    }
    int any = out.beginMessage(2);
    writeAnyValue(key.getType(), value, limit);
    out.endMessage(any);
    out.endMessage(keyValue);
  }

  private void writeAnyValue(AttributeType type, Object value, int limit) {
    switch (type) {
      case STRING:
        out.writeStringAlways(1, (String) value, limit);
        return;
      case BOOLEAN:
        out.writeVarintAlways(2, ((Boolean) value) ? 1 : 0);
        return;
      case LONG:
        out.writeVarintAlways(3, (Long) value);
        return;
      case DOUBLE:
        out.writeFixed64Always(4, Double.doubleToRawLongBits((Double) value));
        return;
      case STRING_ARRAY:
      case BOOLEAN_ARRAY:
      case LONG_ARRAY:
      case DOUBLE_ARRAY:
        AttributeType element = type == AttributeType.STRING_ARRAY ? AttributeType.STRING
            : type == AttributeType.BOOLEAN_ARRAY ? AttributeType.BOOLEAN
            : type == AttributeType.LONG_ARRAY ? AttributeType.LONG : AttributeType.DOUBLE;
        int array = out.beginMessage(5);
        for (Object item : (List<?>) value) {
          int any = out.beginMessage(1);
          if (item != null) {
            writeAnyValue(element, item, limit);
          }
          out.endMessage(any);
        }
        out.endMessage(array);
        return;
      default:
        // structured values: Weft's instrumentation sets none; written as their string form rather than lost
        out.writeStringAlways(1, String.valueOf(value), limit);
    }
  }

  private static int kind(SpanKind kind) {
    switch (kind) {
      case INTERNAL:
        return 1;
      case SERVER:
        return 2;
      case CLIENT:
        return 3;
      case PRODUCER:
        return 4;
      case CONSUMER:
        return 5;
      default:
        return 0;
    }
  }

  private static String traceState(TraceState state) {
    StringBuilder text = new StringBuilder();
    state.forEach((key, value) -> {
      if (text.length() > 0) {
        text.append(',');
      }
      text.append(key).append('=').append(value);
    });
    return text.toString();
  }

  /**
   * Writes the {@code resource} field of a ResourceSpans (or ResourceMetrics), its bytes made once per resource
   * ({@code identity}: a {@link TelemetryResource} or an SDK {@code Resource}, with {@code attributes}).
   * No lambdas here: the first batch of a JVM is often encoded at its exit, where each new one spins classes.
   */
  void writeResource(Object identity, Attributes attributes) {
    byte[] field = resources.get(identity);
    if (field == null) {
      field = resourceField(attributes);
      resources.put(identity, field);
    }
    out.writeRaw(field);
  }

  /** Writes the {@code scope} field of a ScopeSpans (or ScopeMetrics), its bytes made once per scope. */
  void writeScope(InstrumentationScopeInfo scope) {
    byte[] field = scopes.get(scope);
    if (field == null) {
      field = scopeField(scope);
      scopes.put(scope, field);
    }
    out.writeRaw(field);
  }

  private static byte[] resourceField(Attributes attributes) {
    LeanSpanEncoder encoder = new LeanSpanEncoder();
    int message = encoder.out.beginMessage(1);
    encoder.writeAttributes(1, attributes, Integer.MAX_VALUE);
    encoder.out.endMessage(message);
    return encoder.out.toByteArray();
  }

  private static byte[] scopeField(InstrumentationScopeInfo scope) {
    LeanSpanEncoder encoder = new LeanSpanEncoder();
    int message = encoder.out.beginMessage(1);
    encoder.out.writeString(1, scope.getName(), Integer.MAX_VALUE);
    if (scope.getVersion() != null) {
      encoder.out.writeString(2, scope.getVersion(), Integer.MAX_VALUE);
    }
    encoder.writeAttributes(3, scope.getAttributes(), Integer.MAX_VALUE);
    encoder.out.endMessage(message);
    return encoder.out.toByteArray();
  }

  /**
   * The encoded bytes of objects that come back, by identity: a direct-mapped table in which an object's bytes
   * are kept from its second sighting on, so an object made per span (a request's own name or attribute set)
   * costs one reference store and no copy. Bounded: {@value #SLOTS} entries, a newcomer replaces what shares its
   * slot. The bytes depend on the value length limit they were cut to, so that is part of the entry.
   */
  static final class Reused {
    static final int SLOTS = 512;
    private final Object[] candidates = new Object[SLOTS];
    private final Object[] owners = new Object[SLOTS];
    private final int[] limits = new int[SLOTS];
    private final byte[][] encodings = new byte[SLOTS][];

    byte[] lookup(Object owner, int limit) {
      int slot = System.identityHashCode(owner) & (SLOTS - 1);
      return owners[slot] == owner && limits[slot] == limit ? encodings[slot] : null;
    }

    /** Called with what was just encoded for {@code owner}: kept if {@code owner} was seen in this slot before. */
    void offer(Object owner, int limit, byte[] buffer, int from, int to) {
      int slot = System.identityHashCode(owner) & (SLOTS - 1);
      if (candidates[slot] == owner) {
        owners[slot] = owner;
        limits[slot] = limit;
        encodings[slot] = Arrays.copyOfRange(buffer, from, to);
      } else {
        candidates[slot] = owner;
      }
    }
  }

  /**
   * Protobuf wire format into one growing array. A nested message reserves one byte for its length and moves
   * its content when the length needs more, so nothing is measured twice and nothing is copied for the common
   * small message.
   *
   * <p>Fixed-width values are written byte by byte, not through {@code MethodHandles.byteArrayViewVarHandle}:
   * on Java 17 the first use of such a handle costs 13-22 ms, and the first export of a short-lived JVM
   * waits for it. Only the export thread writes here, so the few extra stores cost the application nothing.
   */
  static final class ProtoWriter {
    static final int INITIAL = 64 * 1024;
    private byte[] buffer = new byte[INITIAL];
    private int position;

    void reset() {
      position = 0;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buffer, position);
    }

    byte[] handOver(byte[] replacement) {
      byte[] written = buffer;
      buffer = replacement != null ? replacement : new byte[INITIAL];
      position = 0;
      return written;
    }

    private void ensure(int more) {
      if (position + more > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, position + more));
      }
    }

    private void tag(int field, int wireType) {
      varint((field << 3) | wireType);
    }

    private void varint(long value) {
      ensure(10);
      while ((value & ~0x7FL) != 0) {
        buffer[position++] = (byte) ((value & 0x7F) | 0x80);
        value >>>= 7;
      }
      buffer[position++] = (byte) value;
    }

    private void fixed64(long value) {
      ensure(8);
      byte[] to = buffer;
      int at = position;
      for (int i = 0; i < 8; i++) {
        to[at + i] = (byte) (value >>> (8 * i));
      }
      position = at + 8;
    }

    /** Starts a length-delimited field expected under 128 bytes; returns what {@link #endMessage} needs. */
    int beginMessage(int field) {
      return beginMessage(field, 1);
    }

    /**
     * Starts a length-delimited field with room for a length of {@code reserve} bytes (a varint of 2 holds up to
     * 16 KiB, of 3 up to 2 MiB). The length is written at the end, in as few bytes as it takes, as protobuf
     * writes it: when that is not the room reserved, the content moves, so the room should fit the usual size.
     * Returns what {@link #endMessage(int, int)} needs, with the same {@code reserve}.
     */
    int beginMessage(int field, int reserve) {
      tag(field, 2);
      ensure(reserve);
      int lengthAt = position;
      position += reserve;
      return lengthAt;
    }

    void endMessage(int lengthAt) {
      endMessage(lengthAt, 1);
    }

    /** Writes the length of the message begun at {@code lengthAt}; returns how many bytes it took. */
    int endMessage(int lengthAt, int reserved) {
      int length = position - lengthAt - reserved;
      int size = varintSize(length);
      if (size != reserved) {
        ensure(size - reserved);
        System.arraycopy(buffer, lengthAt + reserved, buffer, lengthAt + size, length);
        position += size - reserved;
      }
      int at = lengthAt;
      long value = length;
      while ((value & ~0x7FL) != 0) {
        buffer[at++] = (byte) ((value & 0x7F) | 0x80);
        value >>>= 7;
      }
      buffer[at] = (byte) value;
      return size;
    }

    /** The bytes of {@code value} (a length, not negative) as a varint: 1 up to 127, 2 up to 16383, and so on. */
    static int varintSize(int value) {
      // 7 bits a byte: from the bit length, without a loop (called for every message end, a few per span)
      return (31 - Integer.numberOfLeadingZeros(value | 1)) / 7 + 1;
    }

    /** Writes the bytes {@code reused} keeps for {@code owner}, if it keeps any. */
    boolean writeReused(Reused reused, Object owner, int limit) {
      byte[] bytes = reused.lookup(owner, limit);
      if (bytes == null) {
        return false;
      }
      writeRaw(bytes);
      return true;
    }

    /** Offers {@code reused} what was written for {@code owner} since {@code from}. */
    void offerWritten(Reused reused, Object owner, int limit, int from) {
      reused.offer(owner, limit, buffer, from, position);
    }

    void writeRaw(byte[] bytes) {
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buffer, position, bytes.length);
      position += bytes.length;
    }

    void writeVarintField(int field, long value) {
      if (value != 0) {
        writeVarintAlways(field, value);
      }
    }

    void writeVarintAlways(int field, long value) {
      tag(field, 0);
      varint(value);
    }

    void writeFixed64(int field, long value) {
      if (value != 0) {
        writeFixed64Always(field, value);
      }
    }

    /** A packed {@code repeated fixed64} (or {@code double}, as its raw bits): nothing when there are no values. */
    void writePackedFixed64(int field, long[] values) {
      if (values.length == 0) {
        return;
      }
      tag(field, 2);
      varint(8L * values.length);
      for (long value : values) {
        fixed64(value);
      }
    }

    void writeFixed64Always(int field, long value) {
      tag(field, 1);
      fixed64(value);
    }

    void writeFixed32(int field, int value) {
      if (value != 0) {
        tag(field, 5);
        ensure(4);
        byte[] to = buffer;
        int at = position;
        to[at] = (byte) value;
        to[at + 1] = (byte) (value >>> 8);
        to[at + 2] = (byte) (value >>> 16);
        to[at + 3] = (byte) (value >>> 24);
        position = at + 4;
      }
    }

    void writeIds(int field, long high, long low) {
      tag(field, 2);
      varint(16);
      bigEndian(high);
      bigEndian(low);
    }

    void writeId(int field, long id) {
      tag(field, 2);
      varint(8);
      bigEndian(id);
    }

    private void bigEndian(long value) {
      ensure(8);
      byte[] to = buffer;
      int at = position;
      for (int i = 0; i < 8; i++) {
        to[at + i] = (byte) (value >>> (56 - 8 * i));
      }
      position = at + 8;
    }

    void writeString(int field, String value, int maxChars) {
      if (value != null && !value.isEmpty()) {
        writeStringAlways(field, value, maxChars);
      }
    }

    /** A string field, cut to {@code maxChars} characters as the span's own attributes are ({@link LeanSpan#cut}). */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): exact for ASCII, as used here
    void writeStringAlways(int field, String value, int maxChars) {
      String text = LeanSpan.cut(value, maxChars);
      tag(field, 2);
      int length = text.length();
      boolean ascii = true;
      for (int i = 0; i < length; i++) {
        if (text.charAt(i) >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        varint(length);
        ensure(length);
        // every char is below 0x80, so its low byte is its UTF-8 encoding: one copy, no array made
        text.getBytes(0, length, buffer, position);
        position += length;
      } else {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        varint(utf8.length);
        writeRaw(utf8);
      }
    }
  }
}
