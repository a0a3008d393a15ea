package io.weft.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * An OTLP/HTTP trace export body written by hand in protobuf's wire format (the harness carries no protobuf
 * library): one resource, one scope, {@code n} INTERNAL spans shaped like the pipeline application's.
 */
final class OtlpBody {
  private OtlpBody() {}

  static byte[] traces(int n) {
    Random random = new Random(42);
    ByteArrayOutputStream scopeSpans = new ByteArrayOutputStream();
    bytes(scopeSpans, 1, message(out -> string(out, 1, "weft-bench"))); // InstrumentationScope.name
    for (int i = 0; i < n; i++) {
      byte[] traceId = new byte[16];
      byte[] spanId = new byte[8];
      random.nextBytes(traceId);
      random.nextBytes(spanId);
      long start = 1_700_000_000_000_000_000L + i * 1000L;
      bytes(scopeSpans, 2, message(span -> {
        bytes(span, 1, traceId);
        bytes(span, 2, spanId);
        string(span, 5, "Producer.produce");
        varint(span, 6 << 3);
        varint(span, 1); // SPAN_KIND_INTERNAL
        fixed64(span, 7, start);
        fixed64(span, 8, start + 150);
        bytes(span, 9, keyValue("code.function.name", "io.weft.bench.app.Producer.produce"));
      }));
    }
    byte[] resource = message(out -> bytes(out, 1, keyValue("service.name", "weft-bench-ceiling")));
    byte[] resourceSpans = message(out -> {
      bytes(out, 1, resource);
      bytes(out, 2, scopeSpans.toByteArray());
    });
    return message(out -> bytes(out, 1, resourceSpans));
  }

  private interface Writer {
    void write(ByteArrayOutputStream out);
  }

  private static byte[] message(Writer writer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writer.write(out);
    return out.toByteArray();
  }

  private static byte[] keyValue(String key, String value) {
    return message(out -> {
      string(out, 1, key);
      bytes(out, 2, message(any -> string(any, 1, value))); // AnyValue.string_value
    });
  }

  private static void string(ByteArrayOutputStream out, int field, String value) {
    bytes(out, field, value.getBytes(StandardCharsets.UTF_8));
  }

  private static void bytes(ByteArrayOutputStream out, int field, byte[] value) {
    varint(out, (field << 3) | 2);
    varint(out, value.length);
    out.writeBytes(value);
  }

  private static void fixed64(ByteArrayOutputStream out, int field, long value) {
    varint(out, (field << 3) | 1);
    for (int i = 0; i < 8; i++) {
      out.write((int) (value >>> (8 * i)) & 0xff);
    }
  }

  private static void varint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }
}
