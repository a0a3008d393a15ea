package io.weft.receiver;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The weft-receiver command: an OTLP receiver on 127.0.0.1 that prints each trace as a waterfall and one
 * line per metrics or logs export, for a person watching what the agent sends. With {@code --count} it prints
 * running totals instead, for the overhead benchmark, which reads them to know what was delivered.
 */
public final class WeftReceiver implements ExportListener, AutoCloseable {
  private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final long TICK_MILLIS = 100;
  private static final int METRIC_NAMES_LISTED = 10;

  private final ReceiverOptions options;
  private final PrintStream out;
  private final boolean ansi;
  private final PendingTraces pending;
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(task -> {
    Thread thread = new Thread(task, "weft-trace-printer");
    thread.setDaemon(true);
    return thread;
  });
  private final AtomicLong spansCounted = new AtomicLong();
  private final AtomicLong pointsCounted = new AtomicLong();
  private final AtomicLong logsCounted = new AtomicLong();
  private String lastCountLine;
  private SpanJsonWriter json;
  private OtlpReceiver receiver;

  WeftReceiver(ReceiverOptions options, PrintStream out, boolean ansi) {
    this.options = options;
    this.out = out;
    this.ansi = ansi;
    this.pending = new PendingTraces(TimeUnit.MILLISECONDS.toNanos(options.quietMillis()), MAX_WAIT_NANOS);
  }

  public static void main(String[] args) throws InterruptedException {
    ReceiverOptions options;
    try {
      options = ReceiverOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("weft-receiver: " + e.getMessage());
      System.err.print(ReceiverOptions.USAGE);
      System.exit(2);
      return;
    }
    if (options.help()) {
      System.out.print(ReceiverOptions.USAGE);
      return;
    }
    boolean ansi = System.console() != null && System.getenv("NO_COLOR") == null;
    WeftReceiver tool = new WeftReceiver(options, System.out, ansi);
    try {
      tool.start();
    } catch (IOException | UncheckedIOException e) {
      System.err.println("weft-receiver: cannot start: " + e.getMessage()
          + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""));
      tool.close();
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      tool.close(); // Ctrl-C: print what is still pending
      stopped.countDown();
    }, "weft-receiver-shutdown"));
    stopped.await();
  }

  /** Opens the JSON file, starts the receiver and prints the startup line. */
  void start() throws IOException {
    if (options.jsonFile() != null) {
      json = new SpanJsonWriter(options.jsonFile());
    }
    receiver = OtlpReceiver.forward(options.httpPort(), options.grpcPort(), this);
    ticker.scheduleWithFixedDelay(this::printDue, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    List<String> endpoints = new ArrayList<>();
    if (receiver.httpPort() >= 0) {
      endpoints.add("OTLP/HTTP " + receiver.httpEndpoint());
    }
    if (receiver.grpcPort() >= 0) {
      endpoints.add("OTLP/gRPC " + receiver.grpcEndpoint());
    }
    print("weft-receiver listening: " + String.join(", ", endpoints)
        + (json == null ? "" : "; spans appended to " + options.jsonFile()) + " (Ctrl-C to stop)");
  }

  int httpPort() {
    return receiver.httpPort();
  }

  int grpcPort() {
    return receiver.grpcPort();
  }

  @Override
  public boolean countsSpansOnly() {
    return options.count() && json == null;
  }

  @Override
  public void spansCounted(int spans) {
    spansCounted.addAndGet(spans);
  }

  @Override
  public void spansReceived(List<ReceivedSpan> spans) {
    if (options.count()) {
      spansCounted.addAndGet(spans.size());
    } else {
      pending.add(spans, System.nanoTime());
    }
    if (json != null) {
      try {
        json.write(spans);
      } catch (IOException e) {
        System.err.println("weft-receiver: cannot write " + options.jsonFile() + ": " + e.getMessage());
      }
    }
  }

  @Override
  public void metricsReceived(List<ReceivedMetric> metrics) {
    if (options.count()) {
      pointsCounted.addAndGet(metrics.stream().mapToLong(ReceivedMetric::pointCount).sum());
    } else {
      print(metricsLine(metrics));
    }
  }

  @Override
  public void logsReceived(List<ReceivedLog> logs) {
    if (options.count()) {
      logsCounted.addAndGet(logs.size());
    } else {
      print(logsLine(logs));
    }
  }

  /** {@code logs: N records from service X: ERROR 1, INFO 2} for one export, by severity in order of appearance. */
  static String logsLine(List<ReceivedLog> logs) {
    Set<String> services = new LinkedHashSet<>();
    Map<String, Integer> severities = new LinkedHashMap<>();
    for (ReceivedLog log : logs) {
      services.add(log.serviceName() == null ? "?" : log.serviceName());
      String severity = log.severityText().isEmpty() ? "severity=" + log.severityNumber() : log.severityText();
      severities.merge(severity, 1, Integer::sum);
    }
    List<String> counts = new ArrayList<>();
    severities.forEach((severity, count) -> counts.add(severity + " " + count));
    return "logs: " + logs.size() + (logs.size() == 1 ? " record" : " records") + " from service "
        + String.join(", ", services) + ": " + String.join(", ", counts);
  }

  /** {@code metrics: N points from service X: name1, name2} for one export. */
  static String metricsLine(List<ReceivedMetric> metrics) {
    int points = 0;
    Set<String> services = new LinkedHashSet<>();
    Set<String> names = new LinkedHashSet<>();
    for (ReceivedMetric metric : metrics) {
      points += metric.pointCount();
      services.add(metric.serviceName() == null ? "?" : metric.serviceName());
      names.add(metric.name());
    }
    List<String> listed = new ArrayList<>(names);
    String more = "";
    if (listed.size() > METRIC_NAMES_LISTED) {
      more = ", ... (" + (listed.size() - METRIC_NAMES_LISTED) + " more)";
      listed = listed.subList(0, METRIC_NAMES_LISTED);
    }
    return "metrics: " + points + (points == 1 ? " point" : " points") + " from service "
        + String.join(", ", services) + ": " + String.join(", ", listed) + more;
  }

  private void printDue() {
    printCountIfChanged();
    for (List<ReceivedSpan> trace : pending.takeDue(System.nanoTime())) {
      print(Waterfall.render(trace, ansi));
    }
  }

  /**
   * In count mode, {@code count spans=N metric-points=M log-records=L} when any total moved since the last
   * line; the benchmark reads the line's start, so new totals go at its end.
   */
  private void printCountIfChanged() {
    if (!options.count()) {
      return;
    }
    String line = "count spans=" + spansCounted.get() + " metric-points=" + pointsCounted.get()
        + " log-records=" + logsCounted.get();
    synchronized (out) { // not this: close() holds it while waiting for the ticker, which calls here
      if (!line.equals(lastCountLine)) {
        lastCountLine = line;
        print(line);
      }
    }
  }

  private void print(String text) {
    synchronized (out) {
      out.print(text.endsWith("\n") ? text : text + "\n");
      out.flush();
    }
  }

  /** Stops receiving, then prints every pending trace, complete or not. */
  @Override
  public synchronized void close() {
    if (receiver != null) {
      receiver.close();
      receiver = null;
    }
    ticker.shutdownNow();
    try {
      ticker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    printCountIfChanged();
    for (List<ReceivedSpan> trace : pending.takeAll()) {
      print(Waterfall.render(trace, ansi));
    }
    if (json != null) {
      try {
        json.close();
      } catch (IOException e) {
        System.err.println("weft-receiver: cannot close " + options.jsonFile() + ": " + e.getMessage());
      }
      json = null;
    }
  }
}
