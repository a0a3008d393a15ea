package io.weft.instrumentation.methods;

import io.weft.instrumentation.InstrumentationConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Parses the OpenTelemetry Java agent's method list syntax, {@code com.acme.Orders[place,cancel];
 * com.acme.Repo[*]}, extended with {@code *} and {@code **} wildcards in class and method names. A
 * malformed entry is reported once and skipped; the others still apply.
 */
final class MethodPatternParser {

  private MethodPatternParser() {}

  static List<MethodPattern> parse(String setting, String key, Consumer<String> warn) {
    List<MethodPattern> patterns = new ArrayList<>();
    if (setting == null) {
      return patterns;
    }
    for (String rawEntry : setting.split(";")) {
      String entry = rawEntry.trim();
      if (entry.isEmpty()) {
        continue;
      }
      String problem = null;
      MethodPattern pattern = null;
      int open = entry.indexOf('[');
      if (open < 0 || !entry.endsWith("]") || entry.indexOf('[', open + 1) >= 0) {
        problem = "expected ClassName[method1,method2]";
      } else {
        String className = entry.substring(0, open).trim();
        String methodList = entry.substring(open + 1, entry.length() - 1);
        List<NameGlob> methods = new ArrayList<>();
        for (String rawMethod : methodList.split(",", -1)) {
          String method = rawMethod.trim();
          if (method.isEmpty() || !isName(method, false)) {
            problem = "'" + InstrumentationConfig.printable(method) + "' is not a method name (letters, digits, _, $ and *)";
            break;
          }
          methods.add(new NameGlob(method));
        }
        if (problem == null && (className.isEmpty() || !isName(className, true))) {
          problem = "'" + InstrumentationConfig.printable(className) + "' is not a class name (a.b.Name, with * or ** wildcards)";
        }
        if (problem == null) {
          pattern = new MethodPattern(new NameGlob(className), List.copyOf(methods));
        }
      }
      if (pattern != null) {
        patterns.add(pattern);
      } else {
        warn.accept(
            key
                + ": ignoring the malformed entry '"
                + InstrumentationConfig.printable(entry)
                + "' ("
                + problem
                + "); the other entries still apply");
      }
    }
    return patterns;
  }

  private static boolean isName(String s, boolean dotsAllowed) {
    char previous = '.';
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '.') {
        if (!dotsAllowed || previous == '.') {
          return false;
        }
      } else if (c != '*' && !Character.isJavaIdentifierPart(c)) {
        return false;
      }
      previous = c;
    }
    return previous != '.';
  }
}
