package io.weft.instrumentation.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.resources.Resource;

/**
 * The resource every span and metric of this JVM carries. Weft's encoders write its attributes directly; the
 * SDK's {@code Resource} is made from them only when something asks for that type (a console exporter,
 * {@code toSpanData()}, a test). That class's initializer builds and merges three resources of its own, with
 * entity checks run through streams and lambdas: 24-38 ms, interpreted, on the start-up thread that the first
 * traced call waits for.
 *
 * <p>The attribute keys must be valid resource keys (printable ASCII, 1 to 255 characters: what the SDK's
 * {@code Resource.create} checks); the agent's resource factory drops any other with a warning.
 */
public final class TelemetryResource {

  private final Attributes attributes;
  private volatile Resource sdk;

  public TelemetryResource(Attributes attributes) {
    this.attributes = attributes;
  }

  public Attributes attributes() {
    return attributes;
  }

  public <T> T get(AttributeKey<T> key) {
    return attributes.get(key);
  }

  /**
   * The SDK's resource with these attributes; made on the first call, then always the same object (the SDK's
   * marshalers group by identity).
   */
  public Resource sdk() {
    Resource made = sdk;
    if (made == null) {
      synchronized (this) {
        made = sdk;
        if (made == null) {
          made = Resource.create(attributes);
          sdk = made;
        }
      }
    }
    return made;
  }

  @Override
  public String toString() {
    return "TelemetryResource" + attributes;
  }
}
