package io.weft.smoke.support;

import io.weft.receiver.OtlpReceiver;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A child JVM running one test application, with or without the agent. Output (stdout and stderr
 * together) goes to a file so the child never blocks on a full pipe; it is printed when a test fails
 * through {@link #describe()}. {@link #close()} kills the child, forcibly if it does not stop.
 */
public final class ChildJvm implements AutoCloseable {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final Path output;
  private final List<String> command;

  private ChildJvm(Process process, Path output, List<String> command) {
    this.process = process;
    this.output = output;
    this.command = command;
  }

  /** The packaged agent jar the build produced. */
  public static Path agentJar() {
    Path jar = Path.of(System.getProperty("weft.agent.jar", "../agent/target/weft-agent.jar")).toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no agent jar at " + jar + ": run 'mvn -DskipTests package' first");
    }
    return jar;
  }

  /** The test classes directory: the test applications' own classes. */
  public static Path testClasses() {
    return Path.of(System.getProperty("weft.smoke.classes", "target/test-classes"));
  }

  /** Jars copied for the test applications by the build, by group: {@code target/smoke-libs/<group>/*.jar}. */
  public static List<Path> libs(String group) {
    Path dir = Path.of(System.getProperty("weft.smoke.libs", "target/smoke-libs")).resolve(group);
    try (var files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
    } catch (IOException e) {
      throw new IllegalStateException("no libraries for '" + group + "' in " + dir + " (built by maven-dependency-plugin)", e);
    }
  }

  /** A child with the agent, exporting to {@code otlp} over http/protobuf with short delays. */
  public static Builder withAgent(Jdk jdk, OtlpReceiver otlp) {
    return new Builder(jdk)
        .jvmArg("-javaagent:" + agentJar())
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.httpEndpoint())
        .env("OTEL_SERVICE_NAME", "smoke-app")
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .env("OTEL_METRIC_EXPORT_INTERVAL", "500");
  }

  public static Builder withoutAgent(Jdk jdk) {
    return new Builder(jdk);
  }

  public int pid() {
    return (int) process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Everything the child printed so far. */
  public String output() {
    try {
      return Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "<output unreadable: " + e + ">";
    }
  }

  /** Waits until the child printed {@code text}; fails with the output when the deadline passes or the child dies first. */
  public ChildJvm awaitOutput(String text) {
    return awaitOutput(text, DEFAULT_TIMEOUT);
  }

  public ChildJvm awaitOutput(String text, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (output().contains(text)) {
        return this;
      }
      if (!process.isAlive() && !output().contains(text)) {
        throw new AssertionError("child exited (" + process.exitValue() + ") without printing '" + text + "'\n" + describe());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("child did not print '" + text + "' within " + timeout + "\n" + describe());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  /** Waits for the child to exit and returns its exit code; fails with the output on timeout. */
  public int awaitExit() {
    return awaitExit(DEFAULT_TIMEOUT);
  }

  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("child did not exit within " + timeout + "\n" + describe());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Sends SIGTERM, as an orchestrator stopping the service would. */
  public void terminate() {
    process.destroy();
  }

  /** The command line and output, for failure messages. */
  public String describe() {
    return "--- command: " + String.join(" ", command) + "\n--- output:\n" + output() + "--- end of output";
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Describes the child to start. */
  public static final class Builder {
    private final Jdk jdk;
    private final List<String> jvmArgs = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<Path> classpath = new ArrayList<>();

    private Builder(Jdk jdk) {
      this.jdk = jdk;
      classpath.add(testClasses());
    }

    /** Removes a JVM argument set before (e.g. {@link #withAgent}'s {@code -javaagent}). */
    public Builder withoutJvmArg(String arg) {
      jvmArgs.remove(arg);
      return this;
    }

    public Builder jvmArg(String arg) {
      jvmArgs.add(arg);
      return this;
    }

    /** A {@code -D} property. */
    public Builder property(String name, String value) {
      jvmArgs.add("-D" + name + "=" + value);
      return this;
    }

    public Builder env(String name, String value) {
      env.put(name, value);
      return this;
    }

    public Builder withoutEnv(String name) {
      env.put(name, null);
      return this;
    }

    public Builder classpath(Path entry) {
      classpath.add(entry);
      return this;
    }

    public Builder classpath(List<Path> entries) {
      classpath.addAll(entries);
      return this;
    }

    /** Adds the jars of {@link ChildJvm#libs(String)}. */
    public Builder libs(String group) {
      return classpath(ChildJvm.libs(group));
    }

    /** Replaces the default class path (the test classes) entirely. */
    public Builder onlyClasspath(List<Path> entries) {
      classpath.clear();
      classpath.addAll(entries);
      return this;
    }

    public ChildJvm start(Class<?> mainClass, String... args) {
      return start(mainClass.getName(), args);
    }

    public ChildJvm start(String mainClass, String... args) {
      List<String> command = new ArrayList<>();
      command.add(jdk.java().toString());
      command.addAll(jvmArgs);
      command.add("-cp");
      command.add(String.join(File.pathSeparator, classpath.stream().map(Path::toString).toList()));
      command.add(mainClass);
      command.addAll(List.of(args));
      return start(command);
    }

    /** {@code java -jar jar args}, as an executable jar is run: its manifest names the class path, not this builder. */
    public ChildJvm startJar(Path jar, String... args) {
      List<String> command = new ArrayList<>();
      command.add(jdk.java().toString());
      command.addAll(jvmArgs);
      command.add("-jar");
      command.add(jar.toString());
      command.addAll(List.of(args));
      return start(command);
    }

    private ChildJvm start(List<String> command) {
      try {
        Path out = Files.createTempFile("weft-child-", ".log");
        out.toFile().deleteOnExit();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        // a clean slate: the test decides every OTEL_ and WEFT_ setting the child sees
        builder.environment().keySet().removeIf(k -> k.startsWith("OTEL_") || k.startsWith("WEFT_") || k.equals("JAVA_TOOL_OPTIONS"));
        for (Map.Entry<String, String> e : env.entrySet()) {
          if (e.getValue() == null) {
            builder.environment().remove(e.getKey());
          } else {
            builder.environment().put(e.getKey(), e.getValue());
          }
        }
        return new ChildJvm(builder.start(), out, command);
      } catch (IOException e) {
        throw new IllegalStateException("cannot start " + command, e);
      }
    }
  }
}
