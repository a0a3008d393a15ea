package io.weft.agent.otel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.agent.config.WeftConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which endpoint, headers and protocol each signal's exporter gets from the OTLP variables. */
class OtlpSettingsTest {
  private final List<String> lines = new ArrayList<>();

  private OtlpSettings read(String signal, String... env) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < env.length; i += 2) {
      map.put(env[i], env[i + 1]);
    }
    return OtlpSettings.read(new WeftConfig(Map.of(), map, lines::add), signal);
  }

  @Test
  void defaultsFollowTheProtocol() {
    OtlpSettings http = read("traces");
    assertEquals("http/protobuf", http.protocol);
    assertEquals("http://localhost:4318/v1/traces", http.endpoint);
    assertEquals("http://localhost:4318/v1/metrics", read("metrics").endpoint);
    assertEquals("http://localhost:4317", read("traces", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc").endpoint);
    assertEquals("http://localhost:4317", read("metrics", "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "grpc").endpoint);
    assertEquals(10_000, http.timeoutMillis);
    assertEquals("none", http.compression);
    assertTrue(lines.isEmpty(), lines::toString);
  }

  @Test
  void logsHaveTheirOwnPathProtocolAndEndpoint() {
    assertEquals("http://collector:4318/v1/logs", read("logs", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318").endpoint);
    OtlpSettings grpc = read("logs", "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "grpc", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://logs:4317");
    assertEquals("grpc", grpc.protocol);
    assertEquals("http://logs:4317", grpc.endpoint);
    assertEquals("http/protobuf", read("traces", "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "grpc").protocol, "logs only");
    assertEquals("http://logs:4317/opentelemetry.proto.collector.logs.v1.LogsService/Export",
        io.weft.agent.export.EndpointAccess.requestUrl(grpc.toEndpoint(1000)));
    assertEquals("otlp_grpc_log_exporter", io.weft.agent.export.EndpointAccess.componentType(grpc.toEndpoint(1000)));
    assertTrue(lines.isEmpty(), lines::toString);
  }

  @Test
  void generalEndpointGetsTheSignalPath() {
    assertEquals("http://collector:4318/v1/traces",
        read("traces", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318").endpoint);
    assertEquals("http://collector:4318/v1/metrics",
        read("metrics", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/").endpoint);
    assertEquals("https://gw/otlp/v1/traces",
        read("traces", "OTEL_EXPORTER_OTLP_ENDPOINT", "https://gw/otlp").endpoint);
    assertEquals("http://collector:4317",
        read("traces", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc").endpoint);
  }

  @Test
  void perSignalEndpointIsUsedAsWritten() {
    assertEquals("http://traces:9999/custom",
        read("traces", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:9999/custom").endpoint);
    assertEquals("http://collector:4318/v1/metrics",
        read("metrics", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:9999/custom").endpoint);
  }

  @Test
  void invalidEndpointFallsBackToTheDefault() {
    assertEquals("http://localhost:4318/v1/traces", read("traces", "OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318").endpoint);
    assertEquals(1, lines.size(), lines::toString);
  }

  @Test
  void perSignalHeadersReplaceGeneralOnes() {
    String[] both = {"OTEL_EXPORTER_OTLP_HEADERS", "api-key=general,tenant=a", "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "api-key=traces"};
    assertEquals(Map.of("api-key", "traces"), read("traces", both).headers,
        "as the OpenTelemetry SDK: the general headers (a credential for another endpoint, say) are not added to the signal's");
    assertEquals(Map.of("api-key", "general", "tenant", "a"), read("metrics", both).headers);
    assertEquals(Map.of("api-key", "general", "tenant", "a"),
        read("traces", "OTEL_EXPORTER_OTLP_HEADERS", "api-key=general,tenant=a", "OTEL_EXPORTER_OTLP_TRACES_HEADERS", " ").headers,
        "a blank per-signal setting is unset");
  }

  @Test
  void describeHidesHeaderValues() {
    OtlpSettings settings = read("traces", "OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20s3cr3t,x-tenant=acme-corp");
    String text = settings.describe();
    assertTrue(text.contains("http://localhost:4318/v1/traces") && text.contains("authorization"), text);
    assertFalse(text.contains("s3cr3t") || text.contains("acme-corp"), text);
  }

  @Test
  void httpJsonFallsBackNamingTheVariableThatSaidSo() {
    assertEquals("http/protobuf", read("traces", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json").protocol);
    assertEquals(1, lines.size(), lines::toString);
    assertTrue(lines.get(0).startsWith("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="), lines.get(0));
  }

  @Test
  void perSignalTimeoutAndCompressionWin() {
    OtlpSettings settings = read("traces",
        "OTEL_EXPORTER_OTLP_TIMEOUT", "2s", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "500",
        "OTEL_EXPORTER_OTLP_COMPRESSION", "none", "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "gzip");
    assertEquals(500, settings.timeoutMillis);
    assertEquals("gzip", settings.compression);
    assertEquals(2_000, read("metrics", "OTEL_EXPORTER_OTLP_TIMEOUT", "2s").timeoutMillis);
  }
}
