package io.weft.instrumentation.methods;

/**
 * A class or method name pattern from the methods configuration: {@code *} matches any run of
 * characters except {@code .}, {@code **} any run at all; everything else matches itself. Matching is
 * iterative (no regular expressions) and linear in practice for the short names it sees.
 */
final class NameGlob {

  private final String pattern;
  private final String literalPrefix;
  private final boolean exact;

  NameGlob(String pattern) {
    this.pattern = pattern;
    int star = pattern.indexOf('*');
    this.exact = star < 0;
    this.literalPrefix = exact ? pattern : pattern.substring(0, star);
  }

  String pattern() {
    return pattern;
  }

  boolean isExact() {
    return exact;
  }

  boolean isMatchAll() {
    return pattern.equals("*") || pattern.equals("**");
  }

  boolean matches(String name) {
    if (exact) {
      return pattern.equals(name);
    }
    if (!name.startsWith(literalPrefix)) {
      return false;
    }
    return matchFrom(literalPrefix.length(), literalPrefix.length(), name);
  }

  /** Wildcard matching with one remembered star position, as shells do it; no recursion. */
  private boolean matchFrom(int p, int n, String name) {
    int starP = -1;
    int starN = -1;
    boolean starCrossesDots = false;
    while (n < name.length()) {
      if (p < pattern.length() && pattern.charAt(p) == '*') {
        starCrossesDots = p + 1 < pattern.length() && pattern.charAt(p + 1) == '*';
        p += starCrossesDots ? 2 : 1;
        starP = p;
        starN = n;
      } else if (p < pattern.length() && pattern.charAt(p) == name.charAt(n)) {
        p++;
        n++;
      } else if (starP >= 0 && (starCrossesDots || name.charAt(starN) != '.')) {
        starN++;
        n = starN;
        p = starP;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  @Override
  public String toString() {
    return pattern;
  }
}
