package io.weft.smoke.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The JDKs every smoke test runs the agent on: the one running the tests (17) and Temurin 25. A
 * missing second JDK fails the run under CI (where it must be there) and is reported, not hidden,
 * elsewhere: the 25 variants are then skipped by JUnit with the reason.
 */
public final class Jdks {

  private Jdks() {}

  public static Stream<Jdk> all() {
    List<Jdk> jdks = new ArrayList<>();
    jdks.add(current());
    String home25 = System.getProperty("weft.jdk25.home", "");
    if (!home25.isEmpty() && Files.isExecutable(Path.of(home25, "bin", "java"))) {
      jdks.add(new Jdk("25", Path.of(home25)));
    } else if (System.getenv("CI") != null) {
      throw new IllegalStateException("CI needs the second JDK at weft.jdk25.home='" + home25 + "'");
    } else {
      System.err.println("[smoke] no JDK 25 at '" + home25 + "': only JDK " + current().name() + " is tested");
    }
    return jdks.stream();
  }

  public static Jdk current() {
    return new Jdk(String.valueOf(Runtime.version().feature()), Path.of(System.getProperty("java.home")));
  }
}
