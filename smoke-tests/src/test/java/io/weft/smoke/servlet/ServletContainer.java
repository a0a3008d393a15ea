package io.weft.smoke.servlet;

/** The containers the servlet smoke tests run: which bootstrap, which app, which smoke-libs group. */
enum ServletContainer {
  /** Servlet 3.1: no HttpServletMapping, so the routes are worked out from the context's mappings. */
  TOMCAT_8_5("tomcat", "io.weft.smoke.app.servlet.javax.JavaxApp", "tomcat85", false, false, false, ""),
  TOMCAT_9("tomcat", "io.weft.smoke.app.servlet.javax.JavaxApp", "tomcat9", false, false, true, ""),
  // the javax containers also run Jersey 2 (JavaxApp registers it when it is on the class path): JAX-RS routes
  TOMCAT_11("tomcat", "io.weft.smoke.app.servlet.jakarta.JakartaApp", "tomcat11", true, true, false, "logs/dup"),
  JETTY_12("jetty", "io.weft.smoke.app.servlet.jakarta.JakartaApp", "jetty12", false, true, true, "logs");

  final String kind;
  final String initializer;
  final String libs;
  final boolean war;
  /**
   * Started with OTEL_INSTRUMENTATION_HTTP_SERVER_EMIT_EXPERIMENTAL_TELEMETRY=true and
   * OTEL_INSTRUMENTATION_SERVLET_EXPERIMENTAL_SPAN_ATTRIBUTES=true (the others with the defaults).
   */
  final boolean experimentalTelemetry;
  /** Whether {@link ServletApp#OTHER_PROPAGATORS} are configured, rather than the default W3C ones. */
  final boolean otherPropagators;
  /** Whether the app runs Jersey 2 under /app/rs/* (javax.ws.rs resources; the jakarta ones run under Boot). */
  boolean jaxRs() {
    return initializer.endsWith("JavaxApp");
  }

  /** OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN: empty (span events, the default), logs, or logs/dup. */
  final String exceptionSignal;

  ServletContainer(String kind, String initializer, String libs, boolean war, boolean experimentalTelemetry, boolean otherPropagators,
      String exceptionSignal) {
    this.exceptionSignal = exceptionSignal;
    this.otherPropagators = otherPropagators;
    this.kind = kind;
    this.initializer = initializer;
    this.libs = libs;
    this.war = war;
    this.experimentalTelemetry = experimentalTelemetry;
  }
}
