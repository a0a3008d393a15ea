package io.weft.receiver;

import java.util.Map;

/** One sum or gauge data point: its attributes as Java values and its value, a Long or a Double. */
public record NumberPointView(Map<String, Object> attributes, Number value, long epochNanos) {

  public Object attr(String key) {
    return attributes.get(key);
  }

  public boolean isDouble() {
    return value instanceof Double;
  }

  public long longValue() {
    return value.longValue();
  }

  public double doubleValue() {
    return value.doubleValue();
  }
}
