package io.weft.smoke.servlet;

/** The containers the servlet smoke tests run: which bootstrap, which app, which smoke-libs group. */
enum ServletContainer {
  TOMCAT_9("tomcat", "io.weft.smoke.app.servlet.javax.JavaxApp", "tomcat9", false, false),
  TOMCAT_11("tomcat", "io.weft.smoke.app.servlet.jakarta.JakartaApp", "tomcat11", true, true),
  JETTY_12("jetty", "io.weft.smoke.app.servlet.jakarta.JakartaApp", "jetty12", false, true);

  final String kind;
  final String initializer;
  final String libs;
  final boolean war;
  /** Started with OTEL_INSTRUMENTATION_HTTP_SERVER_EMIT_EXPERIMENTAL_TELEMETRY=true (the others with the default). */
  final boolean experimentalTelemetry;

  ServletContainer(String kind, String initializer, String libs, boolean war, boolean experimentalTelemetry) {
    this.kind = kind;
    this.initializer = initializer;
    this.libs = libs;
    this.war = war;
    this.experimentalTelemetry = experimentalTelemetry;
  }
}
