package io.weft.smoke.app;

/**
 * Methods annotated with other agents' annotations (New Relic's and Datadog's {@code @Trace}), one that the test
 * excludes, and one with the application's own {@code @Timed}; {@link #outer} calls the New Relic one, so a traced
 * run nests it. Prints their results and exits with code 7.
 */
public final class ExternalAnnotationsApp {

  public static void main(String[] args) {
    System.out.println("external " + outer(2) + " " + datadog(3) + " " + excluded(4) + " " + timed(5));
    System.exit(7);
  }

  @datadog.trace.api.Trace(operationName = "outer.op")
  static int outer(int n) {
    return newRelic(n) + 1;
  }

  @com.newrelic.api.agent.Trace(dispatcher = true)
  static int newRelic(int n) {
    return n * 10;
  }

  @datadog.trace.api.Trace
  static int datadog(int n) {
    return n * 100;
  }

  @com.newrelic.api.agent.Trace
  static int excluded(int n) {
    return -n;
  }

  @Timed
  static int timed(int n) {
    return n;
  }
}
