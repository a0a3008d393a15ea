package io.weft.instrumentation.jdbc;

/**
 * Splits SQL into the tokens {@link SqlSummary} reads, skipping whitespace, comments and literals; one
 * forward pass, no allocation until a token's text is asked for. Runs in the agent class loader.
 */
final class SqlTokens {
  static final int END = 0;
  /** A bare word: a keyword or an unquoted, unqualified name. */
  static final int WORD = 1;
  /** A quoted or qualified name: {@code "My Table"}, {@code s.t}, {@code [dbo].[t]}. */
  static final int NAME = 2;
  static final int OPEN = 3;
  static final int CLOSE = 4;
  static final int COMMA = 5;
  static final int SEMICOLON = 6;
  /** Anything else: a literal, a placeholder, an operator. */
  static final int OTHER = 7;

  // SQL Server caps identifiers at 128 chars; a longer [run] is not taken for a bracketed name.
  private static final int MAX_BRACKETED_NAME = 128;

  private final String sql;
  private final int n;
  private int pos;
  private int start;
  private int end;

  SqlTokens(String sql) {
    this.sql = sql;
    this.n = sql.length();
  }

  /** Moves to the next token and returns its kind. */
  int next() {
    while (pos < n) {
      char c = sql.charAt(pos);
      if (c <= ' ') {
        pos++;
      } else if (c == '-' && at(pos + 1) == '-') {
        while (pos < n && sql.charAt(pos) != '\n' && sql.charAt(pos) != '\r') {
          pos++;
        }
      } else if (c == '/' && at(pos + 1) == '*') {
        skipBlockComment();
      } else {
        start = pos;
        int kind = token(c);
        end = pos;
        return kind;
      }
    }
    start = n;
    end = n;
    return END;
  }

  int start() {
    return start;
  }

  int end() {
    return end;
  }

  String text(int from, int to) {
    return sql.substring(from, to);
  }

  /** Whether the token is one of {@code { ? =} that may open a JDBC call escape. */
  boolean isJdbcEscapeOpening() {
    if (end - start != 1) {
      return false;
    }
    char c = sql.charAt(start);
    return c == '{' || c == '?' || c == '=';
  }

  boolean startsWith(char c) {
    return end > start && sql.charAt(start) == c;
  }

  /** Compares the token, upper-cased (ASCII), with an upper-case keyword, like {@code compareTo}. */
  int compareUpper(String keyword) {
    int length = end - start;
    int common = Math.min(length, keyword.length());
    for (int k = 0; k < common; k++) {
      int diff = upper(sql.charAt(start + k)) - keyword.charAt(k);
      if (diff != 0) {
        return diff;
      }
    }
    return length - keyword.length();
  }

  int length() {
    return end - start;
  }

  void appendTo(StringBuilder out, boolean upperCase) {
    if (!upperCase) {
      out.append(sql, start, end);
      return;
    }
    for (int k = start; k < end; k++) {
      out.append(upper(sql.charAt(k)));
    }
  }

  private int token(char c) {
    switch (c) {
      case '(':
        pos++;
        return OPEN;
      case ')':
        pos++;
        return CLOSE;
      case ',':
        pos++;
        return COMMA;
      case ';':
        pos++;
        return SEMICOLON;
      case '\'':
        pos++;
        skipQuoted('\'', true);
        return OTHER;
      case '$':
        dollar();
        return OTHER;
      default:
        break;
    }
    if (isDigit(c)) {
      pos++;
      while (pos < n && isWordPart(sql.charAt(pos))) {
        pos++;
      }
      return OTHER;
    }
    if (startsPart(pos)) {
      return name();
    }
    pos++;
    return OTHER;
  }

  private int name() {
    boolean quotedOrQualified = false;
    while (true) {
      char c = sql.charAt(pos);
      if (c == '"' || c == '`') {
        pos++;
        if (!skipQuoted(c, false)) {
          return OTHER; // unterminated: not a name
        }
        quotedOrQualified = true;
      } else if (c == '[') {
        pos = sql.indexOf(']', pos) + 1; // startsPart saw it within the bound
        quotedOrQualified = true;
      } else {
        pos++;
        while (pos < n && isWordPart(sql.charAt(pos))) {
          pos++;
        }
      }
      int dots = pos;
      while (dots < n && dots - pos < 2 && sql.charAt(dots) == '.') {
        dots++; // schema.table, and SQL Server's db..table
      }
      if (dots == pos || dots >= n || !startsPart(dots)) {
        return quotedOrQualified ? NAME : WORD;
      }
      pos = dots;
      quotedOrQualified = true;
    }
  }

  private boolean startsPart(int at) {
    char c = sql.charAt(at);
    if (c == '"' || c == '`' || isWordStart(c)) {
      return true;
    }
    if (c != '[' || !(isWordStart(at(at + 1)) || at(at + 1) == ' ')) {
      return false;
    }
    int limit = Math.min(n, at + 2 + MAX_BRACKETED_NAME);
    for (int k = at + 1; k < limit; k++) {
      char inside = sql.charAt(k);
      if (inside == ']') {
        return true;
      }
      if (inside == '[' || inside == '\'') {
        return false;
      }
    }
    return false;
  }

  /** Moves past the closing quote (doubled quotes and, in literals, backslash escapes inside). */
  private boolean skipQuoted(char quote, boolean backslashEscapes) {
    while (pos < n) {
      char c = sql.charAt(pos);
      if (c == quote) {
        if (at(pos + 1) != quote) {
          pos++;
          return true;
        }
        pos += 2;
      } else {
        pos += (c == '\\' && backslashEscapes) ? 2 : 1;
      }
    }
    pos = n;
    return false;
  }

  private void skipBlockComment() {
    int depth = 1;
    pos += 2;
    while (pos < n && depth > 0) {
      char c = sql.charAt(pos);
      if (c == '*' && at(pos + 1) == '/') {
        depth--;
        pos += 2;
      } else if (c == '/' && at(pos + 1) == '*') {
        depth++;
        pos += 2;
      } else {
        pos++;
      }
    }
  }

  /** {@code $1}, {@code $$...$$}, {@code $tag$...$tag$}, or a lone {@code $}. */
  private void dollar() {
    int tagStart = pos;
    pos++;
    if (isDigit(at(pos))) {
      while (pos < n && isDigit(sql.charAt(pos))) {
        pos++;
      }
      return;
    }
    int tagEnd = pos;
    while (tagEnd < n && sql.charAt(tagEnd) != '$' && isWordPart(sql.charAt(tagEnd))
        && sql.charAt(tagEnd) != '@' && sql.charAt(tagEnd) != '#') {
      tagEnd++;
    }
    if (tagEnd >= n || sql.charAt(tagEnd) != '$') {
      return; // not a dollar quote
    }
    int length = tagEnd + 1 - tagStart;
    int from = tagEnd + 1;
    while (true) {
      int close = sql.indexOf('$', from);
      if (close < 0 || close + length > n) {
        pos = n;
        return;
      }
      if (sql.regionMatches(close, sql, tagStart, length)) {
        pos = close + length;
        return;
      }
      from = close + 1;
    }
  }

  private char at(int index) {
    return index < n ? sql.charAt(index) : '\0';
  }

  private static char upper(char c) {
    return c >= 'a' && c <= 'z' ? (char) (c - ('a' - 'A')) : c;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isWordStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '@' || c == '#'
        || c >= 0x80;
  }

  private static boolean isWordPart(char c) {
    return isWordStart(c) || isDigit(c) || c == '$';
  }
}
