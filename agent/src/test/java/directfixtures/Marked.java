package directfixtures;

import io.opentelemetry.instrumentation.annotations.WithSpan;

/** Not named by any pattern: only its annotated method is woven. */
public class Marked {
  @WithSpan("marked")
  public int mark() {
    return 1;
  }

  public int plain() {
    return 2;
  }
}
