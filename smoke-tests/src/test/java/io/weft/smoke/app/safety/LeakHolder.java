package io.weft.smoke.app.safety;

import java.util.ArrayList;
import java.util.List;

/**
 * On the application's class path, never in the WAR: a static list that keeps whatever it is given, so
 * the leaking variant of the redeploy test has a webapp class loader that cannot be collected.
 */
public final class LeakHolder {

  private static final List<Object> KEPT = new ArrayList<>();

  private LeakHolder() {}

  public static synchronized void keep(Object o) {
    KEPT.add(o);
  }
}
