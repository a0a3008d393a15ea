package io.weft.instrumentation.directfixtures;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Stands in for a bridge: records what woven code hands it. */
public final class Recorder {
  public static final List<String> calls = new CopyOnWriteArrayList<>();

  private Recorder() {}

  public static Object enter(Object self, Object argument) {
    calls.add("enter " + (self == null ? "null" : self.getClass().getSimpleName()) + " " + argument);
    return "call#" + calls.size();
  }

  public static void exit(Object call, Throwable thrown) {
    calls.add("exit " + call + " " + (thrown == null ? "-" : thrown.getClass().getSimpleName() + ":" + thrown.getMessage()));
  }

  public static void after(Object returned, String argument) {
    calls.add("after " + returned + " " + argument);
  }

  public static Runnable replace(Runnable task) {
    return () -> {
      calls.add("wrapped");
      task.run();
    };
  }
}
