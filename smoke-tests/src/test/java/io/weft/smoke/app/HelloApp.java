package io.weft.smoke.app;

/** Prints a greeting, makes one configurable call and exits with code 7, so tests can see the exit code is untouched. */
public final class HelloApp {

  public static void main(String[] args) {
    System.out.println("hello from app " + greet("weft"));
    System.exit(7);
  }

  static String greet(String who) {
    return "hi " + who;
  }
}
