package io.weft.instrumentation.jdbc;

/**
 * Replaces every literal in a SQL statement with {@code ?} in one linear pass, for {@code
 * db.query.text}; runs in the agent class loader on every traced statement and never throws.
 * Comments are dropped (the conventions allow keeping them, but they can carry literals), whitespace
 * runs become one space, {@code IN} lists of literals and placeholders collapse to {@code IN (?)}, and
 * output past the limit is cut and ends with {@link #TRUNCATION_MARKER}.
 */
public final class SqlSanitizer {

  /** Longest text {@link #sanitize(String)} returns, marker included, in UTF-16 chars. */
  public static final int MAX_LENGTH = 32 * 1024;

  /** Ends a statement that was cut at the length limit. */
  public static final String TRUNCATION_MARKER = "...";

  private static final SqlSanitizer DEFAULT = new SqlSanitizer(MAX_LENGTH, false);

  // SQL Server caps identifiers at 128 chars; a longer [run] is not taken for a bracketed name.
  private static final int MAX_BRACKETED_IDENTIFIER = 128;

  private final int maxLength;
  private final boolean doubleQuotedStrings;

  /**
   * A sanitizer with its own bound ({@code maxLength} below the marker's length counts as the
   * marker's length). {@code doubleQuotedStrings} is for MySQL and MariaDB outside {@code
   * ANSI_QUOTES}, where {@code "text"} is a string literal rather than an identifier.
   */
  public SqlSanitizer(int maxLength, boolean doubleQuotedStrings) {
    this.maxLength = Math.max(maxLength, TRUNCATION_MARKER.length());
    this.doubleQuotedStrings = doubleQuotedStrings;
  }

  /** {@link #apply(String)} with {@link #MAX_LENGTH} and double quotes taken as identifiers. */
  public static String sanitize(String sql) {
    return DEFAULT.apply(sql);
  }

  /** The statement with literals replaced, or {@code null} for {@code null}; never throws. */
  public String apply(String sql) {
    if (sql == null) {
      return null;
    }
    try {
      return new Pass(sql, maxLength, doubleQuotedStrings).run();
    } catch (RuntimeException e) {
      // Unreachable by design; if a bug slips through, hide the whole text rather than leak it.
      return "?";
    }
  }

  /** One sanitizing walk over one statement. */
  private static final class Pass {
    private final String sql;
    private final int n;
    private final int maxLength;
    private final boolean doubleQuotedStrings;
    private final StringBuilder out;
    private int i;
    private boolean pendingSpace;

    // IN-list collapsing: after the keyword IN, then after its "(", while only ?, commas seen.
    private static final int IN_NONE = 0;
    private static final int IN_KEYWORD = 1;
    private static final int IN_EXPECT_VALUE = 2;
    private static final int IN_AFTER_VALUE = 3;
    private int inState = IN_NONE;
    private int inListStart;

    Pass(String sql, int maxLength, boolean doubleQuotedStrings) {
      this.sql = sql;
      this.n = sql.length();
      this.maxLength = maxLength;
      this.doubleQuotedStrings = doubleQuotedStrings;
      this.out = new StringBuilder(Math.min(n, maxLength) + 16);
    }

    String run() {
      // Output never grows past the input, so an IN list being collapsed may run past the limit.
      while (i < n && (out.length() <= maxLength || inState >= IN_EXPECT_VALUE)) {
        char c = sql.charAt(i);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B) {
          i++;
          pendingSpace = true;
        } else if (c == '-' && peek(1) == '-') {
          skipLineComment();
        } else if (c == '/' && peek(1) == '*') {
          skipBlockComment();
        } else if (c == '\'') {
          stringLiteral(i);
        } else if (c == '"') {
          quoted(i, '"', doubleQuotedStrings);
        } else if (c == '`') {
          quoted(i, '`', false);
        } else if (c == '[' && startsBracketedIdentifier()) {
          bracketed();
        } else if (c == '$') {
          dollar();
        } else if (isDigit(c) || (c == '.' && isDigit(peek(1)))) {
          number();
        } else if (isIdentifierStart(c)) {
          word();
        } else {
          punctuation(c);
        }
      }
      return finish();
    }

    private String finish() {
      if (i >= n && out.length() <= maxLength) {
        return out.toString();
      }
      int cut = maxLength - TRUNCATION_MARKER.length();
      if (cut > out.length()) {
        cut = out.length();
      }
      if (cut > 0 && Character.isHighSurrogate(out.charAt(cut - 1))) {
        cut--;
      }
      out.setLength(cut);
      return out.append(TRUNCATION_MARKER).toString();
    }

    private char peek(int ahead) {
      int at = i + ahead;
      return at < n ? sql.charAt(at) : '\0';
    }

    private void skipLineComment() {
      i += 2;
      while (i < n && sql.charAt(i) != '\n' && sql.charAt(i) != '\r') {
        i++;
      }
      pendingSpace = true;
    }

    // Nested like PostgreSQL: where a database does not nest, the rest is dropped, never leaked.
    private void skipBlockComment() {
      int depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        char c = sql.charAt(i);
        if (c == '*' && peek(1) == '/') {
          depth--;
          i += 2;
        } else if (c == '/' && peek(1) == '*') {
          depth++;
          i += 2;
        } else {
          i++;
        }
      }
      pendingSpace = true;
    }

    /** A '...' string from {@code start} (its prefix, if any, already behind {@code start}). */
    private void stringLiteral(int start) {
      i = start + 1;
      skipQuotedBody('\'', true);
      literal();
    }

    private void quoted(int start, char quote, boolean isLiteral) {
      i = start + 1;
      boolean closed = skipQuotedBody(quote, isLiteral);
      if (isLiteral || !closed) {
        literal(); // an unterminated identifier cannot be told from text: hide it
      } else {
        emit(start, i);
      }
    }

    /**
     * Moves past the closing quote: a doubled quote is part of the body, and so is any char after a
     * backslash in literals (MySQL), which at worst swallows more text but never shows any.
     */
    private boolean skipQuotedBody(char quote, boolean backslashEscapes) {
      while (i < n) {
        char c = sql.charAt(i);
        if (c == quote) {
          if (peek(1) == quote) {
            i += 2;
            continue;
          }
          i++;
          return true;
        }
        i += (c == '\\' && backslashEscapes) ? 2 : 1;
      }
      i = n;
      return false;
    }

    // After a word char, ')' or ']' this is a subscript (PostgreSQL arr[1]), not a name.
    private boolean startsBracketedIdentifier() {
      if (i > 0) {
        char before = sql.charAt(i - 1);
        if (isIdentifierPart(before) || before == ')' || before == ']') {
          return false;
        }
      }
      char first = peek(1);
      if (!(isIdentifierStart(first) || first == ' ' || first == '#' || first == '@')) {
        return false;
      }
      int limit = Math.min(n, i + 2 + MAX_BRACKETED_IDENTIFIER);
      for (int at = i + 1; at < limit; at++) {
        char c = sql.charAt(at);
        if (c == ']') {
          return true;
        }
        if (c == '\'' || c == '[') {
          return false;
        }
      }
      return false;
    }

    private void bracketed() {
      int start = i;
      i = sql.indexOf(']', i + 1) + 1; // found by startsBracketedIdentifier within the bound
      emit(start, i);
    }

    /** {@code $1} stays; {@code $$...$$} and {@code $tag$...$tag$} are literals. */
    private void dollar() {
      int start = i;
      int at = i + 1;
      char next = peek(1);
      if (isDigit(next)) {
        while (at < n && isDigit(sql.charAt(at))) {
          at++;
        }
        i = at;
        emit(start, at);
        return;
      }
      if (next != '$') {
        if (!isTagStart(next)) {
          i = at;
          emit(start, at);
          return;
        }
        while (at < n && isTagPart(sql.charAt(at))) {
          at++;
        }
        if (at >= n || sql.charAt(at) != '$') {
          i = at; // "$name" is not a quote: keep it as written
          emit(start, at);
          return;
        }
      }
      int tagEnd = at + 1;
      int close = indexOfTag(start, tagEnd);
      i = close < 0 ? n : close + (tagEnd - start);
      literal();
    }

    private int indexOfTag(int tagStart, int tagEnd) {
      int length = tagEnd - tagStart;
      int from = tagEnd;
      while (true) {
        int at = sql.indexOf('$', from);
        if (at < 0 || at + length > n) {
          return -1;
        }
        if (sql.regionMatches(at, sql, tagStart, length)) {
          return at;
        }
        from = at + 1;
      }
    }

    private void number() {
      int at = i;
      char c = sql.charAt(at);
      char next = peek(1);
      if (c == '0' && (next == 'x' || next == 'X' || next == 'b' || next == 'B')) {
        at += 2;
      } else {
        while (at < n && isDigit(sql.charAt(at))) {
          at++;
        }
        if (at < n && sql.charAt(at) == '.') {
          at++;
          while (at < n && isDigit(sql.charAt(at))) {
            at++;
          }
        }
        if (at < n && (sql.charAt(at) == 'e' || sql.charAt(at) == 'E')) {
          int exponent = at + 1;
          if (exponent < n && (sql.charAt(exponent) == '+' || sql.charAt(exponent) == '-')) {
            exponent++;
          }
          if (exponent < n && isDigit(sql.charAt(exponent))) {
            at = exponent;
          }
        }
      }
      // Hex digits, type suffixes (1L, 2.5f) and the odd MySQL name that starts with a digit.
      while (at < n && isIdentifierPart(sql.charAt(at))) {
        at++;
      }
      i = at;
      literal();
    }

    private void word() {
      int start = i;
      int at = i + 1;
      while (at < n && isIdentifierPart(sql.charAt(at))) {
        at++;
      }
      i = at;
      int length = at - start;
      if (at < n && sql.charAt(at) == '\'' && isStringPrefix(start, length)) {
        stringLiteral(at); // E'..', N'..', X'..', B'..', _utf8mb4'..'
        return;
      }
      if (length == 1 && (sql.charAt(start) == 'U' || sql.charAt(start) == 'u')
          && at + 1 < n && sql.charAt(at) == '&' && sql.charAt(at + 1) == '\'') {
        stringLiteral(at + 1); // U&'..'
        return;
      }
      if (isKeyword(start, length, "TRUE") || isKeyword(start, length, "FALSE")) {
        literal();
        return;
      }
      emit(start, at);
      if (isKeyword(start, length, "IN")) {
        inState = IN_KEYWORD;
      }
    }

    private boolean isStringPrefix(int start, int length) {
      char c = sql.charAt(start);
      if (length == 1) {
        switch (c) {
          case 'e': case 'E': case 'n': case 'N': case 'x': case 'X': case 'b': case 'B':
            return true;
          default:
            return false;
        }
      }
      return c == '_';
    }

    private boolean isKeyword(int start, int length, String keyword) {
      return length == keyword.length() && sql.regionMatches(true, start, keyword, 0, length);
    }

    private void punctuation(char c) {
      int start = i;
      i++;
      if (c == '(' && inState == IN_KEYWORD) {
        emitRaw(start, i);
        inState = IN_EXPECT_VALUE;
        inListStart = out.length();
      } else if (c == ',' && inState == IN_AFTER_VALUE) {
        emitRaw(start, i);
        inState = IN_EXPECT_VALUE;
      } else if (c == ')' && inState == IN_AFTER_VALUE) {
        out.setLength(inListStart);
        out.append("?)");
        pendingSpace = false;
        inState = IN_NONE;
      } else if (c == '?' && inState == IN_EXPECT_VALUE) {
        emitRaw(start, i);
        inState = IN_AFTER_VALUE;
      } else {
        emit(start, i);
      }
    }

    /** Writes a {@code ?} for the literal just passed over. */
    private void literal() {
      space();
      out.append('?');
      if (inState == IN_EXPECT_VALUE) {
        inState = IN_AFTER_VALUE;
      } else if (inState != IN_NONE) {
        inState = IN_NONE;
      }
    }

    /** Copies source text that is not a literal; anything but ( ? , ) ends an IN list candidate. */
    private void emit(int start, int end) {
      inState = IN_NONE;
      emitRaw(start, end);
    }

    private void emitRaw(int start, int end) {
      space();
      out.append(sql, start, end);
    }

    private void space() {
      if (pendingSpace) {
        if (out.length() > 0) {
          out.append(' ');
        }
        pendingSpace = false;
      }
    }

    private static boolean isDigit(char c) {
      return c >= '0' && c <= '9';
    }

    // Every non-ASCII char counts as a word char, so surrogate pairs are never split.
    private static boolean isIdentifierStart(char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '@' || c == '#'
          || c >= 0x80;
    }

    private static boolean isIdentifierPart(char c) {
      return isIdentifierStart(c) || isDigit(c) || c == '$';
    }

    private static boolean isTagStart(char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean isTagPart(char c) {
      return isTagStart(c) || isDigit(c);
    }
  }
}
