package io.weft.smoke.app;

/** An interface named in the configuration: its implementations' load methods are traced. */
public interface Repository {
  String load(int id);
}
