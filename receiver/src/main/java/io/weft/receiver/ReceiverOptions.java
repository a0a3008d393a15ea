package io.weft.receiver;

import java.nio.file.Path;

/** The weft-receiver command line, parsed; {@link #parse} throws IllegalArgumentException with a one-line reason. */
record ReceiverOptions(int httpPort, int grpcPort, Path jsonFile, long quietMillis, boolean count, boolean help) {
  static final String USAGE = String.join("\n",
      "usage: java -jar weft-receiver.jar [--http-port PORT] [--grpc-port PORT] [--json FILE] [--quiet-ms MS] [--count]",
      "  --http-port PORT  OTLP/HTTP port on 127.0.0.1 (default 4318; 0 = any free port, -1 = off)",
      "  --grpc-port PORT  OTLP/gRPC port on 127.0.0.1 (default 4317; 0 = any free port, -1 = off)",
      "  --json FILE       also append every span to FILE, one JSON object per line",
      "  --quiet-ms MS     print a trace once its root arrived and MS ms passed without a new span (default 1000)",
      "  --count           print running totals instead of traces: 'count spans=N metric-points=M log-records=L',",
      "                    when they change",
      "  --help            print this and exit",
      "");

  static ReceiverOptions parse(String... args) {
    int httpPort = 4318;
    int grpcPort = 4317;
    Path jsonFile = null;
    long quietMillis = 1000;
    boolean count = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String value = null;
      int equals = arg.indexOf('=');
      if (arg.startsWith("--") && equals > 0) {
        name = arg.substring(0, equals);
        value = arg.substring(equals + 1);
      }
      switch (name) {
        case "--help":
        case "-h":
          return new ReceiverOptions(httpPort, grpcPort, jsonFile, quietMillis, count, true);
        case "--count":
          if (value != null) {
            throw new IllegalArgumentException("--count takes no value");
          }
          count = true;
          continue;
        case "--http-port":
        case "--grpc-port":
        case "--json":
        case "--quiet-ms":
          if (value == null) {
            if (i + 1 >= args.length) {
              throw new IllegalArgumentException(name + " needs a value");
            }
            value = args[++i];
          }
          break;
        default:
          throw new IllegalArgumentException("unknown option: " + arg);
      }
      switch (name) {
        case "--http-port":
          httpPort = port(name, value);
          break;
        case "--grpc-port":
          grpcPort = port(name, value);
          break;
        case "--json":
          if (value.isBlank()) {
            throw new IllegalArgumentException("--json needs a file name");
          }
          jsonFile = Path.of(value);
          break;
        default:
          quietMillis = number(name, value, 0, Long.MAX_VALUE);
          break;
      }
    }
    if (httpPort < 0 && grpcPort < 0) {
      throw new IllegalArgumentException("--http-port and --grpc-port are both off; nothing would be received");
    }
    return new ReceiverOptions(httpPort, grpcPort, jsonFile, quietMillis, count, false);
  }

  private static int port(String name, String value) {
    return (int) number(name, value, -1, 65535);
  }

  private static long number(String name, String value, long min, long max) {
    long number;
    try {
      number = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " takes a number, not '" + value + "'");
    }
    if (number < min || number > max) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + number);
    }
    return number;
  }
}
