package io.weft.smoke.app;

/** Loaded by a custom class loader in the test application. */
public class Plugin {
  public String run() {
    return "plugin ran in " + getClass().getClassLoader().getName();
  }
}
