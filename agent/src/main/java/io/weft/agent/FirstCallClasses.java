package io.weft.agent;

import io.weft.bridge.StartupGate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * What a thread that would idle at the {@link StartupGate} does first: loads the classes the first traced
 * call and the first export need (listed in {@code first-calls.txt}), while the start-up thread builds the
 * SDK on the other core. Loads only, so no class initializer runs on the application's thread and none can
 * wait on one the start-up thread runs; stops as soon as the gate opens.
 */
final class FirstCallClasses implements Runnable {

  private static final String LIST = "/io/weft/agent/first-calls.txt";

  private final ClassLoader loader;

  FirstCallClasses(ClassLoader loader) {
    this.loader = loader;
  }

  @Override
  public void run() {
    try (InputStream in = FirstCallClasses.class.getResourceAsStream(LIST)) {
      if (in == null) {
        return;
      }
      BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
      for (String name = lines.readLine(); name != null && StartupGate.isClosed(); name = lines.readLine()) {
        if (!name.isEmpty() && name.charAt(0) != '#') {
          load(name);
        }
      }
    } catch (IOException ignored) {
      // a head start only
    }
  }

  private void load(String name) {
    try {
      Class.forName(name, false, loader);
    } catch (ClassNotFoundException | LinkageError ignored) {
      // another JDK, or a class renamed since the list was made: the call loads what it needs itself
    }
  }
}
