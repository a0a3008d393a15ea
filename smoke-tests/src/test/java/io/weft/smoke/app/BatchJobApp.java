package io.weft.smoke.app;

/**
 * A short batch job: {@code count} traced calls, then it ends the way {@code mode} says: {@code
 * return} (main returns), {@code exit:N} (System.exit(N)), or {@code wait} (until SIGTERM).
 */
public final class BatchJobApp {

  public static void main(String[] args) throws Exception {
    int count = Integer.parseInt(args[0]);
    String mode = args.length > 1 ? args[1] : "return";
    Job job = new Job();
    long sum = 0;
    for (int i = 0; i < count; i++) {
      sum += job.step(i);
    }
    System.out.println("batch done " + count + " sum=" + sum);
    if (mode.startsWith("exit:")) {
      System.exit(Integer.parseInt(mode.substring(5)));
    } else if (mode.equals("wait")) {
      System.out.println("waiting for SIGTERM");
      Thread.currentThread().join();
    }
  }

  /** The traced unit of work. */
  public static final class Job {
    public int step(int i) {
      return i % 7;
    }
  }
}
