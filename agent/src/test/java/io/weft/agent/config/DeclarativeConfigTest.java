package io.weft.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code OTEL_CONFIG_FILE}: a declarative configuration file becomes the settings the rest of Weft reads, replaces the
 * variables it does not refer to, and every mistake in it is one line with its path and line.
 */
class DeclarativeConfigTest {
  private final List<String> lines = new ArrayList<>();

  @TempDir
  Path dir;

  private Path yaml;

  private WeftConfig config(String text, String... environment) throws IOException {
    yaml = dir.resolve("otel.yaml");
    Files.write(yaml, text.getBytes(StandardCharsets.UTF_8));
    Map<String, String> env = new HashMap<>();
    env.put("OTEL_CONFIG_FILE", yaml.toString());
    for (int i = 0; i < environment.length; i += 2) {
      env.put(environment[i], environment[i + 1]);
    }
    return new WeftConfig(new HashMap<>(), env, lines::add);
  }

  @Test
  void aMigrationFileTakesTheVariablesItRefersToAndIgnoresTheRest() throws IOException {
    WeftConfig config = config("file_format: \"1.0\"\n"
        + "disabled: ${OTEL_SDK_DISABLED:-false}\n"
        + "resource:\n"
        + "  attributes:\n"
        + "    - name: service.name\n"
        + "      value: ${OTEL_SERVICE_NAME:-unknown_service}\n"
        + "  attributes_list: ${OTEL_RESOURCE_ATTRIBUTES}\n"
        + "attribute_limits:\n"
        + "  attribute_value_length_limit: ${OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT}\n"
        + "  attribute_count_limit: ${OTEL_ATTRIBUTE_COUNT_LIMIT:-128}\n"
        + "propagator:\n"
        + "  composite_list: ${OTEL_PROPAGATORS:-tracecontext,baggage}\n"
        + "tracer_provider:\n"
        + "  processors:\n"
        + "    - batch:\n"
        + "        schedule_delay: ${OTEL_BSP_SCHEDULE_DELAY:-5000}\n"
        + "        max_queue_size: ${OTEL_BSP_MAX_QUEUE_SIZE:-2048}\n"
        + "        exporter:\n"
        + "          otlp_http:\n"
        + "            endpoint: ${OTEL_EXPORTER_OTLP_ENDPOINT:-http://localhost:4318}/v1/traces\n"
        + "            compression: ${OTEL_EXPORTER_OTLP_TRACES_COMPRESSION:-gzip}\n"
        + "            timeout: ${OTEL_EXPORTER_OTLP_TRACES_TIMEOUT:-10000}\n"
        + "            headers_list: ${OTEL_EXPORTER_OTLP_TRACES_HEADERS}\n"
        + "  sampler:\n"
        + "    parent_based:\n"
        + "      root:\n"
        + "        always_on:\n"
        + "      remote_parent_sampled:\n"
        + "        always_on:\n"
        + "      remote_parent_not_sampled:\n"
        + "        always_off:\n"
        + "meter_provider:\n"
        + "  readers:\n"
        + "    - periodic:\n"
        + "        interval: ${OTEL_METRIC_EXPORT_INTERVAL:-60000}\n"
        + "        exporter:\n"
        + "          otlp_http:\n"
        + "            endpoint: ${OTEL_EXPORTER_OTLP_ENDPOINT:-http://localhost:4318}/v1/metrics\n"
        + "            temporality_preference: ${OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE:-cumulative}\n"
        + "  exemplar_filter: ${OTEL_METRICS_EXEMPLAR_FILTER:-trace_based}\n"
        + "logger_provider:\n"
        + "  processors:\n"
        + "    - batch:\n"
        + "        schedule_delay: ${OTEL_BLRP_SCHEDULE_DELAY:-1000}\n"
        + "        exporter:\n"
        + "          otlp_http:\n"
        + "            endpoint: ${OTEL_EXPORTER_OTLP_ENDPOINT:-http://localhost:4318}/v1/logs\n",
        "OTEL_SERVICE_NAME", "checkout", "OTEL_RESOURCE_ATTRIBUTES", "team=shop,region=eu",
        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318", "OTEL_BSP_SCHEDULE_DELAY", "250",
        "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "api-key=s3cret",
        // not referenced by the file: ignored, as the specification says
        "OTEL_TRACES_SAMPLER", "always_off", "OTEL_METRICS_EXPORTER", "prometheus", "OTEL_JAVAAGENT_DEBUG", "false");
    assertEquals(yaml.toString(), config.configurationFile());
    assertFalse(config.getBoolean("otel.sdk.disabled", true));
    Map<String, String> resource = config.getMap("otel.resource.attributes");
    assertEquals(Map.of("team", "shop", "region", "eu", "service.name", "checkout"), resource);
    assertEquals(128, config.getInt("otel.attribute.count.limit", 0, 0, 1000));
    assertNull(config.getString("otel.attribute.value.length.limit"), "an unset variable without default is no value");
    assertEquals("tracecontext,baggage", config.getString("otel.propagators"));
    assertEquals("otlp", config.getString("otel.traces.exporter"));
    assertEquals(250, config.getMillis("otel.bsp.schedule.delay", 5000, true));
    assertEquals(2048, config.getInt("otel.bsp.max.queue.size", 1, 1, 1 << 20));
    assertEquals("http/protobuf", config.getString("otel.exporter.otlp.traces.protocol"));
    assertEquals("http://collector:4318/v1/traces", config.getString("otel.exporter.otlp.traces.endpoint"));
    assertEquals("gzip", config.getString("otel.exporter.otlp.traces.compression"));
    assertEquals(10_000, config.getMillis("otel.exporter.otlp.traces.timeout", 1, false));
    assertEquals(Map.of("api-key", "s3cret"), config.getMap("otel.exporter.otlp.traces.headers"));
    assertEquals("parentbased_always_on", config.getString("otel.traces.sampler"));
    assertEquals("otlp", config.getString("otel.metrics.exporter"));
    assertEquals(60_000, config.getMillis("otel.metric.export.interval", 1, false));
    assertEquals("http://collector:4318/v1/metrics", config.getString("otel.exporter.otlp.metrics.endpoint"));
    assertEquals("cumulative", config.getString("otel.exporter.otlp.metrics.temporality.preference"));
    assertEquals("trace_based", config.getString("otel.metrics.exemplar.filter"));
    assertEquals("otlp", config.getString("otel.logs.exporter"));
    assertEquals(1000, config.getMillis("otel.blrp.schedule.delay", 1, true));
    assertEquals("http://collector:4318/v1/logs", config.getString("otel.exporter.otlp.logs.endpoint"));
    assertNull(config.getString("otel.service.name"), "the service name is the resource's, as the file says");
    assertEquals(List.of(), lines);

    config.reportUnsupportedSettings();
    assertEquals(List.of("OTEL_METRICS_EXPORTER, OTEL_TRACES_SAMPLER are ignored: the declarative configuration " + yaml
        + " replaces the variables and properties (refer to a variable in it as ${NAME})"), lines, "the agent's own switches are no surprise");
    assertTrue(lines.stream().noneMatch(l -> l.contains("s3cret")));
  }

  @Test
  void whatTheFileLeavesOutIsOff() throws IOException {
    WeftConfig config = config("file_format: '1.0-rc.1'\n", "OTEL_TRACES_EXPORTER", "otlp");
    assertEquals("none", config.getString("otel.traces.exporter"));
    assertEquals("none", config.getString("otel.metrics.exporter"));
    assertEquals("none", config.getString("otel.logs.exporter"));
    assertEquals("none", config.getString("otel.propagators"));
    assertNull(config.getString("otel.traces.sampler"));
    assertEquals(List.of(), lines);

    lines.clear();
    WeftConfig empty = config("# nothing\n");
    assertEquals("none", empty.getString("otel.traces.exporter"));
    assertEquals(List.of("file_format (line 1) in " + yaml + ": is missing; the file is read as file_format 1.0"), lines);
  }

  @Test
  void exportersSamplersAndPropagatorsMapToTheSettingsTheyStandFor() throws IOException {
    WeftConfig config = config("file_format: 1.0\n"
        + "propagator:\n"
        + "  composite:\n"
        + "    - tracecontext:\n"
        + "    - b3multi:\n"
        + "  composite_list: b3multi,baggage\n"
        + "tracer_provider:\n"
        + "  processors:\n"
        + "    - batch:\n"
        + "        exporter:\n"
        + "          otlp_grpc:\n"
        + "            endpoint: https://collector:4317\n"
        + "            headers:\n"
        + "              - name: authorization\n"
        + "                value: Bearer a,b=c\n"
        + "            headers_list: authorization=overridden,tenant=t1\n"
        + "            tls:\n"
        + "              ca_file: /etc/ca.pem\n"
        + "              key_file: /etc/key.pem\n"
        + "              cert_file: /etc/cert.pem\n"
        + "    - simple:\n"
        + "        exporter:\n"
        + "          console:\n"
        + "    - batch:\n"
        + "        schedule_delay: 1\n"
        + "        exporter:\n"
        + "          zipkin:\n"
        + "            endpoint: http://zipkin:9411\n"
        + "  sampler:\n"
        + "    parent_based:\n"
        + "      root:\n"
        + "        trace_id_ratio_based:\n"
        + "          ratio: 0.25\n"
        + "      local_parent_not_sampled:\n"
        + "        always_on:\n"
        + "meter_provider:\n"
        + "  readers:\n"
        + "    - pull:\n"
        + "        exporter:\n"
        + "          prometheus/development:\n"
        + "            host: 0.0.0.0\n"
        + "            port: 9464\n"
        + "  views:\n"
        + "    - selector: {instrument_name: x}\n");
    assertEquals("tracecontext,b3multi,baggage", config.getString("otel.propagators"));
    assertEquals("otlp,console", config.getString("otel.traces.exporter"));
    assertEquals("grpc", config.getString("otel.exporter.otlp.traces.protocol"));
    assertEquals("https://collector:4317", config.getString("otel.exporter.otlp.traces.endpoint"));
    assertEquals(Map.of("authorization", "Bearer a,b=c", "tenant", "t1"), config.getMap("otel.exporter.otlp.traces.headers"),
        "headers win over headers_list, and a comma or '=' in a value survives");
    assertEquals("/etc/ca.pem", config.getString("otel.exporter.otlp.traces.certificate"));
    assertEquals("/etc/key.pem", config.getString("otel.exporter.otlp.traces.client.key"));
    assertEquals("/etc/cert.pem", config.getString("otel.exporter.otlp.traces.client.certificate"));
    assertEquals("parentbased_traceidratio", config.getString("otel.traces.sampler"));
    assertEquals(0.25, config.getDouble("otel.traces.sampler.arg", 1, 0, 1));
    assertEquals("prometheus", config.getString("otel.metrics.exporter"));
    assertEquals("0.0.0.0", config.getString("otel.exporter.prometheus.host"));
    assertEquals(9464, config.getInt("otel.exporter.prometheus.port", 0, 0, 65535));
    assertEquals(Arrays.asList(
        "tracer_provider.processors[2].batch (line 24) in " + yaml
            + ": a second batch processor: Weft has one per signal, so its settings are ignored (its exporter is used)",
        "tracer_provider.sampler.parent_based.local_parent_not_sampled (line 34) in " + yaml
            + ": is not supported: Weft drops such spans, following the parent",
        "tracer_provider.processors[2].batch.exporter.zipkin (line 27) in " + yaml + ": is not supported by Weft and is ignored",
        "meter_provider.views (line 43) in " + yaml + ": is not supported by Weft and is ignored"), lines);
    assertTrue(lines.stream().noneMatch(l -> l.contains("Bearer")), "header values are never shown");
  }

  @Test
  void theEarlierFormatsOneOtlpExporterWithAProtocolIsReadToo() throws IOException {
    WeftConfig config = config("file_format: \"0.1\"\n"
        + "tracer_provider:\n"
        + "  processors:\n"
        + "    - batch:\n"
        + "        exporter:\n"
        + "          otlp:\n"
        + "            protocol: grpc\n"
        + "            endpoint: http://collector:4317\n"
        + "            certificate: /etc/ca.pem\n"
        + "            headers:\n"
        + "              api-key: s3cret\n"
        + "meter_provider:\n"
        + "  readers:\n"
        + "    - periodic:\n"
        + "        exporter:\n"
        + "          otlp:\n"
        + "            endpoint: http://collector:4318/v1/metrics\n");
    assertEquals("otlp", config.getString("otel.traces.exporter"));
    assertEquals("grpc", config.getString("otel.exporter.otlp.traces.protocol"));
    assertEquals("http://collector:4317", config.getString("otel.exporter.otlp.traces.endpoint"));
    assertEquals("/etc/ca.pem", config.getString("otel.exporter.otlp.traces.certificate"));
    assertEquals(Map.of("api-key", "s3cret"), config.getMap("otel.exporter.otlp.traces.headers"));
    assertEquals("http/protobuf", config.getString("otel.exporter.otlp.metrics.protocol"), "the protocol's default");
    assertEquals("otlp", config.getString("otel.metrics.exporter"));
    assertEquals(List.of(), lines);
  }

  @Test
  void instrumentationSectionsBecomeTheInstrumentationSettings() throws IOException {
    WeftConfig config = config("file_format: \"1.0\"\n"
        + "instrumentation/development:\n"
        + "  general:\n"
        + "    peer:\n"
        + "      service_mapping:\n"
        + "        - peer: 10.0.0.5\n"
        + "          service: orders-db\n"
        + "    http:\n"
        + "      client:\n"
        + "        request_captured_headers: [x-client]\n"
        + "      server:\n"
        + "        request_captured_headers:\n"
        + "          - X-Request-Id\n"
        + "          - X-Tenant\n"
        + "        known_methods: [GET, POST]\n"
        + "    db:\n"
        + "      semconv:\n"
        + "        experimental: true\n"
        + "  java:\n"
        + "    agent:\n"
        + "      instrumentation_mode: none\n"
        + "      exclude_classes: com.example.Generated*\n"
        + "      enabled: false\n"
        + "    jdbc:\n"
        + "      enabled: true\n"
        + "      statement_sanitizer:\n"
        + "        enabled: false\n"
        + "    methods:\n"
        + "      include: com.example.Shop[checkout,pay]\n"
        + "    servlet:\n"
        + "      experimental_span_attributes: true\n"
        + "    weft:\n"
        + "      startup:\n"
        + "        wait: 2s\n"
        + "      shutdown:\n"
        + "        timeout: 3s\n"
        + "    common:\n"
        + "      peer_service_mapping:\n"
        + "        - {peer: a}\n"
        + "  python:\n"
        + "    requests:\n"
        + "      enabled: false\n",
        "WEFT_STARTUP_WAIT", "5s");
    assertEquals(Map.of("10.0.0.5", "orders-db"), config.getMap("otel.instrumentation.common.peer-service-mapping"));
    assertEquals(List.of("X-Request-Id", "X-Tenant"), config.getList("otel.instrumentation.http.server.capture-request-headers"));
    assertEquals(List.of("GET", "POST"), config.getList("otel.instrumentation.http.known-methods"));
    assertFalse(config.getBoolean("otel.instrumentation.common.default-enabled", true));
    assertEquals("com.example.Generated*", config.getString("otel.javaagent.exclude-classes"));
    assertTrue(config.getBoolean("otel.instrumentation.jdbc.enabled", false));
    assertFalse(config.getBoolean("otel.instrumentation.jdbc.statement-sanitizer.enabled", true));
    assertEquals("com.example.Shop[checkout,pay]", config.getString("otel.instrumentation.methods.include"));
    assertTrue(config.getBoolean("otel.instrumentation.servlet.experimental-span-attributes", false));
    assertEquals(5000, config.getMillis("weft.startup.wait", 0, true), "a WEFT_ variable still wins: no specification names it");
    assertEquals(3000, config.getMillis("weft.shutdown.timeout", 0, true));
    assertTrue(config.hasWeftSettings());
    assertEquals(Arrays.asList(
        "instrumentation/development.java.agent.enabled (line 23) in " + yaml + ": is ignored: the agent's switch is read"
            + " before any file, from OTEL_JAVAAGENT_ENABLED or -Dotel.javaagent.enabled only, as the OpenTelemetry agent reads it",
        "instrumentation/development.java.common.peer_service_mapping (line 38) in " + yaml
            + ": is a list of mappings, not of values; ignored",
        "instrumentation/development.general.db (line 16) in " + yaml + ": is not supported by Weft and is ignored"), lines);
  }

  @Test
  void aBadValueIsOneLineWithItsPathAndTheDefaultApplies() throws IOException {
    WeftConfig config = config("file_format: \"1.0\"\n"
        + "disabled: maybe\n"
        + "tracer_provider:\n"
        + "  processors:\n"
        + "    - batch:\n"
        + "        schedule_delay: ${OTEL_BSP_SCHEDULE_DELAY:-5000}\n"
        + "        max_queue_size: 0\n"
        + "        exporter:\n"
        + "          otlp_http:\n"
        + "            endpoint: [not, a, url]\n"
        + "  sampler:\n"
        + "    trace_id_ratio_based:\n"
        + "      ratio: often\n",
        "OTEL_BSP_SCHEDULE_DELAY", "5s");
    assertFalse(config.getBoolean("otel.sdk.disabled", false));
    assertEquals(5000, config.getMillis("otel.bsp.schedule.delay", 5000, true));
    assertEquals(2048, config.getInt("otel.bsp.max.queue.size", 2048, 1, 1 << 20));
    assertNull(config.getString("otel.exporter.otlp.traces.endpoint"));
    assertEquals("traceidratio", config.getString("otel.traces.sampler"));
    assertEquals(1.0, config.getDouble("otel.traces.sampler.arg", 1.0, 0, 1));
    assertEquals(Arrays.asList(
        "disabled (line 2) in " + yaml + ": 'maybe' is not true or false; ignored, the default applies",
        "tracer_provider.processors[0].batch.schedule_delay (line 6) in " + yaml
            + ": '5s' is not a whole number of 0 or more (durations are milliseconds); ignored, the default applies",
        "tracer_provider.processors[0].batch.max_queue_size (line 7) in " + yaml
            + ": '0' is not a whole number of at least 1 (durations are milliseconds); ignored, the default applies",
        "tracer_provider.processors[0].batch.exporter.otlp_http.endpoint (line 10) in " + yaml
            + ": should be a single value, not a list; ignored",
        "tracer_provider.sampler.trace_id_ratio_based.ratio (line 13) in " + yaml
            + "='often' is invalid (expected a number from 0.0 to 1.0); using 1.0"), lines);
  }

  @Test
  void aFileThatCannotBeUsedIsOneLineAndTheVariablesConfigureWeft() throws IOException {
    WeftConfig broken = config("file_format: \"1.0\"\ntracer_provider:\n  processors: &p\n", "OTEL_SERVICE_NAME", "svc");
    assertEquals("svc", broken.getString("otel.service.name"));
    assertNull(broken.configurationFile());
    assertEquals(List.of("OTEL_CONFIG_FILE: '" + yaml + "' is not YAML Weft reads (line 3: anchors, aliases and tags ('&', '*', '!') are not"
        + " supported); Weft is configured by the OTEL_* variables and -D properties instead"), lines);

    lines.clear();
    Map<String, String> env = new HashMap<>(Map.of("OTEL_EXPERIMENTAL_CONFIG_FILE", dir.resolve("missing.yaml").toString(),
        "OTEL_SERVICE_NAME", "svc"));
    WeftConfig missing = new WeftConfig(new HashMap<>(), env, lines::add);
    assertEquals("svc", missing.getString("otel.service.name"));
    assertEquals(List.of("OTEL_EXPERIMENTAL_CONFIG_FILE: '" + dir.resolve("missing.yaml")
        + "' does not exist; none of its settings apply; Weft is configured by the OTEL_* variables and -D properties instead"), lines);
  }

  @Test
  void theFileReplacesThePropertiesFileAndTheNewNameWins() throws IOException {
    Path properties = dir.resolve("otel.properties");
    Files.write(properties, "otel.service.name=from-properties\n".getBytes(StandardCharsets.UTF_8));
    Path old = dir.resolve("old.yaml");
    Files.write(old, "file_format: \"0.4\"\nresource:\n  attributes:\n    - {name: service.name, value: old}\n".getBytes(StandardCharsets.UTF_8));
    yaml = dir.resolve("otel.yaml");
    Files.write(yaml, "file_format: \"1.0\"\nresource:\n  attributes:\n    - {name: service.name, value: new}\n".getBytes(StandardCharsets.UTF_8));
    Map<String, String> props = new HashMap<>(Map.of("otel.config.file", yaml.toString(), "otel.javaagent.configuration-file",
        properties.toString(), "otel.service.name", "from-property"));
    WeftConfig config = new WeftConfig(props, Map.of("OTEL_EXPERIMENTAL_CONFIG_FILE", old.toString()), lines::add);
    assertEquals(Map.of("service.name", "new"), config.getMap("otel.resource.attributes"));
    assertNull(config.getString("otel.service.name"));
    assertEquals(List.of("-Dotel.javaagent.configuration-file is ignored: -Dotel.config.file names the declarative configuration,"
        + " which replaces it"), lines);
    config.reportUnsupportedSettings();
    assertEquals("-Dotel.service.name is ignored: the declarative configuration " + yaml
        + " replaces the variables and properties (refer to a variable in it as ${NAME})", lines.get(1));
  }

  @Test
  void resourceDetectorsListedRunAndTheServiceDetectorReadsTheServiceName() throws IOException {
    WeftConfig config = config("file_format: \"1.0\"\n"
        + "resource:\n"
        + "  detection/development:\n"
        + "    detectors:\n"
        + "      - host:\n"
        + "      - service:\n"
        + "      - cloud:\n"
        + "    attributes:\n"
        + "      excluded: [host.arch]\n"
        + "  attributes_list: team=shop\n",
        "OTEL_SERVICE_NAME", "from-detector");
    assertEquals(Map.of("service.name", "from-detector", "team", "shop"), config.getMap("otel.resource.attributes"));
    assertEquals(List.of("ContainerResourceProvider", "OsResourceProvider", "ProcessResourceProvider", "ProcessRuntimeResourceProvider"),
        config.getList("otel.java.disabled.resource.providers"));
    assertEquals(List.of("host.arch"), config.getList("otel.experimental.resource.disabled-keys"));
    assertEquals(List.of("resource.detection/development.detectors (line 4) in " + yaml
        + ": 'cloud' is not a detector Weft has (container, host, os, process, service); ignored"), lines);
    config.reportUnsupportedSettings();
    assertEquals(1, lines.size(), "OTEL_SERVICE_NAME is read by the service detector: " + lines);
  }
}
