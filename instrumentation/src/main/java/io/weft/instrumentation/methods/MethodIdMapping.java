package io.weft.instrumentation.methods;

import io.opentelemetry.api.trace.SpanKind;
import java.util.function.Consumer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.annotation.AnnotationDescription;
import net.bytebuddy.description.annotation.AnnotationValue;
import net.bytebuddy.description.enumeration.EnumerationDescription;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.method.ParameterDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.bytecode.constant.IntegerConstant;

/**
 * Binds {@link MethodId} at weave time: registers the woven method (span name, {@code
 * code.function.name}, and for {@code @WithSpan} its name and kind) and writes its id into the advice
 * as a constant. Runs inside Byte Buddy while a class is transformed. Agent class loader.
 */
final class MethodIdMapping implements Advice.OffsetMapping.Factory<MethodId> {

  static final String WITH_SPAN = "io.opentelemetry.instrumentation.annotations.WithSpan";

  private final MethodRegistry registry;
  private final Consumer<String> debug;
  private final LambdaNames lambdaNames;

  /** Names spans after the woven method's own class. */
  MethodIdMapping(MethodRegistry registry, Consumer<String> debug) {
    this(registry, debug, (type, method) -> null);
  }

  /** Names lambda bodies after the interface method they implement, other methods as usual. */
  MethodIdMapping(MethodRegistry registry, Consumer<String> debug, LambdaNames lambdaNames) {
    this.registry = registry;
    this.debug = debug;
    this.lambdaNames = lambdaNames;
  }

  /** Which interface method a woven lambda body implements; {@code null} for any other method. */
  interface LambdaNames {
    LambdaCallSites.Implemented implemented(TypeDescription type, MethodDescription method);
  }

  @Override
  public Class<MethodId> getAnnotationType() {
    return MethodId.class;
  }

  @Override
  public Advice.OffsetMapping make(
      ParameterDescription.InDefinedShape target,
      AnnotationDescription.Loadable<MethodId> annotation,
      AdviceType adviceType) {
    return (instrumentedType, instrumentedMethod, assigner, argumentHandler, sort) ->
        new Advice.OffsetMapping.Target.ForStackManipulation(
            IntegerConstant.forValue(register(instrumentedType, instrumentedMethod)));
  }

  private int register(TypeDescription type, MethodDescription method) {
    String className = type.getName();
    String methodName = method.getName();
    LambdaCallSites.Implemented implemented = lambdaNames.implemented(type, method);
    if (implemented != null) {
      // the body's own name (lambda$main$0) is a javac detail; the interface method is what users named
      className = implemented.interfaceName;
      methodName = implemented.methodName;
    }
    String functionName = className + "." + methodName;
    String spanName = simpleName(className) + "." + methodName;
    SpanKind kind = SpanKind.INTERNAL;
    AnnotationDescription withSpan = withSpan(method);
    if (withSpan != null) {
      String value = annotationString(withSpan, "value");
      if (value != null && !value.isEmpty()) {
        spanName = value;
      }
      kind = annotationKind(withSpan);
    }
    String key = type.getName() + "#" + method.getName() + method.getDescriptor();
    int id = registry.register(key, spanName, functionName, kind);
    debug.accept(
        "weaving " + type.getName() + "." + method.getName() + method.getDescriptor() + " as span '" + spanName + "'");
    return id;
  }

  private static String simpleName(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }

  private static AnnotationDescription withSpan(MethodDescription method) {
    for (AnnotationDescription annotation : method.getDeclaredAnnotations()) {
      if (annotation.getAnnotationType().getName().equals(WITH_SPAN)) {
        return annotation;
      }
    }
    return null;
  }

  private static String annotationString(AnnotationDescription annotation, String property) {
    try {
      return annotation.getValue(property).resolve(String.class);
    } catch (RuntimeException unreadable) {
      return null;
    }
  }

  private static SpanKind annotationKind(AnnotationDescription annotation) {
    try {
      AnnotationValue<?, ?> value = annotation.getValue("kind");
      EnumerationDescription kind = value.resolve(EnumerationDescription.class);
      return SpanKind.valueOf(kind.getValue());
    } catch (RuntimeException unreadable) {
      return SpanKind.INTERNAL;
    }
  }
}
