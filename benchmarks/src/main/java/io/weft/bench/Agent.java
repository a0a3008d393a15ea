package io.weft.bench;

/** What runs in the measured JVM: nothing, Weft, or the OpenTelemetry Java agent. */
enum Agent {
  NONE("no agent"),
  WEFT("Weft"),
  OTEL("OTel agent");

  final String label;

  Agent(String label) {
    this.label = label;
  }
}
