package prefilterfixtures;

/** Application-like classes for PrefilteringTransformerTest: outside io.weft, so the ignore list lets them through. */
public final class PrefilterFixtures {

  private PrefilterFixtures() {}

  public static final class Plain {}

  public static final class AlsoPlain {}

  /** Carries the string the test's filter looks for. */
  public static final class Marked {
    public static final String MARK = "weave-me";
  }

  public static final class AlsoMarked {
    public static final String MARK = "weave-me";
  }

  /** Declares the method the deferred instrumentations' sieve looks for. */
  public static final class Serving {
    public void serve() {}
  }
}
