package io.weft.smoke.app.servlet;

/**
 * The servlet apps' business method, named in OTEL_INSTRUMENTATION_METHODS_INCLUDE by the tests, so
 * its span shows whether configured-method spans nest under the server span. Also packed into the WAR,
 * where the webapp's own loader defines it.
 */
public final class Work {

  private Work() {}

  public static int compute(String input) {
    int h = 0;
    for (int i = 0; i < input.length(); i++) {
      h = 31 * h + input.charAt(i);
    }
    return h;
  }
}
