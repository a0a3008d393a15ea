package io.weft.smoke.app.safety;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Heavy concurrency under the agent: {@code <threads>} threads, released together, each with its own
 * H2 connection, call {@link LoadWorker#unitOfWork} (one INSERT each) until {@code <millis>} have passed
 * or {@code <maxCallsPerThread>} calls are made. Prints {@code calls N rows M}: every call made and every
 * row the database holds, which must agree; exits 0, or 1 when a call failed.
 */
public final class ConcurrencyApp {

  private static final String URL = "jdbc:h2:mem:load;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=30000";

  public static void main(String[] args) throws Exception {
    int threads = Integer.parseInt(args[0]);
    long millis = Long.parseLong(args[1]);
    int maxCallsPerThread = Integer.parseInt(args[2]);
    try (Connection c = DriverManager.getConnection(URL); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE load_calls (worker INT, call_number INT, PRIMARY KEY (worker, call_number))");
    }
    AtomicLong calls = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread worker = new Thread(() -> {
        try (Connection c = DriverManager.getConnection(URL);
            PreparedStatement insert = c.prepareStatement("INSERT INTO load_calls (worker, call_number) VALUES (?, ?)")) {
          LoadWorker work = new LoadWorker(insert, thread);
          ready.countDown();
          go.await();
          long deadline = System.nanoTime() + millis * 1_000_000;
          for (int call = 0; call < maxCallsPerThread && System.nanoTime() < deadline; call++) {
            if (work.unitOfWork(call) != 1) {
              throw new IllegalStateException("insert did not insert");
            }
            calls.incrementAndGet();
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
          ready.countDown();
        }
      }, "load-" + t);
      worker.start();
      workers.add(worker);
    }
    ready.await();
    long start = System.nanoTime();
    go.countDown();
    for (Thread worker : workers) {
      worker.join();
    }
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
    long rows;
    try (Connection c = DriverManager.getConnection(URL); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT COUNT(*) FROM load_calls")) {
      r.next();
      rows = r.getLong(1);
    }
    System.out.println("calls " + calls.get() + " rows " + rows + " in " + elapsedMillis + " ms");
    if (failure.get() != null) {
      failure.get().printStackTrace(System.out);
      System.exit(1);
    }
  }
}
