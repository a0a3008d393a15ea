package io.weft.agent.otel;

import io.opentelemetry.api.common.AttributeKey;
import java.util.Comparator;

/**
 * Orders attribute keys by name: what the OpenTelemetry API's {@code ArrayBackedAttributes} builds its
 * attributes with. The build makes that class use this one ({@code io.weft.build.StartupPatches}) in place
 * of {@code Comparator.comparing(AttributeKey::getKey)}, which spins two lambda classes in its class
 * initializer, on the SDK build that the first traced call of a JVM waits for (that build became 5 ms
 * shorter without them).
 */
public final class AttributeKeyByName implements Comparator<AttributeKey<?>> {

  /** Read by the patched {@code ArrayBackedAttributes}; do not rename without the patch. */
  public static final Comparator<AttributeKey<?>> INSTANCE = new AttributeKeyByName();

  private AttributeKeyByName() {}

  @Override
  public int compare(AttributeKey<?> left, AttributeKey<?> right) {
    return left.getKey().compareTo(right.getKey());
  }
}
