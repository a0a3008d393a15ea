package io.weft.smoke.app;

/**
 * Lives the given milliseconds (the agent builds its SDK meanwhile, as its class was woven), then makes its one
 * traced call and ends at once: the JVM exits while Weft's start-up thread may still be on its way to its line.
 */
public final class LateCallApp {

  public static void main(String[] args) throws InterruptedException {
    Thread.sleep(Long.parseLong(args[0]));
    System.out.println("then " + greet("weft"));
  }

  static String greet(String who) {
    return "hi " + who;
  }
}
