package directfixtures;

import io.opentelemetry.instrumentation.annotations.WithSpan;

/** Its greet is both inherited from the named interface and annotated: one span, named by the annotation. */
public class Both implements Greeter {
  @WithSpan("both greet")
  @Override
  public String greet(String name) {
    return "both " + name;
  }
}
