package io.weft.instrumentation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An {@link InstrumentationConfig} over a map of settings, keeping the lines it is asked to report. Tests only. */
public final class MapConfig implements InstrumentationConfig {
  private final Map<String, String> values;
  public final List<String> warnings = new ArrayList<>();

  public MapConfig(Map<String, String> values) {
    this.values = values;
  }

  @Override
  public String getString(String key) {
    return values.get(key);
  }

  @Override
  public boolean getBoolean(String key, boolean defaultValue) {
    String value = values.get(key);
    return value == null ? defaultValue : Boolean.parseBoolean(value);
  }

  @Override
  public List<String> getList(String key) {
    String value = values.get(key);
    List<String> list = new ArrayList<>();
    if (value != null) {
      for (String item : value.split(",")) {
        if (!item.trim().isEmpty()) {
          list.add(item.trim());
        }
      }
    }
    return list;
  }

  @Override
  public boolean debug() {
    return false;
  }

  @Override
  public void warn(String message) {
    warnings.add(message);
  }

  @Override
  public void debug(String message) {}
}
