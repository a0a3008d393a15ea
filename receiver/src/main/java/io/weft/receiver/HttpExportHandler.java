package io.weft.receiver;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Answers one OTLP/HTTP request that {@link HttpExportServer} has read: POST /v1/{traces,metrics,logs},
 * protobuf or JSON, maybe gzipped; or the status or garbage the current {@link Faults.Answer} asks for.
 * No I/O of its own, so every answer is decided in one place.
 */
final class HttpExportHandler {
  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";

  /**
   * The body of a garbage answer: ten 0xFF bytes open a varint that never ends, which no protobuf
   * parser accepts, followed by what a misconfigured proxy might send.
   */
  static final byte[] GARBAGE_BODY = garbage();

  private final Inbox inbox;

  HttpExportHandler(Inbox inbox) {
    this.inbox = inbox;
  }

  /** What to send back; {@code attempt} is the answer logged for an export request, null for other paths. */
  record Response(int status, String contentType, byte[] body, String retryAfterSeconds, String allow,
      String attempt, boolean stored) {}

  Response handle(String method, String path, Map<String, String> headers, HttpExportServer.Body raw, Faults.Answer answer) {
    Signal signal = Signal.forPath(path);
    if (signal == null) {
      return text(404, "no OTLP signal at this path\n", null);
    }
    if (!"POST".equals(method)) {
      return new Response(405, "text/plain", bytes("POST only\n"), null, "POST", null, false);
    }
    if (answer.kind() == Faults.Kind.STATUS) {
      inbox.faulted();
      String retryAfter = answer.retryAfter() == null ? null : Long.toString(seconds(answer.retryAfter()));
      return new Response(answer.status(), "text/plain", bytes("fault injected\n"), retryAfter, null,
          "HTTP " + answer.status() + (retryAfter == null ? "" : " Retry-After: " + retryAfter), false);
    }
    String contentType = mediaType(headers.get("content-type"));
    boolean json = JSON.equals(contentType);
    if (!json && !PROTOBUF.equals(contentType) && !contentType.isEmpty()) {
      inbox.badRequest();
      return text(415, "expected " + PROTOBUF + " or " + JSON + "\n", "HTTP 415 unsupported content type");
    }
    try {
      HttpExportServer.Body body = body(headers.get("content-encoding"), raw);
      if (signal == Signal.TRACES && !json && inbox.countsSpansOnly()) {
        inbox.recordCounted(signal, Transport.HTTP, OtlpWire.countSpans(body.bytes(), body.length()));
      } else {
        inbox.record(signal, Transport.HTTP, headers, decode(signal, json, body));
      }
    } catch (IOException e) {
      inbox.badRequest();
      return text(400, "cannot decode " + signal.path() + ": " + e.getMessage() + "\n", "HTTP 400 undecodable");
    }
    if (answer.kind() == Faults.Kind.GARBAGE) {
      inbox.faulted();
      return new Response(200, json ? JSON : PROTOBUF, GARBAGE_BODY, null, null, "HTTP 200 garbage body", true);
    }
    byte[] ok;
    try {
      ok = json ? bytes(JsonFormat.printer().print(signal.emptyResponse())) : signal.emptyResponse().toByteArray();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("an empty OTLP response cannot be printed as JSON", e);
    }
    return new Response(200, json ? JSON : PROTOBUF, ok, null, null, "HTTP 200", true);
  }

  /** Whole seconds for a Retry-After header, rounded up so a client never retries early. */
  static long seconds(Duration retryAfter) {
    long seconds = retryAfter.getSeconds();
    return retryAfter.getNano() > 0 ? seconds + 1 : seconds;
  }

  private static Response text(int status, String message, String attempt) {
    return new Response(status, "text/plain", bytes(message), null, null, attempt, false);
  }

  private static Message decode(Signal signal, boolean json, HttpExportServer.Body body) throws InvalidProtocolBufferException {
    Message.Builder builder = signal.newRequestBuilder();
    if (json) {
      String text = OtlpJsonIds.hexToBase64(new String(body.bytes(), 0, body.length(), StandardCharsets.UTF_8));
      JsonFormat.parser().ignoringUnknownFields().merge(text, builder);
    } else {
      builder.mergeFrom(body.bytes(), 0, body.length()); // copies what it keeps: the array is reused
    }
    return builder.build();
  }

  private static HttpExportServer.Body body(String encoding, HttpExportServer.Body raw) throws IOException {
    if (encoding == null || encoding.isBlank() || encoding.trim().equalsIgnoreCase("identity")) {
      return raw;
    }
    if (!encoding.trim().equalsIgnoreCase("gzip")) {
      throw new ZipException("unsupported Content-Encoding " + encoding);
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw.bytes(), 0, raw.length()))) {
      byte[] inflated = in.readAllBytes();
      return new HttpExportServer.Body(inflated, inflated.length);
    } catch (EOFException e) {
      throw new ZipException("truncated gzip body");
    }
  }

  private static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }

  private static byte[] garbage() {
    byte[] text = bytes("<html><body>502 Bad Gateway</body></html>\n");
    byte[] body = new byte[10 + text.length];
    Arrays.fill(body, 0, 10, (byte) 0xFF);
    System.arraycopy(text, 0, body, 10, text.length);
    return body;
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
