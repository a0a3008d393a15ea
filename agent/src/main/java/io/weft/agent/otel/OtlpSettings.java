package io.weft.agent.otel;

import io.weft.agent.config.WeftConfig;
import io.weft.agent.export.Endpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The OTLP exporter settings of one signal: the per-signal variable when set, else the general one,
 * else the specification's default. Agent class loader.
 */
final class OtlpSettings {

  static final String HTTP_PROTOBUF = "http/protobuf";
  static final String GRPC = "grpc";

  final String protocol;
  final String endpoint;
  final Map<String, String> headers;
  final String compression;
  final long timeoutMillis;
  final String signal;
  final byte[] certificate;
  final byte[] clientKey;
  final byte[] clientCertificate;

  private OtlpSettings(String signal, String protocol, String endpoint, Map<String, String> headers, String compression,
      long timeoutMillis, byte[] certificate, byte[] clientKey, byte[] clientCertificate) {
    this.signal = signal;
    this.protocol = protocol;
    this.endpoint = endpoint;
    this.headers = headers;
    this.compression = compression;
    this.timeoutMillis = timeoutMillis;
    this.certificate = certificate;
    this.clientKey = clientKey;
    this.clientCertificate = clientCertificate;
  }

  /** The settings as the export pipeline takes them; {@code maxTimeoutMillis} caps the request timeout. */
  Endpoint toEndpoint(long maxTimeoutMillis) {
    return new Endpoint(signal, protocol, endpoint, headers, compression.equals("gzip"), Math.min(timeoutMillis, maxTimeoutMillis),
        certificate, clientKey, clientCertificate);
  }

  /** {@code signal}: traces, metrics or logs. */
  static OtlpSettings read(WeftConfig config, String signal) {
    String general = "otel.exporter.otlp.";
    String specific = "otel.exporter.otlp." + signal + ".";
    String protocolKey = config.getString(specific + "protocol") != null ? specific + "protocol" : general + "protocol";
    String protocol = config.getChoice(protocolKey, HTTP_PROTOBUF, HTTP_PROTOBUF, GRPC, "http/json");
    if (protocol.equals("http/json")) {
      config.warn(config.nameAsSet(protocolKey) + "=http/json is not supported by Weft; using http/protobuf");
      protocol = HTTP_PROTOBUF;
    }
    String endpoint;
    String base = protocol.equals(GRPC) ? "http://localhost:4317" : "http://localhost:4318";
    if (config.getString(specific + "endpoint") != null) {
      // a per-signal endpoint is used as written (the full URL, path included)
      String defaultSpecific = protocol.equals(GRPC) ? base : base + "/v1/" + signal;
      endpoint = config.getUrl(specific + "endpoint", defaultSpecific);
    } else {
      String root = config.getUrl(general + "endpoint", base);
      if (protocol.equals(GRPC)) {
        endpoint = root;
      } else {
        endpoint = (root.endsWith("/") ? root : root + "/") + "v1/" + signal;
      }
    }
    // the per-signal headers replace the general ones, as the OpenTelemetry SDK's: a signal sent elsewhere
    // (its own endpoint) must not carry the general endpoint's credentials
    Map<String, String> headers = new LinkedHashMap<>(config.getMap(specific + "headers"));
    if (headers.isEmpty()) {
      headers.putAll(config.getMap(general + "headers"));
    }
    String compression = config.getChoice(
        config.getString(specific + "compression") != null ? specific + "compression" : general + "compression",
        "none", "none", "gzip");
    long timeout = config.getMillis(
        config.getString(specific + "timeout") != null ? specific + "timeout" : general + "timeout",
        10_000, false);
    byte[] certificate = pem(config, general, specific, "certificate");
    byte[] clientKey = pem(config, general, specific, "client.key");
    byte[] clientCertificate = pem(config, general, specific, "client.certificate");
    if ((clientKey == null) != (clientCertificate == null)) {
      config.warn(config.nameAsSet((clientKey == null ? general + "client.certificate" : general + "client.key"))
          + " is set without its partner (OTEL_EXPORTER_OTLP_CLIENT_KEY and OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE go together);"
          + " no client certificate is presented");
      clientKey = null;
      clientCertificate = null;
    }
    return new OtlpSettings(signal, protocol, endpoint, headers, compression, timeout, certificate, clientKey, clientCertificate);
  }

  /** A PEM file named by the per-signal or general setting, read now so a wrong path is reported at start. */
  private static byte[] pem(WeftConfig config, String general, String specific, String name) {
    String key = config.getString(specific + name) != null ? specific + name : general + name;
    String path = config.getString(key);
    if (path == null) {
      return null;
    }
    try {
      byte[] bytes = Files.readAllBytes(Paths.get(path));
      if (!new String(bytes, java.nio.charset.StandardCharsets.US_ASCII).contains("-----BEGIN ")) {
        config.warn(config.nameAsSet(key) + " names a file that is not PEM (no -----BEGIN line); it is ignored");
        return null;
      }
      return bytes;
    } catch (IOException | RuntimeException e) {
      config.warn(config.nameAsSet(key) + ": cannot read " + path + " (" + e.getClass().getSimpleName() + "); it is ignored");
      return null;
    }
  }

  /** For the start-up line: never the header values, which are often credentials. */
  String describe() {
    return protocol + " " + endpoint + (headers.isEmpty() ? "" : " headers=" + headers.keySet() + "(values hidden)")
        + (certificate != null ? " ca=custom" : "") + (clientKey != null ? " client-cert" : "");
  }
}
