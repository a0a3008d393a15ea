package io.weft.instrumentation.methods;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;

/** What the tracer needs about one woven method, computed once at weave time. Agent class loader. */
final class MethodInfo {

  static final AttributeKey<String> CODE_FUNCTION_NAME = AttributeKey.stringKey("code.function.name");

  final String spanName;
  final String functionName;
  final SpanKind kind;
  /** Span attributes and, identical, the histogram attributes of a call that did not throw. */
  final Attributes attributes;

  MethodInfo(String spanName, String functionName, SpanKind kind) {
    this.spanName = spanName;
    this.functionName = functionName;
    this.kind = kind;
    this.attributes = Attributes.of(CODE_FUNCTION_NAME, functionName);
  }
}
