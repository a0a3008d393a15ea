package io.weft.agent.export;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The export thread of one signal: sends the oldest buffered request until the collector takes it,
 * backing off exponentially with jitter (or as long as the collector's {@code Retry-After} says)
 * between failed attempts, never in a busy loop. A request the collector refuses for good is dropped
 * and counted. The application never waits for it: producers only add to the {@link ExportBuffer}.
 */
final class Delivery implements Runnable {

  /** Records one attempt's duration for the self-telemetry histogram; set once the meter exists. */
  interface AttemptListener {
    void attempt(long nanos, SendResult result);
  }

  private final Endpoint endpoint;
  private final ExportBuffer buffer;
  private final OtlpSender sender;
  private final Backoff backoff;
  private final boolean retry;
  private final ExportStats stats;
  private final Consumer<String> stderr;
  private final boolean debug;
  private final Object sleeper = new Object();
  private volatile AttemptListener listener;
  private volatile boolean stopping;
  private volatile boolean draining;
  /** Set at exit when an attempt failed: the exit does not wait out a collector that is not there. */
  private volatile boolean gaveUp;
  private volatile String lastFailure = "";
  private volatile boolean gaveUpBeforeDeadline;
  private boolean failing;
  private Thread thread;

  Delivery(Endpoint endpoint, ExportBuffer buffer, OtlpSender sender, Backoff backoff, boolean retry, ExportStats stats,
      Consumer<String> stderr, boolean debug) {
    this.endpoint = endpoint;
    this.buffer = buffer;
    this.sender = sender;
    this.backoff = backoff;
    this.retry = retry;
    this.stats = stats;
    this.stderr = stderr;
    this.debug = debug;
  }

  void start() {
    thread = new Thread(this, "weft-export-" + endpoint.signal);
    thread.setDaemon(true);
    thread.start();
  }

  void setListener(AttemptListener listener) {
    this.listener = listener;
  }

  @Override
  public void run() {
    try {
      sender.connectAhead();
    } catch (Throwable bug) {
      // a head start only: the export loop below must run whatever happened here
      io.weft.instrumentation.InternalErrors.report(endpoint.signal + " export thread", bug);
    }
    while (!stopping) {
      try {
        if (gaveUp) {
          synchronized (sleeper) {
            sleeper.wait(1000);
          }
          continue;
        }
        Payload payload = buffer.peek(1000);
        if (payload == null) {
          continue;
        }
        byte[] bytes = buffer.read(payload);
        if (bytes == null) {
          stats.dropped("unreadable_buffer_file", payload.items);
          continue;
        }
        long start = System.nanoTime();
        SendResult result = sender.send(bytes, payload.size, payload.gzip);
        long nanos = System.nanoTime() - start;
        AttemptListener attempts = listener;
        if (attempts != null) {
          attempts.attempt(nanos, result);
        }
        handle(payload, result, nanos);
      } catch (InterruptedException interrupted) {
        if (stopping) {
          return;
        }
      } catch (Throwable bug) {
        // never let the export thread die: a dead thread would silently stop all export
        io.weft.instrumentation.InternalErrors.report(endpoint.signal + " export thread", bug);
        pause(1000);
      }
    }
  }

  private void handle(Payload payload, SendResult result, long nanos) {
    switch (result.outcome) {
      case DELIVERED:
        // counted before the request leaves the buffer: the exit flush's last metric collection follows as soon
        // as the buffer is empty, without waiting for this thread, and must find the count
        stats.delivered.add(payload.items - Math.min(payload.items, result.rejectedItems));
        stats.dropped("rejected", Math.min(payload.items, result.rejectedItems));
        buffer.remove(payload);
        backoff.reset();
        if (failing) {
          failing = false;
          stderr.accept("[weft] exporting " + endpoint.signal + " to " + endpoint.url + " works again");
        }
        if (debug) {
          stderr.accept("[weft] exported " + payload.items + " " + endpoint.signal + " items in " + nanos / 1_000_000 + " ms"
              + (result.rejectedItems > 0 ? " (" + result.rejectedItems + " rejected by the collector)" : "")
              + "; waiting " + buffer.items() + ", dropped so far: " + stats.describeDropped());
        }
        break;
      case REJECTED:
        stats.dropped(result.errorType, payload.items);
        buffer.remove(payload);
        report(result, "; the collector refused " + payload.items + " " + endpoint.signal + " items, they are dropped");
        break;
      default:
        lastFailure = result.reason;
        if (draining) {
          // exiting: one more failure means the collector is not taking data now; do not hold up the exit
          gaveUp = true;
          report(result, "");
          buffer.wake();
          break;
        }
        if (!retry) {
          stats.dropped(result.errorType, payload.items);
          buffer.remove(payload);
          report(result, "; retries are off (OTEL_JAVA_EXPORTER_OTLP_RETRY_DISABLED), " + payload.items + " items dropped");
          break;
        }
        long wait = backoff.next(result.retryAfterMillis);
        report(result, "; the application is unaffected, data is kept (" + (buffer.hasDirectory() ? "memory, then "
            + buffer.directory() : "memory only") + ") and retried");
        if (debug) {
          stderr.accept("[weft] " + endpoint.signal + " export attempt failed (" + result.reason + "); next attempt in " + wait + " ms");
        }
        pause(wait);
    }
  }

  private void report(SendResult result, String consequence) {
    if (!failing) {
      failing = true;
      stderr.accept("[weft] cannot export " + endpoint.signal + " to " + endpoint.url + ": " + result.reason + consequence);
    }
  }

  /** Sleeps between attempts; the exit flush cuts it short (one more attempt), but never into a busy loop. */
  private void pause(long millis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    synchronized (sleeper) {
      long left;
      while (!stopping && !draining && (left = deadline - System.nanoTime()) > 0) {
        try {
          TimeUnit.NANOSECONDS.timedWait(sleeper, left);
        } catch (InterruptedException e) {
          if (stopping) {
            return;
          }
        }
      }
    }
  }

  /**
   * At exit: keeps delivering until everything is sent or the deadline passes, then stops the thread
   * (cancelling a request in flight). Returns true when everything was delivered.
   */
  boolean drain(long deadlineNanos) {
    beginDrain();
    boolean empty;
    try {
      empty = buffer.awaitEmpty(deadlineNanos, new GaveUp());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      empty = buffer.isEmpty();
    }
    gaveUpBeforeDeadline = gaveUp;
    // empty, nothing is in flight (a request leaves the buffer once answered): the thread is told to stop, not
    // waited for; waiting meant a switch to it and its end, a millisecond or more of a busy machine's exit
    stop(!empty);
    return empty;
  }

  /**
   * At exit, first: the export thread no longer waits between attempts, and one more failure ends the flush.
   * {@link #drain} calls it too; called ahead, it lets the exit do other work while the last data goes out.
   */
  void beginDrain() {
    draining = true;
    synchronized (sleeper) {
      sleeper.notifyAll();
    }
  }

  /** Why the exit flush stopped early, when it did: the last failure; empty when the deadline ended it. */
  String gaveUpBecause() {
    return gaveUpBeforeDeadline ? lastFailure : "";
  }

  /** Stops the export thread, cancelling a request in flight; {@code join}: and waits up to a second for it to end. */
  void stop(boolean join) {
    stopping = true;
    sender.cancel();
    synchronized (sleeper) {
      sleeper.notifyAll();
    }
    if (thread != null) {
      thread.interrupt();
      if (!join) {
        return;
      }
      try {
        thread.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Whether delivery gave up; a class rather than a lambda, since it is first needed at exit (see LeanSpanEncoder). */
  private final class GaveUp implements java.util.function.BooleanSupplier {
    @Override
    public boolean getAsBoolean() {
      return gaveUp;
    }
  }
}
