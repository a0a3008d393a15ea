package io.weft.smoke.servlet;

/** The containers the servlet smoke tests run: which bootstrap, which app, which smoke-libs group. */
enum ServletContainer {
  /** Servlet 3.1: no HttpServletMapping, so the routes are worked out from the context's mappings. */
  TOMCAT_8_5("tomcat", "io.weft.smoke.app.servlet.javax.JavaxApp", "tomcat85", false, false, false, ""),
  TOMCAT_9("tomcat", "io.weft.smoke.app.servlet.javax.JavaxApp", "tomcat9", false, false, true, ""),
  // each also runs a JAX-RS implementation (its app registers it when it is on the class path): see jaxRsLibs
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
  /** The JAX-RS implementation the app runs under /app/rs/*: Jersey 2 for javax.ws.rs, RESTEasy 6 for jakarta.ws.rs. */
  String jaxRsLibs() {
    return initializer.endsWith("JavaxApp") ? "jersey2" : "resteasy6";
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
