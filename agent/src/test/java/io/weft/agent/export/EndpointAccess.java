package io.weft.agent.export;

/** The package-private parts of an {@link Endpoint}, for the tests of other packages. */
public final class EndpointAccess {
  private EndpointAccess() {}

  public static String requestUrl(Endpoint endpoint) {
    return endpoint.requestUrl();
  }

  public static String componentType(Endpoint endpoint) {
    return endpoint.componentType();
  }
}
