package io.weft.agent.otel;

import io.weft.agent.config.WeftConfig;
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

  private OtlpSettings(String protocol, String endpoint, Map<String, String> headers, String compression, long timeoutMillis) {
    this.protocol = protocol;
    this.endpoint = endpoint;
    this.headers = headers;
    this.compression = compression;
    this.timeoutMillis = timeoutMillis;
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
    Map<String, String> headers = new LinkedHashMap<>(config.getMap(general + "headers"));
    headers.putAll(config.getMap(specific + "headers"));
    String compression = config.getChoice(
        config.getString(specific + "compression") != null ? specific + "compression" : general + "compression",
        "none", "none", "gzip");
    long timeout = config.getMillis(
        config.getString(specific + "timeout") != null ? specific + "timeout" : general + "timeout",
        10_000, false);
    return new OtlpSettings(protocol, endpoint, headers, compression, timeout);
  }

  /** For the start-up line: never the header values, which are often credentials. */
  String describe() {
    return protocol + " " + endpoint + (headers.isEmpty() ? "" : " headers=" + headers.keySet() + "(values hidden)");
  }
}
