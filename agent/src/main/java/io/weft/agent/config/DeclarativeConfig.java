package io.weft.agent.config;

import io.weft.agent.config.Yaml.Mapping;
import io.weft.agent.config.Yaml.Scalar;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads an OpenTelemetry declarative configuration file ({@code OTEL_CONFIG_FILE}, formerly {@code
 * OTEL_EXPERIMENTAL_CONFIG_FILE}; the schema's {@code file_format} 0.x and 1.x) into the flat settings the rest of
 * Weft reads, keyed by their environment names: {@code tracer_provider.processors[0].batch.schedule_delay} becomes
 * {@code OTEL_BSP_SCHEDULE_DELAY}, {@code instrumentation/development.java.jdbc.statement_sanitizer.enabled}
 * becomes {@code OTEL_INSTRUMENTATION_JDBC_STATEMENT_SANITIZER_ENABLED}, and so on. So every setting is validated
 * and used by the same code whichever way it was written, and each keeps the file's path and line for messages.
 *
 * <p>As the data model says, what the file leaves out is off: no {@code tracer_provider} means no spans, no
 * {@code propagator} means none. A value of the wrong kind, and a key Weft does not act on, is one line each
 * naming its path and line (at most {@value #MAX_REPORTED} such lines), and the rest of the file still applies.
 */
final class DeclarativeConfig {

  private static final int MAX_REPORTED = 8;

  // the resource detectors of the schema, and the OpenTelemetry agent's providers Weft has that each one stands for
  private static final List<String> DETECTORS = Arrays.asList("container", "host", "os", "process", "service");

  private final String label;
  private final Map<String, String> environment;
  private final java.util.Set<String> referenced; // the variables the file reads, so none is reported as ignored
  private final Consumer<String> warn;
  final Map<String, String> values = new LinkedHashMap<>(); // by environment name
  final Map<String, String> keys = new LinkedHashMap<>(); // environment name -> path (line n)
  private int reported;
  private int unreported;

  private DeclarativeConfig(String label, Map<String, String> environment, java.util.Set<String> referenced, Consumer<String> warn) {
    this.label = label;
    this.referenced = referenced;
    this.environment = environment;
    this.warn = warn;
  }

  /** Translates the parsed file; {@code root} may be null (an empty file: everything off). */
  static DeclarativeConfig translate(Mapping root, String label, Map<String, String> environment, java.util.Set<String> referenced,
      Consumer<String> warn) {
    DeclarativeConfig config = new DeclarativeConfig(label, environment, referenced, warn);
    config.root(root == null ? new Mapping("", 1) : root);
    config.reportUnread(root);
    if (config.unreported > 0) {
      warn.accept(config.unreported + " more problems in " + label + " are not shown; each was ignored");
    }
    return config;
  }

  private void root(Mapping root) {
    Scalar format = scalar(root, "file_format");
    if (format == null || format.value == null) {
      report(root, "file_format", "is missing; the file is read as file_format 1.0");
    } else if (!format.value.startsWith("0.") && !format.value.startsWith("1.") && !format.value.equals("1")) {
      report(format, "file_format", "'" + WeftConfig.printable(format.value) + "' is not a format Weft reads (0.x, 1.x); the file is read as 1.0");
    }
    root.take("stability");
    root.take("log_level"); // the SDK's own logger: Weft's few lines go to stderr whatever the level
    put("otel.sdk.disabled", bool(root, "disabled"));
    resource(mapping(root, "resource"));
    Mapping limits = mapping(root, "attribute_limits");
    if (limits != null) {
      put("otel.attribute.value.length.limit", whole(limits, "attribute_value_length_limit", 0));
      put("otel.attribute.count.limit", whole(limits, "attribute_count_limit", 0));
    }
    propagators(mapping(root, "propagator"));
    tracing(mapping(root, "tracer_provider"));
    metrics(mapping(root, "meter_provider"));
    logs(mapping(root, "logger_provider"));
    Mapping instrumentation = mapping(root, "instrumentation/development");
    Mapping stable = mapping(root, "instrumentation");
    instrumentation(instrumentation != null ? instrumentation : stable);
    if (instrumentation != null && stable != null) {
      instrumentation(stable);
    }
  }

  private void resource(Mapping resource) {
    if (resource == null) {
      return;
    }
    StringBuilder attributes = new StringBuilder();
    Mapping detection = mapping(resource, "detection/development");
    if (detection == null) {
      detection = mapping(resource, "detection");
    }
    if (detection != null) {
      detectors(detection, attributes);
    }
    String list = string(resource, "attributes_list");
    if (list != null) {
      append(attributes, list);
    }
    List<Object> entries = list(resource, "attributes");
    if (entries != null) {
      for (int i = 0; i < entries.size(); i++) {
        Mapping entry = item(entries, i, resource.pathOf("attributes"));
        if (entry == null) {
          continue;
        }
        String name = string(entry, "name");
        Object value = entry.take("value");
        entry.take("type"); // every value is sent as written, a string
        if (name == null) {
          report(entry, "name", "is missing; the attribute is ignored");
        } else if (value instanceof Scalar && ((Scalar) value).value != null) {
          append(attributes, encode(name) + "=" + encode(((Scalar) value).value));
        } else if (value instanceof List) {
          report(entry, "value", "is a list: Weft sends resource attributes as strings; '" + WeftConfig.printable(name) + "' is ignored");
        } else {
          report(entry, "value", "is missing; '" + WeftConfig.printable(name) + "' is ignored");
        }
      }
    }
    resource.take("schema_url");
    if (attributes.length() > 0) {
      put("otel.resource.attributes", attributes.toString(), resource.path, resource.line);
    }
  }

  /** The detectors listed run, the others do not; {@code service} takes the name from {@code OTEL_SERVICE_NAME}. */
  private void detectors(Mapping detection, StringBuilder attributes) {
    List<Object> detectors = list(detection, "detectors");
    if (detectors != null) {
      List<String> listed = new ArrayList<>();
      for (int i = 0; i < detectors.size(); i++) {
        String name = single(detectors, i, detection.pathOf("detectors"));
        if (name == null) {
          continue;
        }
        if (!DETECTORS.contains(name)) {
          report(detection, "detectors", "'" + WeftConfig.printable(name) + "' is not a detector Weft has (" + String.join(", ", DETECTORS) + "); ignored");
        }
        listed.add(name);
      }
      List<String> off = new ArrayList<>();
      if (!listed.contains("container")) {
        off.add("ContainerResourceProvider");
      }
      if (!listed.contains("host")) {
        off.add("HostResourceProvider");
      }
      if (!listed.contains("os")) {
        off.add("OsResourceProvider");
      }
      if (!listed.contains("process")) {
        off.add("ProcessResourceProvider");
        off.add("ProcessRuntimeResourceProvider");
      }
      String service = environment.get("OTEL_SERVICE_NAME");
      referenced.add("OTEL_SERVICE_NAME");
      if (listed.contains("service") && service != null && !service.trim().isEmpty()) {
        append(attributes, "service.name=" + encode(service.trim()));
      }
      put("otel.java.disabled.resource.providers", String.join(",", off), detection.pathOf("detectors"), detection.line);
    }
    Mapping filter = mapping(detection, "attributes");
    if (filter != null) {
      put("otel.experimental.resource.disabled-keys", joined(filter, "excluded"));
    }
  }

  private void propagators(Mapping propagator) {
    List<String> names = new ArrayList<>();
    int line = 1;
    String path = "propagator";
    if (propagator != null) {
      line = propagator.line;
      List<Object> composite = list(propagator, "composite");
      if (composite != null) {
        for (int i = 0; i < composite.size(); i++) {
          String name = single(composite, i, propagator.pathOf("composite"));
          if (name != null && !names.contains(name)) {
            names.add(name);
          }
        }
      }
      String list = string(propagator, "composite_list");
      if (list != null) {
        for (String name : list.split(",")) {
          if (!name.trim().isEmpty() && !names.contains(name.trim())) {
            names.add(name.trim());
          }
        }
      }
    }
    put("otel.propagators", names.isEmpty() ? "none" : String.join(",", names), path, line);
  }

  private void tracing(Mapping provider) {
    List<String> exporters = new ArrayList<>();
    if (provider != null) {
      processors(provider, "traces", "otel.bsp.", exporters);
      Mapping limits = mapping(provider, "limits");
      if (limits != null) {
        put("otel.span.attribute.value.length.limit", whole(limits, "attribute_value_length_limit", 0));
        put("otel.span.attribute.count.limit", whole(limits, "attribute_count_limit", 0));
        put("otel.span.event.count.limit", whole(limits, "event_count_limit", 0));
        put("otel.span.link.count.limit", whole(limits, "link_count_limit", 0));
      }
      Mapping sampler = mapping(provider, "sampler");
      if (sampler != null) {
        sampler(sampler, provider.pathOf("sampler"));
      }
    }
    exporters("otel.traces.exporter", exporters, provider, "tracer_provider");
  }

  private void logs(Mapping provider) {
    List<String> exporters = new ArrayList<>();
    if (provider != null) {
      processors(provider, "logs", "otel.blrp.", exporters);
      Mapping limits = mapping(provider, "limits");
      if (limits != null) {
        put("otel.logrecord.attribute.value.length.limit", whole(limits, "attribute_value_length_limit", 0));
        put("otel.logrecord.attribute.count.limit", whole(limits, "attribute_count_limit", 0));
      }
    }
    exporters("otel.logs.exporter", exporters, provider, "logger_provider");
  }

  private void exporters(String key, List<String> exporters, Mapping provider, String path) {
    put(key, exporters.isEmpty() ? "none" : String.join(",", exporters), provider == null ? path : provider.pathOf("processors"),
        provider == null ? 1 : provider.line);
  }

  /** Span or log record processors: Weft batches every exporter, so {@code simple} and {@code batch} both name one. */
  private void processors(Mapping provider, String signal, String batchPrefix, List<String> exporters) {
    List<Object> processors = list(provider, "processors");
    if (processors == null) {
      return;
    }
    boolean batched = false;
    for (int i = 0; i < processors.size(); i++) {
      Mapping processor = item(processors, i, provider.pathOf("processors"));
      if (processor == null) {
        continue;
      }
      Mapping batch = mapping(processor, "batch");
      Mapping simple = mapping(processor, "simple");
      Mapping chosen = batch != null ? batch : simple;
      if (chosen == null) {
        continue; // another kind: reported as not supported
      }
      if (batch != null) {
        if (batched) {
          // one queue per signal: a second batch processor's settings would silently fight the first's
          report(batch.line, batch.path, "a second batch processor: Weft has one per signal, so its settings are ignored (its exporter is used)");
          batch.take("schedule_delay");
          batch.take("export_timeout");
          batch.take("max_queue_size");
          batch.take("max_export_batch_size");
        } else {
          put(batchPrefix + "schedule.delay", whole(batch, "schedule_delay", 0));
          put(batchPrefix + "export.timeout", whole(batch, "export_timeout", 0));
          put(batchPrefix + "max.queue.size", whole(batch, "max_queue_size", 1));
          put(batchPrefix + "max.export.batch.size", whole(batch, "max_export_batch_size", 1));
        }
        batched = true;
      }
      Mapping exporter = mapping(chosen, "exporter");
      if (exporter == null) {
        report(chosen, "exporter", "is missing; this processor exports nothing");
        continue;
      }
      String name = exporter(exporter, signal);
      if (name != null && exporters.contains(name)) {
        reportTaken(exporter, "a second " + name + " exporter for " + signal + ": Weft sends each signal to one of each kind; this one is ignored");
      } else if (name != null) {
        exporters.add(name);
      }
    }
  }

  /** The exporter's name as {@code OTEL_*_EXPORTER} writes it, its settings put; null when Weft has no such exporter. */
  private String exporter(Mapping exporter, String signal) {
    if (exporter.has("console") || exporter.has("console/development")) {
      exporter.take("console");
      exporter.take("console/development");
      return "console";
    }
    Mapping http = mapping(exporter, "otlp_http");
    Mapping grpc = http != null ? null : mapping(exporter, "otlp_grpc");
    // file_format 0.1 to 0.3: one otlp exporter with a protocol
    Mapping legacy = http != null || grpc != null ? null : mapping(exporter, "otlp");
    if (http == null && grpc == null && legacy == null) {
      return null; // reported as not supported, with its name
    }
    Mapping otlp = http != null ? http : grpc != null ? grpc : legacy;
    String prefix = "otel.exporter.otlp." + signal + ".";
    String protocol;
    if (legacy != null) {
      String written = string(legacy, "protocol");
      protocol = written == null ? "http/protobuf" : written; // checked where it is read, with the file's path
    } else {
      protocol = http != null ? "http/protobuf" : "grpc";
      String encoding = http != null ? string(otlp, "encoding") : null;
      if (encoding != null && encoding.equalsIgnoreCase("json")) {
        protocol = "http/json"; // reported where it is read: Weft sends protobuf
      }
    }
    put(prefix + "protocol", protocol, otlp.path, otlp.line);
    put(prefix + "endpoint", scalar(otlp, "endpoint"), otlp.pathOf("endpoint"));
    put(prefix + "compression", scalar(otlp, "compression"), otlp.pathOf("compression"));
    put(prefix + "timeout", whole(otlp, "timeout", 0));
    headers(otlp, prefix + "headers");
    Mapping tls = mapping(otlp, "tls");
    Mapping files = tls != null ? tls : otlp; // file_format 0.3 wrote them beside the endpoint
    put(prefix + "certificate", firstOf(files, "ca_file", "certificate_file", "certificate"));
    put(prefix + "client.key", firstOf(files, "key_file", "client_key_file", "client_key"));
    put(prefix + "client.certificate", firstOf(files, "cert_file", "client_certificate_file", "client_certificate"));
    if (signal.equals("metrics")) {
      put("otel.exporter.otlp.metrics.temporality.preference", scalar(otlp, "temporality_preference"), otlp.pathOf("temporality_preference"));
      put("otel.exporter.otlp.metrics.default.histogram.aggregation", scalar(otlp, "default_histogram_aggregation"),
          otlp.pathOf("default_histogram_aggregation"));
    }
    return "otlp";
  }

  /** {@code headers} entries win over {@code headers_list}'s, as the schema says. Values are never echoed. */
  private void headers(Mapping otlp, String key) {
    StringBuilder headers = new StringBuilder();
    String list = string(otlp, "headers_list");
    if (list != null) {
      append(headers, list);
    }
    Object written = otlp.entries.get("headers");
    if (written instanceof Mapping) {
      // file_format 0.1 and 0.2: a mapping of names to values
      Mapping byName = (Mapping) written;
      otlp.take("headers");
      for (String name : byName.entries.keySet()) {
        String value = string(byName, name);
        if (value != null) {
          append(headers, encode(name) + "=" + encode(value));
        }
      }
    }
    List<Object> entries = written instanceof Mapping ? null : list(otlp, "headers");
    if (entries != null) {
      for (int i = 0; i < entries.size(); i++) {
        Mapping entry = item(entries, i, otlp.pathOf("headers"));
        if (entry == null) {
          continue;
        }
        String name = string(entry, "name");
        String value = string(entry, "value");
        if (name == null || value == null) {
          reportTaken(entry, "needs a name and a value; the header is ignored");
        } else {
          append(headers, encode(name) + "=" + encode(value));
        }
      }
    }
    if (headers.length() > 0) {
      put(key, headers.toString(), otlp.pathOf("headers"), otlp.line);
    }
  }

  private void metrics(Mapping provider) {
    List<String> exporters = new ArrayList<>();
    if (provider != null) {
      List<Object> readers = list(provider, "readers");
      boolean periodic = false;
      for (int i = 0; readers != null && i < readers.size(); i++) {
        Mapping reader = item(readers, i, provider.pathOf("readers"));
        if (reader == null) {
          continue;
        }
        Mapping push = mapping(reader, "periodic");
        Mapping pull = mapping(reader, "pull");
        String name = null;
        if (push != null) {
          if (!periodic) {
            put("otel.metric.export.interval", whole(push, "interval", 1));
            put("otel.metric.export.timeout", whole(push, "timeout", 0));
          } else if (push.has("interval") || push.has("timeout")) {
            reportTaken(push, "a second periodic reader: Weft reads metrics on one schedule, the first reader's; its interval and timeout are ignored");
            push.take("interval");
            push.take("timeout");
          }
          periodic = true;
          Mapping exporter = mapping(push, "exporter");
          name = exporter == null ? null : exporter(exporter, "metrics");
        } else if (pull != null) {
          Mapping exporter = mapping(pull, "exporter");
          Mapping prometheus = exporter == null ? null : mapping(exporter, "prometheus/development");
          if (prometheus == null && exporter != null) {
            prometheus = mapping(exporter, "prometheus");
          }
          if (prometheus != null) {
            name = "prometheus";
            put("otel.exporter.prometheus.host", scalar(prometheus, "host"), prometheus.pathOf("host"));
            put("otel.exporter.prometheus.port", whole(prometheus, "port", 0));
          }
        }
        if (name != null && exporters.contains(name)) {
          reportTaken(reader, "a second " + name + " metric reader: Weft has one of each kind; this one is ignored");
        } else if (name != null) {
          exporters.add(name);
        }
      }
      put("otel.metrics.exemplar.filter", scalar(provider, "exemplar_filter"), provider.pathOf("exemplar_filter"));
    }
    exporters("otel.metrics.exporter", exporters, provider, "meter_provider");
  }

  private void sampler(Mapping sampler, String path) {
    String name = simpleSampler(sampler, path);
    if (name == null && sampler.has("parent_based")) {
      Mapping parentBased = mapping(sampler, "parent_based");
      Mapping root = parentBased == null ? null : mapping(parentBased, "root");
      String rootName = root == null ? "always_on" : simpleSampler(root, parentBased.pathOf("root"));
      if (rootName != null) {
        name = "parentbased_" + rootName;
      }
      if (parentBased != null) {
        parentDecision(parentBased, "remote_parent_sampled", "always_on");
        parentDecision(parentBased, "remote_parent_not_sampled", "always_off");
        parentDecision(parentBased, "local_parent_sampled", "always_on");
        parentDecision(parentBased, "local_parent_not_sampled", "always_off");
      }
    }
    if (name != null) {
      put("otel.traces.sampler", name, path, sampler.line);
    }
  }

  /** always_on, always_off or traceidratio (its ratio put), or null for another kind. */
  private String simpleSampler(Mapping sampler, String path) {
    if (sampler.has("always_on")) {
      sampler.take("always_on");
      return "always_on";
    }
    if (sampler.has("always_off")) {
      sampler.take("always_off");
      return "always_off";
    }
    if (sampler.has("trace_id_ratio_based")) {
      Mapping ratio = mapping(sampler, "trace_id_ratio_based");
      if (ratio != null) {
        put("otel.traces.sampler.arg", scalar(ratio, "ratio"), ratio.pathOf("ratio"));
      }
      return "traceidratio";
    }
    return null;
  }

  /** Weft follows a parent's decision: a different sampler for parented spans is reported, not silently dropped. */
  private void parentDecision(Mapping parentBased, String key, String expected) {
    Mapping sampler = mapping(parentBased, key);
    if (sampler == null) {
      return;
    }
    String name = simpleSampler(sampler, parentBased.pathOf(key));
    if (!expected.equals(name)) {
      reportTaken(sampler, "is not supported: Weft " + (expected.equals("always_on") ? "samples" : "drops") + " such spans, following the parent");
    }
  }

  private void instrumentation(Mapping instrumentation) {
    if (instrumentation == null) {
      return;
    }
    for (String language : Arrays.asList("cpp", "dotnet", "erlang", "go", "js", "php", "python", "ruby", "rust", "swift")) {
      instrumentation.ignore(language); // for other languages' agents: not Weft's to judge
    }
    Mapping general = mapping(instrumentation, "general");
    if (general != null) {
      put("otel.semconv-stability.opt-in", scalar(general, "stability_opt_in_list"), general.pathOf("stability_opt_in_list"));
      Mapping peer = mapping(general, "peer");
      List<Object> mappings = peer == null ? null : list(peer, "service_mapping");
      if (mappings != null) {
        StringBuilder pairs = new StringBuilder();
        for (int i = 0; i < mappings.size(); i++) {
          Mapping entry = item(mappings, i, peer.pathOf("service_mapping"));
          String address = entry == null ? null : string(entry, "peer");
          String service = entry == null ? null : string(entry, "service");
          if (address != null && service != null) {
            append(pairs, address + "=" + service);
          } else if (entry != null) {
            reportTaken(entry, "needs a peer and a service; ignored");
          }
        }
        put("otel.instrumentation.common.peer-service-mapping", pairs.toString(), peer.pathOf("service_mapping"), peer.line);
      }
      Mapping http = mapping(general, "http");
      if (http != null) {
        Mapping server = mapping(http, "server");
        if (server != null) {
          put("otel.instrumentation.http.server.capture-request-headers", joined(server, "request_captured_headers"));
          put("otel.instrumentation.http.server.capture-response-headers", joined(server, "response_captured_headers"));
          put("otel.instrumentation.http.known-methods", joined(server, "known_methods"));
        }
        http.ignore("client"); // Weft instruments no HTTP client: these settings apply to nothing, as their variables do
      }
    }
    Mapping java = mapping(instrumentation, "java");
    if (java == null) {
      return;
    }
    for (Map.Entry<String, Object> entry : java.entries.entrySet()) {
      String name = entry.getKey();
      java.take(name);
      if (name.equals("agent") && entry.getValue() instanceof Mapping) {
        Mapping agent = (Mapping) entry.getValue();
        Scalar mode = scalar(agent, "instrumentation_mode");
        if (mode != null && mode.value != null) {
          if (mode.value.equals("none") || mode.value.equals("default")) {
            put("otel.instrumentation.common.default-enabled", String.valueOf(mode.value.equals("default")),
                agent.pathOf("instrumentation_mode"), mode.line);
          } else {
            report(mode, agent.pathOf("instrumentation_mode"), "'" + WeftConfig.printable(mode.value) + "' is not none or default; ignored");
          }
        }
        if (agent.has("enabled")) {
          agent.take("enabled");
          report(agent, "enabled", "is ignored: the agent's switch is read before any file, from OTEL_JAVAAGENT_ENABLED or"
              + " -Dotel.javaagent.enabled only, as the OpenTelemetry agent reads it");
        }
        flatten(agent, "otel.javaagent");
      } else if (name.equals("weft")) {
        flatten(entry.getValue(), "weft", java.pathOf(name), java.lines.get(name));
      } else {
        flatten(entry.getValue(), "otel.instrumentation." + dashed(name), java.pathOf(name), java.lines.get(name));
      }
    }
  }

  private void flatten(Mapping mapping, String prefix) {
    for (Map.Entry<String, Object> entry : mapping.entries.entrySet()) {
      if (!mapping.taken.contains(entry.getKey())) {
        mapping.take(entry.getKey());
        flatten(entry.getValue(), prefix + "." + dashed(entry.getKey()), mapping.pathOf(entry.getKey()), mapping.lines.get(entry.getKey()));
      }
    }
  }

  /** {@code statement_sanitizer: {enabled: true}} under {@code jdbc} is {@code otel.instrumentation.jdbc.statement-sanitizer.enabled}. */
  private void flatten(Object value, String key, String path, int line) {
    if (value instanceof Mapping) {
      flatten((Mapping) value, key);
    } else if (value instanceof Scalar) {
      put(key, (Scalar) value, path);
    } else if (value instanceof List) {
      StringBuilder joined = new StringBuilder();
      for (Object item : (List<?>) value) {
        if (!(item instanceof Scalar)) {
          report(line, path, "is a list of " + (item instanceof List ? "lists" : "mappings") + ", not of values; ignored");
          Mapping.ignoreAll(value);
          return;
        }
        if (((Scalar) item).value != null) {
          append(joined, ((Scalar) item).value);
        }
      }
      put(key, joined.toString(), path, line);
    }
  }

  private static String dashed(String key) {
    return key.replace('_', '-');
  }

  // ---- reading values, each mistake reported with its path and line

  /** A value to put, with where it came from. */
  private static final class Found {
    final String value;
    final String path;
    final int line;

    Found(String value, String path, int line) {
      this.value = value;
      this.path = path;
      this.line = line;
    }
  }

  private void put(String key, Found found) {
    if (found != null) {
      put(key, found.value, found.path, found.line);
    }
  }

  private void put(String key, Scalar scalar, String path) {
    if (scalar != null && scalar.value != null) {
      put(key, scalar.value, path, scalar.line);
    }
  }

  private void put(String key, String value, String path, int line) {
    if (value == null) {
      return;
    }
    String env = WeftConfig.envName(key);
    values.put(env, value);
    keys.put(env, path + " (line " + line + ")");
  }

  private Scalar scalar(Mapping mapping, String key) {
    Object value = mapping.take(key);
    if (value == null || value instanceof Scalar) {
      return (Scalar) value;
    }
    report(mapping, key, "should be a single value, not a " + (value instanceof List ? "list" : "mapping") + "; ignored");
    return null;
  }

  private String string(Mapping mapping, String key) {
    Scalar scalar = scalar(mapping, key);
    return scalar == null ? null : scalar.value;
  }

  private Found bool(Mapping mapping, String key) {
    Scalar scalar = scalar(mapping, key);
    if (scalar == null || scalar.value == null) {
      return null;
    }
    String value = scalar.value.toLowerCase(Locale.ROOT);
    if (!value.equals("true") && !value.equals("false")) {
      report(scalar, mapping.pathOf(key), "'" + WeftConfig.printable(scalar.value) + "' is not true or false; ignored, the default applies");
      return null;
    }
    return new Found(value, mapping.pathOf(key), scalar.line);
  }

  /** A whole number of at least {@code min}: the schema writes durations as milliseconds, never "5s". */
  private Found whole(Mapping mapping, String key, long min) {
    Scalar scalar = scalar(mapping, key);
    if (scalar == null || scalar.value == null) {
      return null;
    }
    try {
      if (Long.parseLong(scalar.value.trim()) >= min) {
        return new Found(scalar.value.trim(), mapping.pathOf(key), scalar.line);
      }
    } catch (NumberFormatException notWhole) {
      // reported below
    }
    report(scalar, mapping.pathOf(key), "'" + WeftConfig.printable(scalar.value) + "' is not a whole number"
        + (min > 0 ? " of at least " + min : " of 0 or more") + " (durations are milliseconds); ignored, the default applies");
    return null;
  }

  /** A list of values, or one comma-separated value, joined with commas. */
  private Found joined(Mapping mapping, String key) {
    Object value = mapping.take(key);
    if (value instanceof Scalar) {
      return ((Scalar) value).value == null ? null : new Found(((Scalar) value).value, mapping.pathOf(key), ((Scalar) value).line);
    }
    if (value instanceof List) {
      StringBuilder joined = new StringBuilder();
      for (Scalar item : Yaml.scalars(value)) {
        if (item.value != null) {
          append(joined, item.value);
        }
      }
      return new Found(joined.toString(), mapping.pathOf(key), mapping.lines.get(key));
    }
    if (value != null) {
      report(mapping, key, "should be a list of values; ignored");
    }
    return null;
  }

  private Found firstOf(Mapping mapping, String... keys) {
    for (String key : keys) {
      Scalar scalar = scalar(mapping, key);
      if (scalar != null && scalar.value != null) {
        for (String other : keys) {
          mapping.take(other);
        }
        return new Found(scalar.value, mapping.pathOf(key), scalar.line);
      }
    }
    return null;
  }

  /** A nested mapping; an empty key ({@code always_on:}) is an empty mapping; another kind of value is reported. */
  private Mapping mapping(Mapping mapping, String key) {
    if (!mapping.has(key)) {
      return null;
    }
    Object value = mapping.take(key);
    if (value instanceof Mapping) {
      return (Mapping) value;
    }
    if (value instanceof Scalar && ((Scalar) value).value == null) {
      return new Mapping(mapping.pathOf(key), ((Scalar) value).line);
    }
    report(mapping, key, "should be a mapping of keys to values; ignored");
    return null;
  }

  private List<Object> list(Mapping mapping, String key) {
    Object value = mapping.take(key);
    if (value == null || (value instanceof Scalar && ((Scalar) value).value == null)) {
      return null;
    }
    if (value instanceof List) {
      @SuppressWarnings("unchecked")
      List<Object> list = (List<Object>) value;
      return list;
    }
    report(mapping, key, "should be a list; ignored");
    return null;
  }

  /** Item {@code i} of a list of mappings. */
  private Mapping item(List<Object> items, int i, String path) {
    Object item = items.get(i);
    if (item instanceof Mapping) {
      return (Mapping) item;
    }
    int line = item instanceof Scalar ? ((Scalar) item).line : 0;
    report(line, path + "[" + i + "]", "should be a mapping of keys to values; ignored");
    return null;
  }

  /** The name of item {@code i} of a list like {@code - tracecontext:} (a mapping with one key), or a plain value. */
  private String single(List<Object> items, int i, String path) {
    Object item = items.get(i);
    if (item instanceof Scalar && ((Scalar) item).value != null) {
      return ((Scalar) item).value;
    }
    if (item instanceof Mapping && ((Mapping) item).entries.size() == 1) {
      Mapping mapping = (Mapping) item;
      String name = mapping.entries.keySet().iterator().next();
      mapping.take(name);
      return name;
    }
    report(item instanceof Mapping ? ((Mapping) item).line : 0, path + "[" + i + "]", "should name one entry; ignored");
    return null;
  }

  private static void append(StringBuilder list, String item) {
    if (list.length() > 0) {
      list.append(',');
    }
    list.append(item);
  }

  /** As the {@code OTEL_*} lists are read back: percent-encoding keeps a ',' or '=' in a value. */
  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  // ---- reporting

  private void report(Mapping mapping, String key, String problem) {
    Integer line = mapping.lines.get(key);
    report(line == null ? mapping.line : line, mapping.pathOf(key), problem);
  }

  private void report(Scalar scalar, String path, String problem) {
    report(scalar.line, path, problem);
  }

  /** Reports a problem with a whole mapping, whose keys then count as read. */
  private void reportTaken(Mapping mapping, String problem) {
    report(mapping.line, mapping.path, problem);
    Mapping.ignoreAll(mapping);
  }

  private void report(int line, String path, String problem) {
    if (++reported > MAX_REPORTED) {
      unreported++;
      return;
    }
    warn.accept(WeftConfig.printable(path) + (line > 0 ? " (line " + line + ")" : "") + " in " + label + ": " + problem);
  }

  /** Every key no part of Weft read: a setting it does not act on is said so, not silently dropped. */
  private void reportUnread(Object node) {
    if (node instanceof Mapping) {
      Mapping mapping = (Mapping) node;
      for (Map.Entry<String, Object> entry : mapping.entries.entrySet()) {
        if (!mapping.taken.contains(entry.getKey())) {
          report(mapping, entry.getKey(), "is not supported by Weft and is ignored");
        } else {
          reportUnread(entry.getValue());
        }
      }
    } else if (node instanceof List) {
      for (Object item : (List<?>) node) {
        reportUnread(item);
      }
    }
  }
}
