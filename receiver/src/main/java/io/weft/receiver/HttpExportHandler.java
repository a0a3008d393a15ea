package io.weft.receiver;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Serves OTLP/HTTP on the JDK's HttpServer: POST /v1/{traces,metrics,logs}, protobuf or JSON, maybe gzipped. */
final class HttpExportHandler implements HttpHandler {
  private static final String PROTOBUF = "application/x-protobuf";
  private static final String JSON = "application/json";

  private final Inbox inbox;

  HttpExportHandler(Inbox inbox) {
    this.inbox = inbox;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try {
      Signal signal = Signal.forPath(exchange.getRequestURI().getPath());
      byte[] raw;
      try (InputStream in = exchange.getRequestBody()) {
        raw = in.readAllBytes(); // drained first so the connection can be reused whatever we answer
      }
      if (signal == null) {
        respond(exchange, 404, "text/plain", bytes("no OTLP signal at this path\n"));
        return;
      }
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "POST");
        respond(exchange, 405, "text/plain", bytes("POST only\n"));
        return;
      }
      int fault = inbox.faultStatus();
      if (fault != 0) {
        inbox.faulted();
        respond(exchange, fault, "text/plain", bytes("fault injected\n"));
        return;
      }
      String contentType = mediaType(exchange.getRequestHeaders().getFirst("Content-Type"));
      boolean json = JSON.equals(contentType);
      if (!json && !PROTOBUF.equals(contentType) && !contentType.isEmpty()) {
        inbox.badRequest();
        respond(exchange, 415, "text/plain", bytes("expected " + PROTOBUF + " or " + JSON + "\n"));
        return;
      }
      Message request;
      try {
        request = decode(signal, json, body(exchange, raw));
      } catch (InvalidProtocolBufferException | ZipException e) {
        inbox.badRequest();
        respond(exchange, 400, "text/plain", bytes("cannot decode " + signal.path() + ": " + e.getMessage() + "\n"));
        return;
      }
      inbox.record(signal, Transport.HTTP, headers(exchange), request);
      if (json) {
        respond(exchange, 200, JSON, JsonFormat.printer().print(signal.emptyResponse()).getBytes(StandardCharsets.UTF_8));
      } else {
        respond(exchange, 200, PROTOBUF, signal.emptyResponse().toByteArray());
      }
    } finally {
      exchange.close();
    }
  }

  private static Message decode(Signal signal, boolean json, byte[] body) throws InvalidProtocolBufferException {
    Message.Builder builder = signal.newRequestBuilder();
    if (json) {
      String text = OtlpJsonIds.hexToBase64(new String(body, StandardCharsets.UTF_8));
      JsonFormat.parser().ignoringUnknownFields().merge(text, builder);
    } else {
      builder.mergeFrom(body);
    }
    return builder.build();
  }

  private static byte[] body(HttpExchange exchange, byte[] raw) throws IOException {
    String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
    if (encoding == null || encoding.isBlank() || encoding.trim().equalsIgnoreCase("identity")) {
      return raw;
    }
    if (!encoding.trim().equalsIgnoreCase("gzip")) {
      throw new ZipException("unsupported Content-Encoding " + encoding);
    }
    try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
      return in.readAllBytes();
    } catch (java.io.EOFException e) {
      throw new ZipException("truncated gzip body");
    }
  }

  /** Lower-case names; repeated headers joined with a comma, as HTTP allows. */
  private static Map<String, String> headers(HttpExchange exchange) {
    Map<String, String> headers = new TreeMap<>();
    for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
      headers.put(header.getKey().toLowerCase(Locale.ROOT), String.join(",", header.getValue()));
    }
    return headers;
  }

  private static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }

  private static void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
