package io.weft.smoke.app;

/** An abstract class named in the configuration. */
public abstract class AbstractHandler {
  public abstract String handle(String input);
}
