package io.weft.bench.app;

/** The start-up figure's hello world: one traced call, one line, exit. Runs in a child JVM. */
public final class HelloApp {
  private HelloApp() {}

  public static void main(String[] args) {
    System.out.println(greet(args.length > 0 ? args[0] : "world"));
  }

  /** Traced through OTEL_INSTRUMENTATION_METHODS_INCLUDE, so each agent sets up and flushes one span. */
  static String greet(String name) {
    return "hello, " + name;
  }
}
