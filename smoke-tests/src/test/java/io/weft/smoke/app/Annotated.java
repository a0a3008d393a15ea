package io.weft.smoke.app;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.instrumentation.annotations.WithSpan;

/** Not configured by pattern: traced because of @WithSpan alone. */
public class Annotated {

  @WithSpan
  public String work() {
    return "worked";
  }

  @WithSpan(value = "custom-name", kind = SpanKind.CLIENT)
  public String named() {
    return "named";
  }

  /** Excluded by the test (OTEL_INSTRUMENTATION_OPENTELEMETRY_INSTRUMENTATION_ANNOTATIONS_EXCLUDE_METHODS): not traced. */
  @WithSpan
  public String excluded() {
    return "excluded";
  }

  public String plain() {
    return "untraced";
  }
}
