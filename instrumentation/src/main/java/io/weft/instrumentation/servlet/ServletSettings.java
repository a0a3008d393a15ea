package io.weft.instrumentation.servlet;

import io.weft.instrumentation.InstrumentationConfig;

/** What the servlet tracer reads from configuration, once at start. Agent class loader. */
final class ServletSettings {

  static final String KNOWN_METHODS_KEY = "otel.instrumentation.http.known-methods";
  static final String SENSITIVE_QUERY_KEY = "weft.http.sensitive.query.parameters";
  static final String REQUEST_HEADERS_KEY = "otel.instrumentation.http.server.capture-request-headers";
  static final String RESPONSE_HEADERS_KEY = "otel.instrumentation.http.server.capture-response-headers";

  final HttpMethods methods;
  final QueryRedactor redactor;
  final HeaderCapture headers;

  ServletSettings(HttpMethods methods, QueryRedactor redactor, HeaderCapture headers) {
    this.methods = methods;
    this.redactor = redactor;
    this.headers = headers;
  }

  static ServletSettings defaults() {
    return new ServletSettings(HttpMethods.defaults(), QueryRedactor.defaults(), HeaderCapture.of(null, null));
  }

  static ServletSettings from(InstrumentationConfig config) {
    HeaderCapture headers =
        HeaderCapture.of(config.getList(REQUEST_HEADERS_KEY), config.getList(RESPONSE_HEADERS_KEY));
    if (!headers.rejectedNames().isEmpty()) {
      config.warn(
          "OTEL_INSTRUMENTATION_HTTP_SERVER_CAPTURE_*_HEADERS: not header names, ignored: "
              + String.join(", ", headers.rejectedNames()));
    }
    return new ServletSettings(
        HttpMethods.of(config.getList(KNOWN_METHODS_KEY)),
        QueryRedactor.withExtraNames(config.getList(SENSITIVE_QUERY_KEY)),
        headers);
  }
}
