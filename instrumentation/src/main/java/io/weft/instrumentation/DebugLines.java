package io.weft.instrumentation;

import java.util.function.Consumer;

/**
 * {@link InstrumentationConfig#debug} as a consumer, for weavers that report what they did: a class
 * rather than a method reference, since instrumentations make it in premain, where the first lambda
 * costs milliseconds. Agent class loader.
 */
public final class DebugLines implements Consumer<String> {

  private final InstrumentationConfig config;

  public DebugLines(InstrumentationConfig config) {
    this.config = config;
  }

  @Override
  public void accept(String line) {
    config.debug(line);
  }
}
