package io.weft.instrumentation.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;

/**
 * The span name and attributes of a library method an instrumentation names after the application's class that
 * implements it: {@code HikariDataSource.getConnection}, {@code ShopController.item}, with {@code code.function.name}
 * the fully qualified {@code com.zaxxer.hikari.HikariDataSource.getConnection}. Made once per class and method by
 * its user. Agent class loader.
 */
public final class CodeShape {

  public static final AttributeKey<String> CODE_FUNCTION_NAME = AttributeKey.stringKey("code.function.name");

  public final String spanName;
  public final Attributes attributes;

  public CodeShape(Class<?> type, String methodName) {
    this(type.getName(), methodName);
  }

  /** {@code className}: fully qualified, as {@link Class#getName} gives it. */
  public CodeShape(String name, String methodName) {
    this.spanName = name.substring(name.lastIndexOf('.') + 1) + "." + methodName; // a nested class keeps its outer's name
    this.attributes = Attributes.of(CODE_FUNCTION_NAME, name + "." + methodName);
  }
}
