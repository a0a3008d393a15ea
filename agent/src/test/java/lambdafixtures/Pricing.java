package lambdafixtures;

/** The functional interface LambdaWeavingTest names in the methods configuration. */
public interface Pricing {
  int apply(int amount);
}
