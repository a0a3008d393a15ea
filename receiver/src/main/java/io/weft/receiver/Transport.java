package io.weft.receiver;

import java.util.Locale;

/** How an export reached the receiver: OTLP/HTTP (protobuf or JSON) or OTLP/gRPC. */
public enum Transport {
  HTTP,
  GRPC;

  String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
