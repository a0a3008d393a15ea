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

  public static void exitReturning(Object call, Object returned, Throwable thrown) {
    calls.add("exit " + call + " returned " + returned + " " + (thrown == null ? "-" : thrown.getClass().getSimpleName() + ":" + thrown.getMessage()));
  }

  public static void after(Object returned, String argument) {
    calls.add("after " + returned + " " + argument);
  }

  public static void boxed(Object self, Object a, Object b, Object c, Object d, Object e, Object f, Object g, Object h,
      Object i) {
    StringBuilder line = new StringBuilder("boxed");
    for (Object value : new Object[] {a, b, c, d, e, f, g, h, i}) {
      line.append(' ').append(value == null ? "null" : value.getClass().getSimpleName() + ":" + value);
    }
    calls.add(line.toString());
  }

  public static Runnable replace(Runnable task) {
    return () -> {
      calls.add("wrapped");
      task.run();
    };
  }
}
