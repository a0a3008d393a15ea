package io.weft.instrumentation.methods;

import io.opentelemetry.api.trace.SpanKind;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Numbers every woven method so that advice passes a constant int instead of strings, and the tracer
 * finds the precomputed span name and attributes by array index. Append-only; a retransformed method
 * keeps its id. Holds names only, never classes. Agent class loader.
 */
final class MethodRegistry {

  private final Map<String, Integer> ids = new HashMap<>();
  private volatile MethodInfo[] infos = new MethodInfo[64];
  private int size;

  synchronized int register(String key, String spanName, String functionName, SpanKind kind) {
    Integer known = ids.get(key);
    if (known != null) {
      return known;
    }
    int id = size++;
    MethodInfo[] current = infos;
    if (id == current.length) {
      current = Arrays.copyOf(current, current.length * 2);
    }
    current[id] = new MethodInfo(spanName, functionName, kind);
    infos = current; // publishes the new entry
    ids.put(key, id);
    return id;
  }

  MethodInfo get(int id) {
    MethodInfo[] current = infos;
    return id >= 0 && id < current.length ? current[id] : null;
  }
}
