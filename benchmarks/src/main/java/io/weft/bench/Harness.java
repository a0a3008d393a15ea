package io.weft.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every figure shares: the JDK, the jars, the receiver, and one configuration for both agents, passed as
 * {@code -D} properties (both agents read the {@code otel.*} twin of every {@code OTEL_*} variable).
 */
final class Harness {
  /** The traced methods of every application and benchmark, in the syntax both agents read. */
  static final String METHODS = "io.weft.bench.app.HelloApp[greet];"
      + "io.weft.bench.app.Chain[step1,step2,step3,step4,step5];"
      + "io.weft.bench.app.Producer[produce];"
      + "io.weft.bench.jmh.Traced[work];"
      + "io.weft.bench.jmh.Handoff[inSpan]";

  final Settings settings;
  final Path java;
  final Path benchJar;
  final Path weftJar;
  final Path otelJar;
  final Path receiverJar;
  /** The executable Spring Boot application (smoke-tests/spring-boot-app), or null: no Spring Boot start-up figure. */
  final Path springBootJar;
  final Path logs;
  final Receiver receiver;
  private final AtomicInteger logNumber = new AtomicInteger();

  Harness(Settings settings, Path java, Path benchJar, Path weftJar, Path otelJar, Path receiverJar, Path springBootJar,
      Path logs, Receiver receiver) {
    this.settings = settings;
    this.java = java;
    this.benchJar = benchJar;
    this.weftJar = weftJar;
    this.otelJar = otelJar;
    this.receiverJar = receiverJar;
    this.springBootJar = springBootJar;
    this.logs = logs;
    this.receiver = receiver;
  }

  /** The settings both agents get, as environment variable names; {@code overrides} replace or add. */
  Map<String, String> config(String service, Map<String, String> overrides) {
    Map<String, String> config = sharedConfig("weft-bench-" + service, receiver.endpoint());
    config.putAll(overrides);
    return config;
  }

  static Map<String, String> sharedConfig(String service, String endpoint) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("OTEL_SERVICE_NAME", service);
    config.put("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
    config.put("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint);
    config.put("OTEL_TRACES_EXPORTER", "otlp");
    config.put("OTEL_METRICS_EXPORTER", "otlp");
    config.put("OTEL_LOGS_EXPORTER", "none");
    config.put("OTEL_BSP_SCHEDULE_DELAY", "1000");
    config.put("OTEL_INSTRUMENTATION_METHODS_INCLUDE", METHODS);
    return config;
  }

  /** {@code -javaagent:...} and the configuration as {@code -D}; nothing for {@link Agent#NONE}. */
  List<String> agentArgs(Agent agent, String service, Map<String, String> overrides) {
    List<String> args = new ArrayList<>();
    if (agent == Agent.NONE) {
      return args;
    }
    args.add("-javaagent:" + (agent == Agent.WEFT ? weftJar : otelJar));
    for (Map.Entry<String, String> setting : config(service, overrides).entrySet()) {
      args.add("-D" + property(setting.getKey()) + "=" + setting.getValue());
    }
    return args;
  }

  /** {@code java [agent] [jvmOptions] -cp weft-benchmarks.jar main args}. */
  List<String> command(Agent agent, String service, Map<String, String> overrides, List<String> jvmOptions,
      String main, String... args) {
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(agentArgs(agent, service, overrides));
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(benchJar.toString());
    command.add(main);
    command.addAll(List.of(args));
    return command;
  }

  /** {@code java [agent] -jar jar args}: an executable jar, as its users start it. */
  List<String> jarCommand(Agent agent, String service, Path jar, String... args) {
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(agentArgs(agent, service, Map.of()));
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    return command;
  }

  /** A fresh log file for one child process, numbered in start order. */
  Path log(String name) {
    return logs.resolve(String.format(Locale.ROOT, "%04d-%s.log", logNumber.incrementAndGet(), name));
  }

  /** OTEL_BSP_SCHEDULE_DELAY -> otel.bsp.schedule.delay */
  static String property(String variable) {
    return variable.toLowerCase(Locale.ROOT).replace('_', '.');
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One GET on 127.0.0.1, body read and dropped; the status, or an IOException when nobody answers. */
  static int get(int port, String path) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL()
        .openConnection();
    connection.setConnectTimeout(1000);
    connection.setReadTimeout(10_000);
    int status = connection.getResponseCode();
    try (InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
      if (body != null) {
        body.readAllBytes();
      }
    }
    return status;
  }

  /**
   * Nanoseconds from the child's start to its first 200 on {@code path}, trying every 5 ms (the resolution of
   * this figure); throws with the child's output if it dies or takes longer than two minutes.
   */
  static long awaitFirstAnswer(Child child, int port, String path) throws InterruptedException {
    long deadline = child.startNanos() + 120_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!child.isAlive()) {
        throw new IllegalStateException("the application exited before answering; output:\n" + child.output());
      }
      try {
        if (get(port, path) == 200) {
          return System.nanoTime() - child.startNanos();
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(5);
    }
    throw new IllegalStateException("no answer on port " + port + " within 120 s; output in " + child.log());
  }
}
