package io.weft.instrumentation.servlet;

import io.weft.instrumentation.InstrumentationConfig;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** What the servlet tracer reads from configuration, once at start. Agent class loader. */
final class ServletSettings {

  static final String KNOWN_METHODS_KEY = "otel.instrumentation.http.known-methods";
  static final String SENSITIVE_QUERY_KEY = "weft.http.sensitive.query.parameters";
  static final String REQUEST_HEADERS_KEY = "otel.instrumentation.http.server.capture-request-headers";
  static final String RESPONSE_HEADERS_KEY = "otel.instrumentation.http.server.capture-response-headers";
  static final String EXPERIMENTAL_TELEMETRY_KEY = "otel.instrumentation.http.server.emit-experimental-telemetry";
  static final String REQUEST_PARAMETERS_KEY = "otel.instrumentation.servlet.experimental.capture-request-parameters";
  static final String EXPERIMENTAL_SPAN_ATTRIBUTES_KEY = "otel.instrumentation.servlet.experimental-span-attributes";
  static final String CONTROLLER_KEY = "otel.instrumentation.common.experimental.controller-telemetry.enabled";
  static final String VIEW_KEY = "otel.instrumentation.common.experimental.view-telemetry.enabled";
  static final String PARAMETER_PREFIX = "servlet.request.parameter.";

  final HttpMethods methods;
  final QueryRedactor redactor;
  final HeaderCapture headers;
  /** Metrics the semantic conventions still mark as in development ({@code http.server.active_requests}): off by default. */
  final boolean experimentalTelemetry;
  /** The request parameters to record at the end of each request, as configured (their names are case-sensitive). */
  final List<String> parameters;
  /** {@code servlet.timeout} on the span of an async request that timed out: off by default, as in the OpenTelemetry agent. */
  final boolean experimentalSpanAttributes;
  /** An INTERNAL span per Spring MVC handler method: off by default, as in the OpenTelemetry agent. */
  final boolean controllerSpans;
  /** An INTERNAL span per view a framework renders (Spring MVC's {@code DispatcherServlet.render}): off by default. */
  final boolean viewSpans;

  ServletSettings(HttpMethods methods, QueryRedactor redactor, HeaderCapture headers, boolean experimentalTelemetry,
      List<String> parameters, boolean experimentalSpanAttributes, boolean controllerSpans, boolean viewSpans) {
    this.methods = methods;
    this.redactor = redactor;
    this.headers = headers;
    this.experimentalTelemetry = experimentalTelemetry;
    this.parameters = parameters;
    this.experimentalSpanAttributes = experimentalSpanAttributes;
    this.controllerSpans = controllerSpans;
    this.viewSpans = viewSpans;
  }

  static ServletSettings defaults() {
    return new ServletSettings(HttpMethods.defaults(), QueryRedactor.defaults(), HeaderCapture.of(null, null), false, List.of(), false, false, false);
  }

  /** Trimmed, blank entries and repeats left out; the name's case is kept (a parameter's name is case-sensitive). */
  static List<String> parameterNames(List<String> configured) {
    if (configured == null) {
      return List.of();
    }
    Set<String> names = new LinkedHashSet<>();
    for (String name : configured) {
      if (name != null && !name.isBlank()) {
        names.add(name.trim());
      }
    }
    return List.copyOf(names);
  }

  /** {@code servlet.request.parameter.<name>}, the name lower-cased as the OpenTelemetry agent writes it. */
  static String parameterKey(String name) {
    return PARAMETER_PREFIX + name.toLowerCase(Locale.ROOT);
  }

  static ServletSettings from(InstrumentationConfig config) {
    List<String> request = config.getList(REQUEST_HEADERS_KEY);
    List<String> response = config.getList(RESPONSE_HEADERS_KEY);
    HeaderCapture headers = HeaderCapture.of(request, response);
    // one line per setting, naming it: the two lists are checked apart
    warnRejected(config, "OTEL_INSTRUMENTATION_HTTP_SERVER_CAPTURE_REQUEST_HEADERS", HeaderCapture.of(request, null));
    warnRejected(config, "OTEL_INSTRUMENTATION_HTTP_SERVER_CAPTURE_RESPONSE_HEADERS", HeaderCapture.of(null, response));
    return new ServletSettings(
        HttpMethods.of(config.getList(KNOWN_METHODS_KEY)),
        QueryRedactor.withExtraNames(config.getList(SENSITIVE_QUERY_KEY)),
        headers,
        config.getBoolean(EXPERIMENTAL_TELEMETRY_KEY, false),
        parameterNames(config.getList(REQUEST_PARAMETERS_KEY)),
        config.getBoolean(EXPERIMENTAL_SPAN_ATTRIBUTES_KEY, false),
        config.getBoolean(CONTROLLER_KEY, false),
        config.getBoolean(VIEW_KEY, false));
  }

  private static void warnRejected(InstrumentationConfig config, String name, HeaderCapture capture) {
    if (!capture.rejectedNames().isEmpty()) {
      config.warn(name + ": not header names, ignored: "
          + InstrumentationConfig.printable(String.join(", ", capture.rejectedNames())));
    }
  }
}
