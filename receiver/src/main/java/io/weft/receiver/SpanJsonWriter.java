package io.weft.receiver;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Appends spans to a file for the weft-receiver tool, one JSON object per line: the resource's
 * service.name and the span in OTLP/JSON (hex ids; enums by name, which JsonFormat also reads back).
 */
final class SpanJsonWriter implements Closeable {
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

  private final BufferedWriter writer;

  SpanJsonWriter(Path file) throws IOException {
    writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
  }

  synchronized void write(List<ReceivedSpan> spans) throws IOException {
    for (ReceivedSpan span : spans) {
      writer.write(line(span));
      writer.newLine();
    }
    writer.flush();
  }

  static String line(ReceivedSpan span) throws InvalidProtocolBufferException {
    String service = span.serviceName();
    return "{\"service.name\":" + (service == null ? "null" : string(service))
        + ",\"span\":" + OtlpJsonIds.base64ToHex(PRINTER.print(span.proto())) + "}";
  }

  private static String string(String text) throws InvalidProtocolBufferException {
    return PRINTER.print(Value.newBuilder().setStringValue(text)); // JSON string escaping done right
  }

  @Override
  public synchronized void close() throws IOException {
    writer.close();
  }
}
