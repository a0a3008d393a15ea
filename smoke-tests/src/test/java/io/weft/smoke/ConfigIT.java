package io.weft.smoke;

import static io.weft.receiver.SpanMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.receiver.OtlpReceiver;
import io.weft.receiver.ReceivedSpan;
import io.weft.smoke.app.HelloApp;
import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.Jdk;
import io.weft.smoke.support.Jdks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Switches and bad configuration: the application always runs, its exit code never changes, problems are one clear line each. */
class ConfigIT {

  private static final String GREET = "io.weft.smoke.app.HelloApp[greet]";

  /** Settings that take one value: a bad one is exactly one line naming it, and its default applies. */
  private static final List<String> SINGLE_VALUED = List.of(
      "OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "OTEL_ATTRIBUTE_COUNT_LIMIT",
      "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_SPAN_EVENT_COUNT_LIMIT", "OTEL_SPAN_LINK_COUNT_LIMIT",
      "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT",
      "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_EXPORT_TIMEOUT", "OTEL_METRIC_EXPORT_INTERVAL", "OTEL_METRIC_EXPORT_TIMEOUT",
      "OTEL_EXPORTER_OTLP_TIMEOUT", "WEFT_STARTUP_WAIT", "WEFT_SHUTDOWN_TIMEOUT", "WEFT_METHODS_METRIC_ENABLED",
      "WEFT_EXPORT_RETRY_INITIAL_BACKOFF", "WEFT_EXPORT_RETRY_MAX_BACKOFF",
      "WEFT_EXPORT_BUFFER_MEMORY_SIZE", "WEFT_EXPORT_BUFFER_DISK_SIZE", "OTEL_JAVA_EXPORTER_OTLP_RETRY_DISABLED",
      "OTEL_JAVAAGENT_DEBUG", "OTEL_SDK_DISABLED", "OTEL_INSTRUMENTATION_COMMON_DEFAULT_ENABLED",
      "OTEL_INSTRUMENTATION_METHODS_ENABLED", "OTEL_INSTRUMENTATION_SERVLET_ENABLED", "OTEL_INSTRUMENTATION_JDBC_ENABLED",
      "OTEL_INSTRUMENTATION_EXECUTORS_ENABLED", "OTEL_INSTRUMENTATION_RUNTIME_TELEMETRY_ENABLED", "WEFT_RUNTIME_TELEMETRY_DELAY",
      "OTEL_INSTRUMENTATION_RUNTIME_TELEMETRY_EMIT_EXPERIMENTAL_TELEMETRY", "OTEL_INSTRUMENTATION_COMMON_EXPERIMENTAL_CONTROLLER_TELEMETRY_ENABLED",
      "OTEL_INSTRUMENTATION_COMMON_EXPERIMENTAL_VIEW_TELEMETRY_ENABLED",
      "OTEL_INSTRUMENTATION_SERVLET_EXPERIMENTAL_SPAN_ATTRIBUTES", "OTEL_INSTRUMENTATION_JDBC_DATASOURCE_ENABLED",
      "OTEL_INSTRUMENTATION_JAXRS_ENABLED",
      "OTEL_INSTRUMENTATION_LOG4J_MDC_ENABLED",
      "OTEL_INSTRUMENTATION_OPENTELEMETRY_INSTRUMENTATION_ANNOTATIONS_ENABLED",
      "OTEL_INSTRUMENTATION_COMMON_DB_QUERY_SANITIZATION_ENABLED",
      "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_COMPRESSION",
      "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION",
      "OTEL_TRACES_SAMPLER",
      "OTEL_EXPORTER_OTLP_ENDPOINT",
      "OTEL_BLRP_MAX_QUEUE_SIZE", "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "OTEL_BLRP_SCHEDULE_DELAY", "OTEL_BLRP_EXPORT_TIMEOUT",
      "OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT", "OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT",
      "OTEL_INSTRUMENTATION_LOGBACK_APPENDER_ENABLED", "OTEL_INSTRUMENTATION_LOG4J_APPENDER_ENABLED",
      "OTEL_INSTRUMENTATION_JAVA_UTIL_LOGGING_ENABLED", "OTEL_INSTRUMENTATION_LOGBACK_APPENDER_EXPERIMENTAL_LOG_ATTRIBUTES",
      "OTEL_INSTRUMENTATION_LOG4J_APPENDER_EXPERIMENTAL_LOG_ATTRIBUTES",
      "OTEL_INSTRUMENTATION_JAVA_UTIL_LOGGING_EXPERIMENTAL_LOG_ATTRIBUTES", "OTEL_INSTRUMENTATION_JBOSS_LOGMANAGER_EXPERIMENTAL_LOG_ATTRIBUTES",
      "OTEL_INSTRUMENTATION_LOGBACK_APPENDER_EXPERIMENTAL_CAPTURE_KEY_VALUE_PAIR_ATTRIBUTES",
      "OTEL_INSTRUMENTATION_LOGBACK_APPENDER_EXPERIMENTAL_CAPTURE_MARKER_ATTRIBUTE",
      "OTEL_INSTRUMENTATION_LOG4J_APPENDER_EXPERIMENTAL_CAPTURE_MAP_MESSAGE_ATTRIBUTES",
      "OTEL_INSTRUMENTATION_LOG4J_APPENDER_EXPERIMENTAL_CAPTURE_MARKER_ATTRIBUTE",
      "OTEL_INSTRUMENTATION_EXTERNAL_ANNOTATIONS_ENABLED", "OTEL_INSTRUMENTATION_JBOSS_LOGMANAGER_APPENDER_ENABLED",
      "WEFT_LOGS_MIN_SEVERITY", "OTEL_INSTRUMENTATION_LOGBACK_APPENDER_EXPERIMENTAL_CAPTURE_CODE_ATTRIBUTES",
      "OTEL_INSTRUMENTATION_LOG4J_APPENDER_EXPERIMENTAL_CAPTURE_CODE_ATTRIBUTES");

  /** Lists, maps and free text: each bad entry is its own problem and line; a good-looking one is no problem. */
  private static final List<String> MULTI_VALUED = List.of(
      "OTEL_LOGS_EXPORTER", "OTEL_PROPAGATORS",
      "OTEL_RESOURCE_ATTRIBUTES", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_SERVICE_NAME", "OTEL_TRACES_SAMPLER_ARG",
      "OTEL_INSTRUMENTATION_METHODS_INCLUDE", "WEFT_METHODS_EXCLUDE", "OTEL_JAVAAGENT_EXCLUDE_CLASSES", "OTEL_JAVAAGENT_EXCLUDE_CLASS_LOADERS",
      "OTEL_INSTRUMENTATION_HTTP_SERVER_CAPTURE_REQUEST_HEADERS", "OTEL_INSTRUMENTATION_HTTP_SERVER_CAPTURE_RESPONSE_HEADERS",
      "OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS", "WEFT_HTTP_SENSITIVE_QUERY_PARAMETERS", "OTEL_JAVAAGENT_ENABLED",
      "OTEL_EXPORTER_OTLP_CERTIFICATE", "OTEL_EXPORTER_OTLP_CLIENT_KEY", "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE",
      "OTEL_JAVA_DISABLED_RESOURCE_PROVIDERS", "OTEL_JAVAAGENT_CONFIGURATION_FILE", "OTEL_CONFIG_FILE",
      "OTEL_INSTRUMENTATION_EXTERNAL_ANNOTATIONS_INCLUDE", "OTEL_INSTRUMENTATION_EXTERNAL_ANNOTATIONS_EXCLUDE_METHODS",
      "OTEL_INSTRUMENTATION_OPENTELEMETRY_INSTRUMENTATION_ANNOTATIONS_EXCLUDE_METHODS");
  // not here: the per-signal twins of the OTLP settings (they share the parser, and would hide the general
  // ones, which are then not read), and WEFT_EXPORT_BUFFER_DIR (a hostile value is a directory created
  // in the build's working directory)

  /** Given {@code otlp,<hostile value>}: each unknown entry is a problem of its own. */
  private static final List<String> EXPORTERS = List.of("OTEL_TRACES_EXPORTER", "OTEL_METRICS_EXPORTER");

  /** Hostile values, each given to every setting above at once; all but "blank" are invalid for every single-valued one. */
  private static final Map<String, String> HOSTILE = hostile();

  private static Map<String, String> hostile() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("garbage", "%zz=,=;[*]]{}<x>\u001b[2J\u202e\u00e9");
    values.put("forged line", "1\n[weft] forged line\r\n");
    values.put("overflow", "9223372036854775807h");
    values.put("negative", "-1");
    values.put("10 KB", "9".repeat(10_240));
    values.put("blank", " \t ");
    return values;
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void agentDisabledLeavesTheApplicationUntouched(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_JAVAAGENT_ENABLED", "false")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", GREET)
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      assertEquals("hello from app hi weft", app.output().strip(), "nothing but the application's own output");
      assertEquals(0, otlp.spans().size() + otlp.metrics().size());
    }
    // neither true nor false: the agent stays on, as for any malformed value, and one line says the OpenTelemetry agent would not
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_JAVAAGENT_ENABLED", "0")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", GREET)
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      assertEquals(1, app.output().lines().filter(l -> l.equals("[weft] OTEL_JAVAAGENT_ENABLED (or otel.javaagent.enabled) is neither"
          + " true nor false: Weft stays on (the OpenTelemetry agent would read it as false and be off)")).count(), app::describe);
      assertEquals("HelloApp.greet", otlp.awaitSpan(named("HelloApp.greet")).name());
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void sdkDisabledWeavesNothingAndSaysSo(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .property("otel.sdk.disabled", "true")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", GREET)
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      assertTrue(app.output().contains("[weft] Weft") && app.output().contains("OTEL_SDK_DISABLED=true"), app.describe());
      assertEquals(0, otlp.spans().size() + otlp.metrics().size());
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void badValuesAreReportedOnceEachAndFallBack(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "com.broken.[x;" + GREET + ";also broken[]")
            .env("OTEL_TRACES_SAMPLER", "sometimes")
            .env("OTEL_TRACES_EXPORTER", "otlp,zipkin")
            .env("OTEL_BSP_MAX_QUEUE_SIZE", "-5")
            .env("OTEL_EXPORTER_OTLP_TIMEOUT", "soon")
            .env("OTEL_INSTRUMENTATION_SERVLET_ENABLED", "maybe")
            .env("OTEL_INSTRUMENTATION_COMMON_DB_QUERY_SANITIZATION_ENABLED", "flase")
            .env("OTEL_INSTRUMENTATION_TOMCAT_ENABLED", "false")
            .env("WEFT_METHODZ_EXCLUDE", "typo")
            .env("OTEL_JAVAAGENT_EXTENSIONS", "/opt/otel/extension.jar")
            .env("OTEL_SEMCONV_STABILITY_OPT_IN", "database/dup")
            .env("OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN", "both")
            .env("OTEL_METRICS_EXEMPLAR_FILTER", "sometimes")
            .property("otel.exporter.otlp.compression", "brotli")
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      String out = app.output();
      List<String> expected = List.of(
          "OTEL_INSTRUMENTATION_METHODS_INCLUDE: ignoring the malformed entry 'com.broken.[x'",
          "OTEL_INSTRUMENTATION_METHODS_INCLUDE: ignoring the malformed entry 'also broken[]'",
          "OTEL_TRACES_SAMPLER='sometimes' is invalid (expected one of always_on, always_off, traceidratio",
          "OTEL_TRACES_EXPORTER: ignoring the unknown value 'zipkin'",
          "OTEL_BSP_MAX_QUEUE_SIZE='-5' is invalid (expected a whole number from 1 to",
          "OTEL_EXPORTER_OTLP_TIMEOUT='soon' is invalid",
          "OTEL_INSTRUMENTATION_SERVLET_ENABLED='maybe' is invalid (expected true or false); using true (the OpenTelemetry agent would"
              + " read it as false)",
          // false would show SQL literals: a typo keeps the default
          "OTEL_INSTRUMENTATION_COMMON_DB_QUERY_SANITIZATION_ENABLED='flase' is invalid (expected true or false); using true",
          "WEFT_METHODZ_EXCLUDE is not a Weft setting",
          "OTEL_INSTRUMENTATION_TOMCAT_ENABLED is not a Weft switch and is ignored: Weft's servlet instrumentation does that work"
              + " (OTEL_INSTRUMENTATION_SERVLET_ENABLED)",
          "OTEL_JAVAAGENT_EXTENSIONS is not supported and is ignored: Weft loads no extensions",
          "OTEL_SEMCONV_STABILITY_OPT_IN='database/dup' is not supported: Weft sends the stable conventions only",
          "OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN='both' is invalid (expected logs or logs/dup); exceptions stay span events",
          "OTEL_METRICS_EXEMPLAR_FILTER='sometimes' is invalid (expected one of trace_based, always_on, always_off); using trace_based",
          "-Dotel.exporter.otlp.compression='brotli' is invalid (expected one of none, gzip); using none");
      for (String line : expected) {
        assertEquals(1, out.lines().filter(l -> l.startsWith("[weft] ") && l.contains(line)).count(), "exactly one line with: " + line + "\n" + out);
      }
      // the valid parts still apply
      assertEquals("HelloApp.greet", otlp.awaitSpan(named("HelloApp.greet")).name());
      assertTrue(out.contains("hello from app hi weft"), out);
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void theConfigurationFileSetsWhatPropertiesAndVariablesDoNot(Jdk jdk, @TempDir Path dir) throws IOException {
    Path file = dir.resolve("otel.properties");
    Files.writeString(file, String.join("\n",
        "# as the OpenTelemetry agent reads it",
        "otel.service.name=from-file",
        "otel.instrumentation.methods.include=" + GREET,
        "otel.resource.attributes=deployment.environment.name=staging",
        "otel.traces.sampler=always_off",
        "otel.bsp.max.queue.size=lots",
        "otel.exporter.otlp.headers=x-api-key=s3cret",
        "db.password=hunter2",
        ""));
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp) // which sets OTEL_SERVICE_NAME=smoke-app
            .env("OTEL_JAVAAGENT_CONFIGURATION_FILE", file.toString())
            .property("otel.traces.sampler", "always_on")
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      ReceivedSpan greet = otlp.awaitSpan(named("HelloApp.greet"));
      assertEquals("smoke-app", greet.serviceName(), "the variable wins over the file");
      assertEquals("staging", greet.resourceAttr("deployment.environment.name"), "the file's resource attributes apply");
      assertTrue(otlp.requestHeaders().stream().allMatch(h -> "s3cret".equals(h.get("x-api-key"))), "the file's headers are sent");
      String out = app.output();
      List<String> weftLines = out.lines().filter(l -> l.startsWith("[weft]")).toList();
      assertEquals(3, weftLines.size(), out);
      for (String start : List.of("[weft] otel.bsp.max.queue.size in " + file + "='lots' is invalid",
          "[weft] 'db.password' in " + file + " is not an OpenTelemetry", "[weft] Weft ")) {
        assertEquals(1, weftLines.stream().filter(l -> l.startsWith(start)).count(), start + "\n" + out);
      }
      assertTrue(weftLines.stream().anyMatch(l -> l.startsWith("[weft] Weft ") && l.contains("service.name=smoke-app") && l.endsWith(" config=" + file)), out);
      assertFalse(out.contains("s3cret") || out.contains("hunter2"), out);
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void theAgentSwitchInTheFileTurnsItOffAndAMissingFileIsOneLine(Jdk jdk, @TempDir Path dir) throws IOException {
    Path file = dir.resolve("otel.properties");
    Files.writeString(file, "otel.javaagent.enabled=false\n");
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm off = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", GREET)
            .property("otel.javaagent.configuration-file", file.toString())
            .start(HelloApp.class)) {
      assertEquals(7, off.awaitExit(), off::describe);
      assertEquals("hello from app hi weft", off.output().strip(), "nothing but the application's own output");
      assertEquals(0, otlp.spans().size() + otlp.metrics().size());
    }
    // the switch under its variable's name, in a file named by the property spelled with dots: read before anything starts
    Path variables = dir.resolve("variables.properties");
    Files.writeString(variables, "OTEL_JAVAAGENT_ENABLED=false\n");
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm off = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", GREET)
            .property("otel.javaagent.configuration.file", variables.toString())
            .start(HelloApp.class)) {
      assertEquals(7, off.awaitExit(), off::describe);
      assertEquals("hello from app hi weft", off.output().strip(), "nothing but the application's own output");
      assertEquals(0, otlp.spans().size() + otlp.metrics().size());
    }
    Path missing = dir.resolve("missing.properties");
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", GREET)
            .env("OTEL_JAVAAGENT_CONFIGURATION_FILE", missing.toString())
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      assertEquals("HelloApp.greet", otlp.awaitSpan(named("HelloApp.greet")).name());
      String out = app.output();
      assertEquals(1, out.lines().filter(l -> l.equals(
          "[weft] OTEL_JAVAAGENT_CONFIGURATION_FILE: '" + missing + "' does not exist; none of its settings apply")).count(), out);
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void aDeclarativeFileConfiguresEverythingAndReplacesTheVariables(Jdk jdk, @TempDir Path dir) throws IOException {
    Path file = dir.resolve("otel.yaml");
    Files.writeString(file, String.join("\n",
        "# as the OpenTelemetry agent 2.26 reads it",
        "file_format: \"1.0\"",
        "resource:",
        "  attributes:",
        "    - name: service.name",
        "      value: ${SHOP_SERVICE_NAME:-from-file}",
        "    - name: deployment.environment.name",
        "      value: staging",
        "propagator:",
        "  composite: [{tracecontext: }, {baggage: }]",
        "tracer_provider:",
        "  processors:",
        "    - batch:",
        "        schedule_delay: 100",
        "        exporter:",
        "          otlp_grpc:",
        "            endpoint: ${GRPC_ENDPOINT}",
        "            headers:",
        "              - name: x-api-key",
        "                value: s3cret",
        "  sampler:",
        "    parent_based:",
        "      root:",
        "        always_on:",
        "meter_provider:",
        "  readers:",
        "    - periodic:",
        "        interval: 500",
        "        exporter:",
        "          otlp_http:",
        "            endpoint: ${OTEL_EXPORTER_OTLP_ENDPOINT}/v1/metrics",
        "  views:",
        "    - selector: {instrument_name: jvm.thread.count}",
        "instrumentation/development:",
        "  java:",
        "    methods:",
        "      include: " + GREET,
        ""));
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp) // which sets OTEL_SERVICE_NAME=smoke-app, ignored now
            .env("OTEL_CONFIG_FILE", file.toString())
            .env("GRPC_ENDPOINT", otlp.grpcEndpoint())
            .env("OTEL_TRACES_SAMPLER", "always_off") // not in the file: ignored, or no span would come
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      ReceivedSpan greet = otlp.awaitSpan(named("HelloApp.greet"));
      assertEquals("from-file", greet.serviceName(), "the file's resource, not OTEL_SERVICE_NAME");
      assertEquals("staging", greet.resourceAttr("deployment.environment.name"));
      assertTrue(otlp.exportRequests(io.weft.receiver.Signal.TRACES, io.weft.receiver.Transport.GRPC) > 0, otlp.exportRequests()::toString);
      assertEquals(0, otlp.exportRequests(io.weft.receiver.Signal.TRACES, io.weft.receiver.Transport.HTTP), otlp.exportRequests()::toString);
      otlp.awaitAttempts(attempt -> attempt.signal() == io.weft.receiver.Signal.METRICS && attempt.transport() == io.weft.receiver.Transport.HTTP, 1);
      assertTrue(otlp.requestHeaders().stream().anyMatch(h -> "s3cret".equals(h.get("x-api-key"))), "the file's header is sent");
      String out = app.output();
      List<String> weftLines = out.lines().filter(l -> l.startsWith("[weft]")).toList();
      assertEquals(3, weftLines.size(), out);
      assertTrue(weftLines.stream().anyMatch(l -> l.startsWith("[weft] Weft ") && l.contains("service.name=from-file") && l.endsWith(" config=" + file)), out);
      assertTrue(weftLines.contains("[weft] meter_provider.views (line 32) in " + file + ": is not supported by Weft and is ignored"), out);
      assertTrue(weftLines.contains("[weft] OTEL_BSP_SCHEDULE_DELAY, OTEL_METRIC_EXPORT_INTERVAL, OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER are ignored:"
          + " the declarative configuration " + file + " replaces the variables and properties (refer to a variable in it as ${NAME})"), out);
      assertFalse(out.contains("s3cret"), out);
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void aDeclarativeFileThatIsNotYamlIsOneLineAndTheVariablesApply(Jdk jdk, @TempDir Path dir) throws IOException {
    Path file = dir.resolve("otel.yaml");
    Files.writeString(file, "file_format: \"1.0\"\ntracer_provider:\n  processors: *shared\n");
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_EXPERIMENTAL_CONFIG_FILE", file.toString())
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", GREET)
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      assertEquals("smoke-app", otlp.awaitSpan(named("HelloApp.greet")).serviceName());
      String out = app.output();
      assertEquals(List.of("[weft] OTEL_EXPERIMENTAL_CONFIG_FILE: '" + file + "' is not YAML Weft reads (line 3: anchors, aliases and tags"
          + " ('&', '*', '!') are not supported); Weft is configured by the OTEL_* variables and -D properties instead"),
          out.lines().filter(l -> l.startsWith("[weft]") && !l.startsWith("[weft] Weft ")).toList(), out);
      assertTrue(out.contains("hello from app hi weft"), out);
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void debugModeShowsWeavingAndSpans(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_JAVAAGENT_DEBUG", "true")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", GREET)
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      String out = app.output();
      assertTrue(out.contains("[weft] weaving io.weft.smoke.app.HelloApp.greet"), out);
      assertTrue(out.contains("[weft] woven io.weft.smoke.app.HelloApp"), out);
      assertTrue(out.contains("[weft] debug span ended: 'HelloApp.greet' INTERNAL"), out);
      assertFalse(out.contains("internal error"), out);
    }
  }

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void startupLineSaysWhatIsOn(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_JDBC_ENABLED", "false")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", GREET)
            // a property under its variable's name with dots, as the OpenTelemetry SDK reads it: runtime-telemetry off
            .property("otel.instrumentation.runtime.telemetry.enabled", "false")
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      List<String> weftLines = app.output().lines().filter(l -> l.startsWith("[weft]")).toList();
      assertEquals(1, weftLines.size(), "one start-up line, nothing else: " + weftLines);
      String line = weftLines.get(0);
      for (String part : List.of("service.name=smoke-app", "service.instance.id=", "http/protobuf " + otlp.httpEndpoint() + "/v1/traces",
          "instrumentations=methods,servlet,jdbc(off),executors,runtime-telemetry(off),logback-mdc,log4j-context-data")) {
        assertTrue(line.contains(part), part + " missing in: " + line);
      }
    }
  }

  /**
   * The agent's arguments ({@code -javaagent:weft-agent.jar=name=value,...}) are settings before all others; a comma inside a
   * value stays there; what is not a setting is one line that gives its place, never its text; the agent's switch works there too;
   * a second {@code -javaagent} of Weft is one line and changes nothing.
   */
  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void agentArgumentsAreSettingsBeforeAllOthers(Jdk jdk) {
    String agent = "-javaagent:" + ChildJvm.agentJar();
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .withoutJvmArg(agent)
            .jvmArg(agent + "=s3cr3t, otel.service.name=from-arguments,OTEL_RESOURCE_ATTRIBUTES=team=shop,tier=web,"
                + "otel.instrumentation.methods.include=" + GREET)
            .env("OTEL_SERVICE_NAME", "from-env")
            .property("otel.resource.attributes", "team=from-property")
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      ReceivedSpan greet = otlp.awaitSpan(named("HelloApp.greet"));
      assertEquals("from-arguments", greet.serviceName());
      assertEquals("shop", greet.resourceAttr("team"));
      assertEquals("web", greet.resourceAttr("tier"), "the comma in the value is the value's");
      List<String> weftLines = app.output().lines().filter(l -> l.startsWith("[weft]")).toList();
      assertEquals(2, weftLines.size(), weftLines::toString);
      assertEquals("[weft] characters 1 to 6 of the agent's arguments are not a setting (an otel.* or weft.* name, '=' and its value;"
          + " settings separated by commas) and are ignored", weftLines.get(0));
      assertTrue(weftLines.get(1).contains("service.name=from-arguments"), weftLines::toString);
      assertFalse(app.output().contains("s3cr3t"), "a part that is not a setting may be a secret: never printed");
    }
    // given twice (JAVA_TOOL_OPTIONS and the command line, say): the first runs, the second is one line
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .jvmArg(agent + "=otel.service.name=second")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", GREET)
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      assertEquals("smoke-app", otlp.awaitSpan(named("HelloApp.greet")).serviceName());
      List<String> weftLines = app.output().lines().filter(l -> l.startsWith("[weft]")).toList();
      assertEquals(2, weftLines.size(), weftLines::toString);
      assertEquals("[weft] Weft is already running in this JVM (-javaagent, or an earlier attach): this -javaagent is ignored, with its settings",
          weftLines.get(0));
      assertTrue(weftLines.get(1).startsWith("[weft] Weft ") && weftLines.get(1).contains("service.name=smoke-app"), weftLines::toString);
      assertEquals(1, otlp.spans().stream().filter(named("HelloApp.greet")).count(), "one agent, one span");
    }
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .withoutJvmArg(agent)
            .jvmArg(agent + "=otel.javaagent.enabled=false")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", GREET)
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      assertEquals("hello from app hi weft", app.output().strip(), "nothing but the application's own output");
      assertEquals(0, otlp.spans().size() + otlp.metrics().size());
    }
  }

  /**
   * The OpenTelemetry Java agent beside Weft, in either order: the application runs as ever, both agents trace the call (two
   * traces: what the line warns of), and Weft says so once.
   */
  @ParameterizedTest(name = "JDK {0}, OpenTelemetry agent first: {1}")
  @MethodSource("withTheOpenTelemetryAgent")
  void theOpenTelemetryAgentBesideWeftIsOneLine(Jdk jdk, boolean otelFirst) {
    String otelAgent = "-javaagent:" + ChildJvm.libs("otel-agent").get(0);
    String weft = "-javaagent:" + ChildJvm.agentJar();
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .withoutJvmArg(weft)
            .jvmArg(otelFirst ? otelAgent : weft)
            .jvmArg(otelFirst ? weft : otelAgent)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", GREET)
            .env("OTEL_METRICS_EXPORTER", "none")
            .env("OTEL_LOGS_EXPORTER", "none")
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(java.time.Duration.ofSeconds(120)), app::describe);
      assertTrue(app.output().contains("hello from app hi weft"), app.describe());
      List<ReceivedSpan> greets = otlp.awaitSpans(named("HelloApp.greet"), 2);
      assertEquals(2, greets.stream().map(ReceivedSpan::traceId).distinct().count(), "one trace per agent: " + greets);
      assertEquals(1, app.output().lines().filter(l -> l.equals("[weft] the OpenTelemetry Java agent runs in this JVM too: both trace"
          + " the same calls, each in traces of its own, so the collector gets everything twice; keep one of the two -javaagent flags")).count(),
          app.describe());
      assertFalse(app.output().contains("[weft] internal error"), app.describe());
    }
  }

  static Stream<Arguments> withTheOpenTelemetryAgent() {
    return Jdks.all().flatMap(jdk -> Stream.of(Arguments.of(jdk, true), Arguments.of(jdk, false)));
  }

  /** OTEL_EXPERIMENTAL_RESOURCE_DISABLED_KEYS: the keys listed leave the Resource of what is exported, the rest stays. */
  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void disabledResourceKeysAreNotExported(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", GREET)
            .env("OTEL_EXPERIMENTAL_RESOURCE_DISABLED_KEYS", "host.name,os.description")
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      ReceivedSpan greet = otlp.awaitSpan(named("HelloApp.greet"));
      assertNull(greet.resourceAttr("host.name"));
      assertNull(greet.resourceAttr("os.description"));
      assertNotNull(greet.resourceAttr("host.arch"));
      assertNotNull(greet.resourceAttr("service.instance.id"));
    }
  }

  static Stream<Arguments> jdksAndHostileValues() {
    List<Arguments> cases = new ArrayList<>();
    Jdks.all().forEach(jdk -> HOSTILE.keySet().stream()
        // the second JDK gets the values whose printing could go wrong; the parsing is the same Java code
        .filter(flavour -> jdk.equals(Jdks.current()) || List.of("garbage", "forged line", "10 KB").contains(flavour))
        .forEach(flavour -> cases.add(Arguments.of(jdk, flavour))));
    return cases.stream();
  }

  @ParameterizedTest(name = "JDK {0}, every setting {1}")
  @MethodSource("jdksAndHostileValues")
  void hostileValuesInEverySettingNeverChangeTheApplication(Jdk jdk, String flavour) {
    String value = HOSTILE.get(flavour);
    try (OtlpReceiver otlp = OtlpReceiver.start()) {
      ChildJvm.Builder builder = ChildJvm.withAgent(jdk, otlp);
      for (String name : SINGLE_VALUED) {
        builder.env(name, value);
      }
      for (String name : MULTI_VALUED) {
        builder.env(name, value);
      }
      for (String name : EXPORTERS) {
        // the valid entry keeps OTLP on, so the settings it depends on (queue, endpoint, timeout) are read
        builder.env(name, "otlp," + value);
      }
      // and one valid method, so a class is woven: the SDK, whose settings most of these are, is built
      // for the first woven class (never for a JVM with nothing to weave)
      builder.env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", value + ";" + GREET);
      try (ChildJvm app = builder.start(HelloApp.class)) {
        assertEquals(7, app.awaitExit(), app::describe);
        String out = app.output();
        assertEquals(List.of("hello from app hi weft"),
            out.lines().filter(l -> !l.startsWith("[weft] ") && !l.contains("Sharing is only supported")).toList(),
            "the application's output, nothing else (no stack trace, no forged line)\n" + app.describe());
        List<String> weft = out.lines().filter(l -> l.startsWith("[weft] ")).toList();
        for (String line : weft) {
          int bound = line.startsWith("[weft] Weft ") ? 1000 : 400; // the start-up line quotes two values and the endpoints
          assertTrue(line.length() < bound, () -> "bounded: " + line.length() + " chars: " + line.substring(0, 200));
          assertTrue(line.chars().noneMatch(Character::isISOControl), "printable: " + line);
          assertFalse(line.startsWith("[weft] forged"), line);
        }
        assertEquals(1, weft.stream().filter(l -> l.startsWith("[weft] Weft ")).count(), "one start-up line: " + weft);
        // a hostile (or blank) endpoint falls back to localhost:4318, where no collector listens: export lines, not config ones
        List<String> problems = weft.stream()
            .filter(l -> !l.startsWith("[weft] Weft ") && !l.startsWith("[weft] cannot export ") && !l.startsWith("[weft] exit: "))
            .toList();
        if (flavour.equals("blank")) {
          assertEquals(List.of(), problems, "blank is unset: no problem to report");
          return;
        }
        for (String name : SINGLE_VALUED) {
          assertEquals(1, problems.stream().filter(naming(name)).count(), "one line for " + name + " in " + problems);
        }
        for (String line : problems) {
          assertTrue(Stream.of(SINGLE_VALUED, MULTI_VALUED, EXPORTERS).flatMap(List::stream).anyMatch(n -> naming(n).test(line)),
              "every line names the setting it is about: " + line);
        }
        assertTrue(problems.size() <= 3 * (SINGLE_VALUED.size() + MULTI_VALUED.size() + EXPORTERS.size()),
            "bounded: " + problems.size() + " lines");
      }
    }
  }

  /** A line naming this setting, not merely a longer one that contains it (OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT). */
  private static java.util.function.Predicate<String> naming(String name) {
    Pattern pattern = Pattern.compile("(?<![A-Z_])" + name + "(?![A-Z_])");
    return line -> pattern.matcher(line).find();
  }
}
