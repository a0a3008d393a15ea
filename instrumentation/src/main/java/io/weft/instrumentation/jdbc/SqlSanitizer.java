package io.weft.instrumentation.jdbc;

/**
 * Replaces every literal in a SQL statement with {@code ?} in one linear pass, for {@code
 * db.query.text}; runs in the agent class loader on every traced statement and never throws.
 * Comments are dropped (the conventions allow keeping them, but they can carry literals), whitespace
 * runs become one space, {@code IN} lists of literals and placeholders collapse to {@code IN (?)}, and
 * output past the limit is cut and ends with {@link #TRUNCATION_MARKER}.
 *
 * <p>A backslash in a quoted literal is read as the dialect reads it by default: an escape in MySQL and
 * MariaDB, and in PostgreSQL's {@code E'...'}; an ordinary character elsewhere (standard SQL, PostgreSQL
 * with {@code standard_conforming_strings}, Oracle, SQL Server, H2). A server set otherwise ({@code
 * NO_BACKSLASH_ESCAPES}, or {@code standard_conforming_strings} off) reads it the other way, and then the
 * two readings end a literal such as {@code 'C:\'} at different quotes: what one takes for the next
 * literal the other takes for code. So where the two readings part, everything is hidden until both are
 * outside a literal again (often the end of the statement): never a literal shown, at the price of the
 * statement's tail, which only a quote escaped with a backslash or a literal ending in one costs.
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
  private final boolean mysql;

  /**
   * A sanitizer with its own bound ({@code maxLength} below the marker's length counts as the
   * marker's length). {@code mysql} is for MySQL and MariaDB (outside {@code ANSI_QUOTES}): {@code
   * "text"} is a string literal rather than an identifier, a backslash escapes in literals, and {@code #}
   * starts a comment to the end of the line.
   */
  public SqlSanitizer(int maxLength, boolean mysql) {
    this.maxLength = Math.max(maxLength, TRUNCATION_MARKER.length());
    this.mysql = mysql;
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
      return new Pass(sql, maxLength, mysql).run();
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
    private final boolean mysql;
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
    /** Whether the last {@link #endOfQuoted} passed a backslash. */
    private boolean sawBackslash;

    Pass(String sql, int maxLength, boolean mysql) {
      this.sql = sql;
      this.n = sql.length();
      this.maxLength = maxLength;
      this.mysql = mysql;
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
          skipLineComment(2);
        } else if (c == '#' && mysql) {
          skipLineComment(1);
        } else if (c == '/' && peek(1) == '*') {
          skipBlockComment();
        } else if (c == '\'') {
          stringLiteral(i, mysql, true);
        } else if (c == '"' && mysql) {
          stringLiteral(i, true, true);
        } else if (c == '"') {
          quoted(i, '"');
        } else if (c == '`') {
          quoted(i, '`');
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

    private void skipLineComment(int opening) {
      i += opening;
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

    /**
     * A literal opened by the quote at {@code start} (its prefix, if any, already behind), a backslash read as an
     * escape or not ({@code escapes}); {@code guarded}: the other reading is possible too (the server's setting
     * decides), so where the two end the literal at different quotes, everything up to where both are outside a
     * literal again is hidden (see the class comment).
     */
    private void stringLiteral(int start, boolean escapes, boolean guarded) {
      char quote = sql.charAt(start);
      int end = endOfQuoted(start + 1, quote, escapes);
      // without a backslash in the body, the two readings agree
      if (guarded && sawBackslash && endOfQuoted(start + 1, quote, !escapes) != end) {
        end = bothOutside(start + 1, quote, escapes);
      }
      i = end < 0 ? n : end;
      literal();
    }

    /** A quoted name; an unterminated one cannot be told from text: hidden. */
    private void quoted(int start, char quote) {
      int end = endOfQuoted(start + 1, quote, false);
      if (end < 0) {
        i = n;
        literal();
      } else {
        i = end;
        emit(start, end);
      }
    }

    /**
     * Where the quoted text whose body starts at {@code from} ends (past its closing quote), or -1 when it does
     * not: a doubled quote is part of the body, and so, with {@code escapes}, is any char after a backslash.
     */
    private int endOfQuoted(int from, char quote, boolean escapes) {
      int at = from;
      sawBackslash = false;
      while (at < n) {
        char c = sql.charAt(at);
        if (c == '\\') {
          sawBackslash = true;
        }
        if (c == quote) {
          if (at + 1 < n && sql.charAt(at + 1) == quote) {
            at += 2;
            continue;
          }
          return at + 1;
        }
        at += (c == '\\' && escapes) ? 2 : 1;
      }
      return -1;
    }

    /**
     * Reads on from {@code from}, inside a literal, both ways at once (a backslash an escape, and not) and returns
     * the first position where both readings are outside a literal, or -1 when that never happens.
     */
    private int bothOutside(int from, char quote, boolean escapes) {
      boolean inA = true; // the dialect's reading
      boolean inB = true; // the other one
      boolean skipA = false;
      boolean skipB = false;
      for (int at = from; at < n; at++) {
        char c = sql.charAt(at);
        char next = at + 1 < n ? sql.charAt(at + 1) : '\0';
        if (skipA) {
          skipA = false;
        } else if (!inA) {
          inA = c == quote;
        } else if (c == quote) {
          skipA = next == quote; // a doubled quote stays inside
          inA = skipA;
        } else {
          skipA = c == '\\' && escapes;
        }
        if (skipB) {
          skipB = false;
        } else if (!inB) {
          inB = c == quote;
        } else if (c == quote) {
          skipB = next == quote;
          inB = skipB;
        } else {
          skipB = c == '\\' && !escapes;
        }
        if (!inA && !inB) {
          return at + 1;
        }
      }
      return -1;
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
      if (at < n && sql.charAt(at) == '\'' && !mysql && isOracleQuotePrefix(start, length) && at + 2 < n
          && sql.charAt(at + 1) > ' ') {
        oracleQuoted(at); // q'[..]', nq'!..!'
        return;
      }
      if (at < n && sql.charAt(at) == '\'' && isStringPrefix(start, length)) {
        boolean escapeString = length == 1 && (sql.charAt(start) == 'e' || sql.charAt(start) == 'E') && !mysql;
        // PostgreSQL's E'..' reads a backslash as an escape whatever the server's settings
        stringLiteral(at, escapeString || mysql, !escapeString); // E'..', N'..', X'..', B'..', _utf8mb4'..'
        return;
      }
      if (length == 1 && (sql.charAt(start) == 'U' || sql.charAt(start) == 'u')
          && at + 1 < n && sql.charAt(at) == '&' && sql.charAt(at + 1) == '\'') {
        stringLiteral(at + 1, mysql, true); // U&'..'
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

    /** Oracle's alternative quoting: {@code q} or {@code nq}, any case. */
    private boolean isOracleQuotePrefix(int start, int length) {
      char last = sql.charAt(start + length - 1);
      if (last != 'q' && last != 'Q') {
        return false;
      }
      return length == 1 || length == 2 && (sql.charAt(start) == 'n' || sql.charAt(start) == 'N');
    }

    /**
     * {@code q'<d>...<d>'} from the quote at {@code quote}: the body ends at the delimiter's closing partner ({@code ]})
     * for {@code [}, {@code >} for {@code <}, and so on, else the delimiter itself) followed by a quote; unterminated,
     * the rest is hidden.
     */
    private void oracleQuoted(int quote) {
      char open = sql.charAt(quote + 1);
      char close = open == '[' ? ']' : open == '{' ? '}' : open == '<' ? '>' : open == '(' ? ')' : open;
      int at = quote + 2;
      while (at + 1 < n && !(sql.charAt(at) == close && sql.charAt(at + 1) == '\'')) {
        at++;
      }
      i = at + 1 < n ? at + 2 : n;
      literal();
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
