package io.weft.instrumentation.logging;

import io.weft.instrumentation.InternalErrors;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;

/**
 * What {@link MdcWithSpan} needs of Log4j's {@code StringMap}, whose classes the agent's loader cannot see: its
 * {@code containsKey} and {@code toMap}, and a frozen {@code JdkMapAdapterStringMap} around a copy, as method
 * handles found once per Log4j (per class of its context data provider) through that provider's loader. Public
 * API only ({@code ReadOnlyStringMap}, {@code JdkMapAdapterStringMap}, present from 2.7 on). Agent class loader.
 */
final class Log4jMaps {

  private static final ClassValue<Log4jMaps> BY_PROVIDER = new ClassValue<Log4jMaps>() {
    @Override
    protected Log4jMaps computeValue(Class<?> provider) {
      try {
        return new Log4jMaps(provider.getClassLoader());
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        InternalErrors.report("Log4j's context data (no trace ids in its lines)", e);
        return null;
      }
    }
  };

  private final MethodHandle containsKey;
  private final MethodHandle toMap;
  private final MethodHandle adapter;
  private final MethodHandle freeze;

  private Log4jMaps(ClassLoader loader) throws ReflectiveOperationException {
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    Class<?> readOnly = Class.forName("org.apache.logging.log4j.util.ReadOnlyStringMap", false, loader);
    Class<?> adapterType = Class.forName("org.apache.logging.log4j.core.impl.JdkMapAdapterStringMap", false, loader);
    containsKey = lookup.findVirtual(readOnly, "containsKey", MethodType.methodType(boolean.class, String.class))
        .asType(MethodType.methodType(boolean.class, Object.class, String.class));
    toMap = lookup.findVirtual(readOnly, "toMap", MethodType.methodType(Map.class))
        .asType(MethodType.methodType(Map.class, Object.class));
    adapter = lookup.findConstructor(adapterType, MethodType.methodType(void.class, Map.class))
        .asType(MethodType.methodType(Object.class, Map.class));
    freeze = lookup.findVirtual(adapterType, "freeze", MethodType.methodType(void.class))
        .asType(MethodType.methodType(void.class, Object.class));
  }

  /** Null when this Log4j lacks what is needed (reported once). */
  static Log4jMaps of(Class<?> provider) {
    return BY_PROVIDER.get(provider);
  }

  boolean containsKey(Object stringMap, String key) {
    try {
      return (boolean) containsKey.invokeExact(stringMap, key);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  @SuppressWarnings("unchecked")
  Map<String, String> toMap(Object stringMap) {
    try {
      return (Map<String, String>) toMap.invokeExact(stringMap);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** A frozen {@code StringMap} of {@code map}, as Log4j hands the thread context to an event. */
  Object frozenCopy(Map<String, String> map) {
    try {
      Object made = adapter.invokeExact(map);
      freeze.invokeExact(made);
      return made;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }
}
