package io.weft.smoke.app.safety;

import java.lang.ref.WeakReference;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Deploys a WAR in an embedded Tomcat 11, calls it and undeploys it, {@code <rounds>} times, keeping only
 * a WeakReference to each undeployed webapp's class loader; then collects garbage (at most 20 full
 * collections, 20 s) and prints how many of those loaders are still alive. Arguments: {@code <war>
 * <rounds> <keep|leak>}; {@code leak} makes the servlet leak its loader on purpose.
 */
public final class WarRedeployApp {

  public static void main(String[] args) throws Exception {
    String war = args[0];
    int rounds = Integer.parseInt(args[1]);
    boolean leak = args[2].equals("leak");
    // the database and DriverManager are set up by the application, before any webapp exists
    try (Connection c = DriverManager.getConnection("jdbc:h2:mem:war;DB_CLOSE_DELAY=-1"); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE visits (round INT)");
    }
    EmbeddedTomcat tomcat = EmbeddedTomcat.start(null);
    List<WeakReference<ClassLoader>> loaders = deployCallUndeploy(tomcat, war, rounds, leak);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    int alive = alive(loaders);
    for (int collections = 0; alive > 0 && collections < 20 && System.nanoTime() < deadline; collections++) {
      System.gc();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // lets the reference handler clear what was found
      alive = alive(loaders);
    }
    System.out.println("webapp class loaders alive after undeploy: " + alive + " of " + rounds);
    tomcat.stop();
    System.exit(0);
  }

  /** In its own frame, so no local variable of the caller still points at the last context. */
  private static List<WeakReference<ClassLoader>> deployCallUndeploy(EmbeddedTomcat tomcat, String war, int rounds,
      boolean leak) throws Exception {
    List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      String path = "/war" + round;
      Object context = tomcat.deploy(path, war);
      System.out.println("round " + round + ": " + tomcat.get(path + "/visit?round=" + round + (leak ? "&leak=true" : "")));
      loaders.add(new WeakReference<>(EmbeddedTomcat.webappLoader(context)));
      tomcat.undeploy(context);
    }
    return loaders;
  }

  private static int alive(List<WeakReference<ClassLoader>> loaders) {
    int alive = 0;
    for (WeakReference<ClassLoader> loader : loaders) {
      if (loader.get() != null) {
        alive++;
      }
    }
    return alive;
  }
}
