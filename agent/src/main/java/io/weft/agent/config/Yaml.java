package io.weft.agent.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of YAML that configuration files are written in, read into {@link Mapping}s, {@code List}s and
 * {@link Scalar}s, with the declarative configuration's {@code ${VAR}}, {@code ${env:VAR}} and {@code ${VAR:-default}}
 * references replaced from the environment as each scalar is read ({@code $$} is a plain {@code $}).
 *
 * <p>Block mappings and sequences (a mapping inside a sequence item included), one-line flow collections
 * ({@code [a, b]}, {@code {}}), plain, single- and double-quoted scalars, comments and one optional {@code ---}
 * document start. Anything else (anchors and aliases, tags, block scalars, scalars over several lines,
 * multiple documents, tabs for indentation, a key twice) is a {@link Problem} naming its line, never a silent
 * guess. No snakeyaml: it would add a third of a megabyte to the jar for a file read once at start.
 */
final class Yaml {

  /** A problem in the text, with its 1-based line. */
  static final class Problem extends Exception {
    final int line;

    Problem(int line, String message) {
      super("line " + line + ": " + message);
      this.line = line;
    }
  }

  /** A scalar as written, after substitution: {@code value} is null for an empty or {@code null} plain scalar. */
  static final class Scalar {
    final String value;
    final boolean quoted;
    final int line;

    Scalar(String value, boolean quoted, int line) {
      this.value = value;
      this.quoted = quoted;
      this.line = line;
    }

    @Override
    public String toString() {
      return String.valueOf(value);
    }
  }

  /** A mapping in the order written; remembers the line of each key and which keys a reader took. */
  static final class Mapping {
    final String path;
    final int line;
    final Map<String, Object> entries = new LinkedHashMap<>();
    final Map<String, Integer> lines = new LinkedHashMap<>();
    final java.util.Set<String> taken = new java.util.HashSet<>();

    Mapping(String path, int line) {
      this.path = path;
      this.line = line;
    }

    /** The value of {@code key} (a Mapping, List, Scalar or null), marking it as read. */
    Object take(String key) {
      taken.add(key);
      return entries.get(key);
    }

    boolean has(String key) {
      return entries.containsKey(key);
    }

    /** Marks {@code key} and everything below it as read: a part Weft leaves alone on purpose. */
    void ignore(String key) {
      taken.add(key);
      ignoreAll(entries.get(key));
    }

    static void ignoreAll(Object node) {
      if (node instanceof Mapping) {
        Mapping mapping = (Mapping) node;
        for (String key : mapping.entries.keySet()) {
          mapping.ignore(key);
        }
      } else if (node instanceof List) {
        for (Object item : (List<?>) node) {
          ignoreAll(item);
        }
      }
    }

    /** {@code tracer_provider.processors[0].batch} + key. */
    String pathOf(String key) {
      return path.isEmpty() ? key : path + "." + key;
    }
  }

  private static final class Line {
    final int number;
    int indent;
    String text; // without indentation and comment, never empty

    Line(int number, int indent, String text) {
      this.number = number;
      this.indent = indent;
      this.text = text;
    }
  }

  private final List<Line> lines;
  private final Map<String, String> environment;
  private final java.util.Set<String> referenced;
  private int next;
  private int depth;

  static final int MAX_DEPTH = 64;

  private Yaml(List<Line> lines, Map<String, String> environment, java.util.Set<String> referenced) {
    this.lines = lines;
    this.environment = environment;
    this.referenced = referenced;
  }

  /**
   * The document's top-level mapping ({@code null} for an empty document). {@code referenced} collects the names
   * of the environment variables the text refers to.
   */
  static Mapping parse(String text, Map<String, String> environment, java.util.Set<String> referenced) throws Problem {
    Yaml yaml = new Yaml(lines(text), environment, referenced);
    if (yaml.lines.isEmpty()) {
      return null;
    }
    Line first = yaml.lines.get(0);
    if (first.indent != 0) {
      throw new Problem(first.number, "the document must start at the first column");
    }
    if (first.text.startsWith("- ") || first.text.equals("-") || first.text.startsWith("[") || first.text.startsWith("{")
        || yaml.keyEnd(first) < 0) {
      throw new Problem(first.number, "a configuration file is a mapping of keys to values (key: value)");
    }
    Mapping root = new Mapping("", first.number);
    yaml.mapping(root, 0);
    if (yaml.next < yaml.lines.size()) {
      Line stray = yaml.lines.get(yaml.next);
      throw new Problem(stray.number, "unexpected indentation");
    }
    return root;
  }

  /** Splits into lines without blank lines, comments, document markers and indentation. */
  private static List<Line> lines(String text) throws Problem {
    List<Line> lines = new ArrayList<>();
    String[] raw = text.split("\r\n|\n|\r", -1);
    boolean started = false;
    for (int i = 0; i < raw.length; i++) {
      String line = raw[i];
      int number = i + 1;
      if (i == 0 && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      int indent = 0;
      while (indent < line.length() && line.charAt(indent) == ' ') {
        indent++;
      }
      String content = stripComment(line.substring(indent), number);
      if (content.isEmpty()) {
        continue;
      }
      if (content.charAt(0) == '\t' || (indent < line.length() && line.charAt(indent) == '\t')) {
        throw new Problem(number, "a tab in the indentation (YAML indents with spaces)");
      }
      if (indent == 0 && (content.equals("---") || content.startsWith("--- "))) {
        if (started) {
          throw new Problem(number, "a second document: a configuration file holds one");
        }
        started = true;
        if (!content.equals("---")) {
          throw new Problem(number, "content after '---': start the document on the next line");
        }
        continue;
      }
      if (indent == 0 && content.equals("...")) {
        for (int j = i + 1; j < raw.length; j++) {
          if (!stripComment(raw[j].trim(), j + 1).isEmpty()) {
            throw new Problem(j + 1, "content after the document's end ('...')");
          }
        }
        break;
      }
      if (indent == 0 && content.startsWith("%")) {
        throw new Problem(number, "YAML directives are not supported");
      }
      started = true;
      lines.add(new Line(number, indent, content));
    }
    return lines;
  }

  /** The line without its comment and trailing blanks; a # starts a comment at the start or after a blank. */
  private static String stripComment(String text, int number) throws Problem {
    char quote = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == '\\' && quote == '"') {
          i++;
        } else if (c == quote && quote == '\'' && i + 1 < text.length() && text.charAt(i + 1) == '\'') {
          i++; // '' inside single quotes
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '#' && (i == 0 || text.charAt(i - 1) == ' ' || text.charAt(i - 1) == '\t')) {
        return text.substring(0, i).trim();
      } else if ((c == '"' || c == '\'') && (i == 0 || " \t[{,:-".indexOf(text.charAt(i - 1)) >= 0)) {
        quote = c;
      }
    }
    return text.trim();
  }

  private boolean atEnd() {
    return next >= lines.size();
  }

  private static boolean isItem(Line line) {
    return line.text.equals("-") || line.text.startsWith("- ");
  }

  /** Where the key of a {@code key: value} line ends (the colon), or -1 when the line is no mapping entry. */
  private int keyEnd(Line line) throws Problem {
    String text = line.text;
    int start = 0;
    if (text.charAt(0) == '"' || text.charAt(0) == '\'') {
      int close = closingQuote(text, 0, line.number);
      start = close + 1;
      int colon = start;
      while (colon < text.length() && text.charAt(colon) == ' ') {
        colon++;
      }
      return colon < text.length() && text.charAt(colon) == ':' && (colon + 1 == text.length() || isBlank(text.charAt(colon + 1)))
          ? colon
          : -1;
    }
    if (text.charAt(0) == '[' || text.charAt(0) == '{') {
      return -1;
    }
    for (int i = start; i < text.length(); i++) {
      if (text.charAt(i) == ':' && (i + 1 == text.length() || isBlank(text.charAt(i + 1)))) {
        return i;
      }
    }
    return -1;
  }

  /** A space or a tab: what separates a key's colon from its value. */
  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }

  /** Reads the entries at {@code indent} into {@code into}. */
  private void mapping(Mapping into, int indent) throws Problem {
    while (!atEnd()) {
      Line line = lines.get(next);
      if (line.indent < indent) {
        return;
      }
      if (line.indent > indent) {
        throw new Problem(line.number, "unexpected indentation");
      }
      if (isItem(line)) {
        throw new Problem(line.number, "a list item where a key was expected");
      }
      int colon = keyEnd(line);
      if (colon < 0) {
        throw new Problem(line.number, "expected 'key: value'");
      }
      String key = key(line.text.substring(0, colon).trim(), line.number);
      if (into.entries.containsKey(key)) {
        throw new Problem(line.number, "'" + WeftConfig.printable(key) + "' appears twice in the same mapping");
      }
      String rest = line.text.substring(colon + 1).trim();
      next++;
      into.lines.put(key, line.number);
      into.entries.put(key, rest.isEmpty() ? nested(into.pathOf(key), indent, line.number) : inline(rest, into.pathOf(key), line.number));
    }
  }

  private String key(String written, int number) throws Problem {
    if (written.isEmpty()) {
      throw new Problem(number, "a key is empty");
    }
    char first = written.charAt(0);
    if (first == '"' || first == '\'') {
      return unquote(written, number);
    }
    if ("&*!|>?@`".indexOf(first) >= 0) {
      throw new Problem(number, "'" + first + "' starts a YAML feature configuration files do not use here (anchors, aliases, tags, complex keys)");
    }
    return written;
  }

  /** The value of a key or item written on the lines below it: a block deeper than {@code indent}, or null. */
  private Object nested(String path, int indent, int number) throws Problem {
    if (atEnd()) {
      return new Scalar(null, false, number);
    }
    Line line = lines.get(next);
    if (line.indent > indent) {
      return block(path, line.indent, number);
    }
    if (line.indent == indent && isItem(line) && !path.endsWith("]")) {
      // key:\n- item: a sequence may sit at its key's indentation
      return sequence(path, indent);
    }
    return new Scalar(null, false, number);
  }

  /** A block mapping or sequence at {@code indent}; {@code number} is its key's line, where messages point. */
  private Object block(String path, int indent, int number) throws Problem {
    enter(number);
    try {
      return blockAt(path, indent, number);
    } finally {
      depth--;
    }
  }

  /** Bounds the recursion: a hostile file of a million '[' must be a Problem, not a StackOverflowError at premain. */
  private void enter(int number) throws Problem {
    if (++depth > MAX_DEPTH) {
      throw new Problem(number, "nested deeper than " + MAX_DEPTH + " levels");
    }
  }

  private Object blockAt(String path, int indent, int number) throws Problem {
    Line line = lines.get(next);
    if (isItem(line)) {
      return sequence(path, indent);
    }
    if (keyEnd(line) < 0) {
      throw new Problem(line.number, "a scalar on its own line: write it after its key (scalars over several lines are not supported)");
    }
    Mapping mapping = new Mapping(path, number);
    mapping(mapping, indent);
    return mapping;
  }

  private List<Object> sequence(String path, int indent) throws Problem {
    List<Object> items = new ArrayList<>();
    while (!atEnd()) {
      Line line = lines.get(next);
      if (line.indent < indent || (line.indent == indent && !isItem(line))) {
        return items;
      }
      if (line.indent > indent) {
        throw new Problem(line.number, "unexpected indentation");
      }
      String itemPath = path + "[" + items.size() + "]";
      String rest = line.text.substring(1).trim();
      if (rest.isEmpty()) {
        next++;
        items.add(nested(itemPath, indent, line.number));
        continue;
      }
      // the item's content starts in its own column: read it as a block there
      int column = indent + line.text.indexOf(rest, 1);
      line.indent = column;
      line.text = rest;
      if (isItem(line) || keyEnd(line) >= 0) {
        items.add(block(itemPath, column, line.number));
      } else {
        next++;
        items.add(inline(rest, itemPath, line.number));
      }
    }
    return items;
  }

  /** A value written on its key's or item's line: a flow collection or a scalar. */
  private Object inline(String text, String path, int number) throws Problem {
    char first = text.charAt(0);
    if (first == '[' || first == '{') {
      int[] position = {0};
      Object value = flow(text, position, path, number);
      skipBlanks(text, position);
      if (position[0] != text.length()) {
        throw new Problem(number, "unexpected text after '" + (first == '[' ? ']' : '}') + "'");
      }
      return value;
    }
    if (first == '|' || first == '>') {
      throw new Problem(number, "block scalars ('|', '>') are not supported: write the value on one line, quoted if need be");
    }
    if (first == '&' || first == '*' || first == '!') {
      throw new Problem(number, "anchors, aliases and tags ('&', '*', '!') are not supported");
    }
    if (first == '"' || first == '\'') {
      int close = closingQuote(text, 0, number);
      if (close != text.length() - 1) {
        throw new Problem(number, "unexpected text after the closing quote");
      }
      return new Scalar(substitute(unquote(text, number), number), true, number);
    }
    return plain(text, number);
  }

  private Scalar plain(String text, int number) throws Problem {
    String value = substitute(text, number);
    if (value.isEmpty() || value.equals("~") || value.equals("null") || value.equals("Null") || value.equals("NULL")) {
      return new Scalar(null, false, number);
    }
    return new Scalar(value, false, number);
  }

  /** A flow collection or scalar starting at {@code position[0]}, which it moves past its end. */
  private Object flow(String text, int[] position, String path, int number) throws Problem {
    enter(number);
    try {
      return flowAt(text, position, path, number);
    } finally {
      depth--;
    }
  }

  private Object flowAt(String text, int[] position, String path, int number) throws Problem {
    skipBlanks(text, position);
    if (position[0] >= text.length()) {
      throw new Problem(number, "a flow collection is not closed on its line (flow collections over several lines are not supported)");
    }
    char first = text.charAt(position[0]);
    if (first == '[') {
      position[0]++;
      List<Object> items = new ArrayList<>();
      while (true) {
        skipBlanks(text, position);
        if (position[0] < text.length() && text.charAt(position[0]) == ']') {
          position[0]++;
          return items;
        }
        items.add(flow(text, position, path + "[" + items.size() + "]", number));
        if (!separator(text, position, ']', number)) {
          return items;
        }
      }
    }
    if (first == '{') {
      position[0]++;
      Mapping mapping = new Mapping(path, number);
      while (true) {
        skipBlanks(text, position);
        if (position[0] < text.length() && text.charAt(position[0]) == '}') {
          position[0]++;
          return mapping;
        }
        Object key = flow(text, position, path, number);
        if (!(key instanceof Scalar) || ((Scalar) key).value == null) {
          throw new Problem(number, "a key in a flow mapping must be a scalar");
        }
        skipBlanks(text, position);
        if (position[0] >= text.length() || text.charAt(position[0]) != ':') {
          throw new Problem(number, "expected ':' after a key in a flow mapping");
        }
        position[0]++;
        String name = ((Scalar) key).value;
        if (mapping.entries.containsKey(name)) {
          throw new Problem(number, "'" + WeftConfig.printable(name) + "' appears twice in the same mapping");
        }
        skipBlanks(text, position);
        boolean empty = position[0] >= text.length() || text.charAt(position[0]) == ',' || text.charAt(position[0]) == '}';
        mapping.lines.put(name, number);
        mapping.entries.put(name, empty ? new Scalar(null, false, number) : flow(text, position, mapping.pathOf(name), number));
        if (!separator(text, position, '}', number)) {
          return mapping;
        }
      }
    }
    if (first == '"' || first == '\'') {
      int close = closingQuote(text, position[0], number);
      String value = unquote(text.substring(position[0], close + 1), number);
      position[0] = close + 1;
      return new Scalar(substitute(value, number), true, number);
    }
    if (first == ']' || first == '}' || first == ',') {
      throw new Problem(number, "unexpected '" + first + "'");
    }
    // a plain scalar ends at a flow indicator or at ': '; a ${...} reference may hold ':' and '-'
    int end = position[0];
    int braces = 0;
    while (end < text.length()) {
      char c = text.charAt(end);
      if (c == '{' && end > 0 && text.charAt(end - 1) == '$') {
        braces++;
      } else if (c == '}' && braces > 0) {
        braces--;
      } else if (braces == 0 && (c == ',' || c == ']' || c == '}' || c == '[' || c == '{'
          || (c == ':' && (end + 1 == text.length() || " ,]}".indexOf(text.charAt(end + 1)) >= 0)))) {
        break;
      }
      end++;
    }
    String written = text.substring(position[0], end).trim();
    position[0] = end;
    return plain(written, number);
  }

  /** After an item: true for ',' (another follows), false for the closing bracket (consumed). */
  private static boolean separator(String text, int[] position, char close, int number) throws Problem {
    skipBlanks(text, position);
    if (position[0] >= text.length()) {
      throw new Problem(number, "a flow collection is not closed on its line (flow collections over several lines are not supported)");
    }
    char c = text.charAt(position[0]);
    position[0]++;
    if (c == ',') {
      return true;
    }
    if (c == close) {
      return false;
    }
    throw new Problem(number, "expected ',' or '" + close + "' but found '" + c + "'");
  }

  private static void skipBlanks(String text, int[] position) {
    while (position[0] < text.length() && text.charAt(position[0]) == ' ') {
      position[0]++;
    }
  }

  private static int closingQuote(String text, int open, int number) throws Problem {
    char quote = text.charAt(open);
    for (int i = open + 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote == '"' && c == '\\') {
        i++;
      } else if (c == quote) {
        if (quote == '\'' && i + 1 < text.length() && text.charAt(i + 1) == '\'') {
          i++; // '' is a quote inside single quotes
        } else {
          return i;
        }
      }
    }
    throw new Problem(number, "a quoted scalar is not closed on its line (quoted scalars over several lines are not supported)");
  }

  /** The content of a whole quoted scalar, escapes resolved. */
  private static String unquote(String written, int number) throws Problem {
    char quote = written.charAt(0);
    String inner = written.substring(1, written.length() - 1);
    if (quote == '\'') {
      return inner.replace("''", "'");
    }
    StringBuilder out = new StringBuilder(inner.length());
    for (int i = 0; i < inner.length(); i++) {
      char c = inner.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (++i >= inner.length()) {
        throw new Problem(number, "a double-quoted scalar ends in a lone '\\'");
      }
      char e = inner.charAt(i);
      switch (e) {
        case 'n': out.append('\n'); break;
        case 't': out.append('\t'); break;
        case 'r': out.append('\r'); break;
        case '0': out.append('\0'); break;
        case '"': case '\\': case '/': case ' ': out.append(e); break;
        case 'x': case 'u': case 'U': {
          int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          if (i + digits >= inner.length()) {
            throw new Problem(number, "a short \\" + e + " escape");
          }
          try {
            out.appendCodePoint(Integer.parseInt(inner.substring(i + 1, i + 1 + digits), 16));
          } catch (IllegalArgumentException | IndexOutOfBoundsException bad) {
            throw new Problem(number, "a malformed \\" + e + " escape");
          }
          i += digits;
          break;
        }
        default:
          throw new Problem(number, "an unknown escape '\\" + WeftConfig.printable(String.valueOf(e)) + "' in a double-quoted scalar");
      }
    }
    return out.toString();
  }

  /**
   * Replaces {@code ${NAME}}, {@code ${env:NAME}} and {@code ${NAME:-default}} with the environment's value (the
   * default, or nothing, when unset or empty), and {@code $$} with {@code $}; not recursive: what a variable holds is
   * taken as written.
   */
  private String substitute(String text, int number) throws Problem {
    if (text.indexOf('$') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '$' || i + 1 >= text.length()) {
        out.append(c);
        continue;
      }
      char after = text.charAt(i + 1);
      if (after == '$') {
        out.append('$');
        i++;
        continue;
      }
      if (after != '{') {
        out.append(c);
        continue;
      }
      int close = text.indexOf('}', i + 2);
      if (close < 0) {
        throw new Problem(number, "a '${' reference is not closed with '}'");
      }
      String reference = text.substring(i + 2, close);
      String defaultValue = null;
      int dash = reference.indexOf(":-");
      if (dash >= 0) {
        defaultValue = reference.substring(dash + 2);
        reference = reference.substring(0, dash);
      }
      if (reference.startsWith("env:")) {
        reference = reference.substring(4);
      }
      if (!validName(reference)) {
        throw new Problem(number, "'${" + WeftConfig.printable(text.substring(i + 2, close)) + "}' is not a valid reference (expected ${NAME}, ${env:NAME} or ${NAME:-default})");
      }
      referenced.add(reference);
      String value = environment.get(reference);
      out.append(value != null && !value.isEmpty() ? value : defaultValue != null ? defaultValue : "");
      i = close;
    }
    return out.toString();
  }

  private static boolean validName(String name) {
    if (name.isEmpty() || Character.isDigit(name.charAt(0))) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }

  /** For tests and messages: every scalar of a list, or the one scalar. */
  static List<Scalar> scalars(Object value) {
    if (value instanceof Scalar) {
      return Collections.singletonList((Scalar) value);
    }
    List<Scalar> scalars = new ArrayList<>();
    if (value instanceof List) {
      for (Object item : (List<?>) value) {
        if (item instanceof Scalar) {
          scalars.add((Scalar) item);
        }
      }
    }
    return scalars;
  }
}
