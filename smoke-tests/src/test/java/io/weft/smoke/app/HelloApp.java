package io.weft.smoke.app;

/**
 * Prints a greeting, makes one configurable call and exits with code 7, so tests can see the exit code is untouched;
 * with an argument, it lives that many milliseconds more first.
 */
public final class HelloApp {

  public static void main(String[] args) throws InterruptedException {
    System.out.println("hello from app " + greet("weft"));
    if (args.length > 0) {
      Thread.sleep(Long.parseLong(args[0]));
    }
    System.exit(7);
  }

  static String greet(String who) {
    return "hi " + who;
  }
}
