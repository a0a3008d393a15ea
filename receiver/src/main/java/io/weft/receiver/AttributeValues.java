package io.weft.receiver;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns OTLP {@code AnyValue}s into plain Java values: String, Long, Double, Boolean, List, Map, byte[]. */
final class AttributeValues {
  private AttributeValues() {}

  static Object toJava(AnyValue value) {
    switch (value.getValueCase()) {
      case STRING_VALUE:
        return value.getStringValue();
      case BOOL_VALUE:
        return value.getBoolValue();
      case INT_VALUE:
        return value.getIntValue();
      case DOUBLE_VALUE:
        return value.getDoubleValue();
      case ARRAY_VALUE:
        List<Object> list = new ArrayList<>();
        for (AnyValue element : value.getArrayValue().getValuesList()) {
          list.add(toJava(element));
        }
        return Collections.unmodifiableList(list);
      case KVLIST_VALUE:
        return toMap(value.getKvlistValue().getValuesList());
      case BYTES_VALUE:
        return value.getBytesValue().toByteArray();
      default:
        return null;
    }
  }

  /** Insertion-ordered and unmodifiable; a repeated key keeps its last value. */
  static Map<String, Object> toMap(List<KeyValue> attributes) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (KeyValue attribute : attributes) {
      map.put(attribute.getKey(), toJava(attribute.getValue()));
    }
    return Collections.unmodifiableMap(map);
  }

  static Object find(List<KeyValue> attributes, String key) {
    Object found = null;
    for (KeyValue attribute : attributes) {
      if (attribute.getKey().equals(key)) {
        found = toJava(attribute.getValue());
      }
    }
    return found;
  }
}
