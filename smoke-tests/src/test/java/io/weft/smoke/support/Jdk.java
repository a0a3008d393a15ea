package io.weft.smoke.support;

import java.nio.file.Path;

/** A JDK the smoke tests launch child JVMs on. */
public record Jdk(String name, Path home) {

  public Path java() {
    return home.resolve("bin").resolve("java");
  }

  @Override
  public String toString() {
    return name;
  }
}
