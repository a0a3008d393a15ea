package io.weft.instrumentation.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqlSanitizerTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '~', textBlock = """
      SELECT * FROM users WHERE name = 'alice'                  | SELECT * FROM users WHERE name = ?
      SELECT 'it''s', 'a\\b', 'c\\\\' FROM t                    | SELECT ?, ?, ? FROM t
      SELECT E'line\\n', e'x' FROM t                            | SELECT ?, ? FROM t
      SELECT N'unicode', n'x', X'0F', x'ff', B'0101', b'1'      | SELECT ?, ?, ?, ?, ?, ?
      SELECT U&'d\\0061t', _utf8mb4'abc' FROM t                 | SELECT ?, ? FROM t
      SELECT 0xFF, 0XdeadBEEF, 0b1010 FROM t                    | SELECT ?, ?, ? FROM t
      SELECT 42, 3.14, .5, 1., 6.02e23, 1E-9, 2.5e+3 FROM t     | SELECT ?, ?, ?, ?, ?, ?, ? FROM t
      SELECT a-1, a - 1, -5, a+-2 FROM t                        | SELECT a-?, a - ?, -?, a+-? FROM t
      SELECT $$it's $1$$, $tag$a $$ b$tag$ FROM t               | SELECT ?, ? FROM t
      SELECT * FROM t WHERE a = $1 AND b = $12                  | SELECT * FROM t WHERE a = $1 AND b = $12
      SELECT * FROM t WHERE a = ? AND b = :name AND c = ?::int  | SELECT * FROM t WHERE a = ? AND b = :name AND c = ?::int
      SELECT * FROM t WHERE a = TRUE OR b = false OR c IS NULL  | SELECT * FROM t WHERE a = ? OR b = ? OR c IS NULL
      SELECT * FROM t WHERE id IN (1, 2, 3)                     | SELECT * FROM t WHERE id IN (?)
      SELECT * FROM t WHERE id in ('a','b')                     | SELECT * FROM t WHERE id in (?)
      SELECT * FROM t WHERE id IN ( ?, ?,? )                    | SELECT * FROM t WHERE id IN (?)
      SELECT * FROM t WHERE id NOT IN (-1, 2)                   | SELECT * FROM t WHERE id NOT IN (-?, ?)
      SELECT * FROM t WHERE id IN (a, 1)                        | SELECT * FROM t WHERE id IN (a, ?)
      SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE x = 1)| SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE x = ?)
      SELECT * FROM t WHERE id IN ($1, $2)                      | SELECT * FROM t WHERE id IN ($1, $2)
      SELECT "Col 1", `col 2`, [col 3], "a""b" FROM "My Table"  | SELECT "Col 1", `col 2`, [col 3], "a""b" FROM "My Table"
      SELECT [dbo].[users].[id] FROM [dbo].[users]              | SELECT [dbo].[users].[id] FROM [dbo].[users]
      SELECT arr[1], ARRAY[2, 3], m['k'] FROM t                 | SELECT arr[?], ARRAY[?, ?], m[?] FROM t
      SELECT t1.col_2, v$session, @var, @@ROWCOUNT FROM #tmp    | SELECT t1.col_2, v$session, @var, @@ROWCOUNT FROM #tmp
      SELECT 1 -- comment 'secret'                              | SELECT ?
      SELECT /* hint 42 */ a FROM t /* x */                     | SELECT a FROM t
      SELECT a/* c */FROM t                                     | SELECT a FROM t
      SELECT /* outer /* inner */ still 1 */ a FROM t           | SELECT a FROM t
      INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')            | INSERT INTO t (a, b) VALUES (?, ?), (?, ?)
      UPDATE t SET a = DATE '2024-01-01' WHERE b = 1L           | UPDATE t SET a = DATE ? WHERE b = ?
      ~  SELECT   a ,	b  FROM  t  ~                             | SELECT a , b FROM t
      SELECT "unterminated FROM t                               | SELECT ?
      SELECT `unterminated FROM t                               | SELECT ?
      SELECT a FROM t WHERE x = $                               | SELECT a FROM t WHERE x = $
      SELECT café, naïve_col, 表 FROM t WHERE x = 'é'             | SELECT café, naïve_col, 表 FROM t WHERE x = ?
      """)
  void replacesLiterals(String sql, String expected) {
    assertEquals(expected, SqlSanitizer.sanitize(sql));
  }

  @Test
  void nullStaysNullAndEmptyStaysEmpty() {
    assertNull(SqlSanitizer.sanitize(null));
    assertEquals("", SqlSanitizer.sanitize(""));
    assertEquals("", SqlSanitizer.sanitize(" \n\t "));
    assertEquals("", SqlSanitizer.sanitize("-- only a comment"));
  }

  @Test
  void unterminatedLiteralsHideEverythingAfterTheirOpening() {
    assertEquals("SELECT * FROM t WHERE a = ?", SqlSanitizer.sanitize("SELECT * FROM t WHERE a = 'secret AND b = 2"));
    assertEquals("SELECT ?", SqlSanitizer.sanitize("SELECT 'ends with backslash\\"));
    assertEquals("SELECT ?", SqlSanitizer.sanitize("SELECT 'escaped close\\' secret"));
    assertEquals("SELECT ?", SqlSanitizer.sanitize("SELECT $$never closed secret"));
    assertEquals("SELECT ?", SqlSanitizer.sanitize("SELECT $tag$closed with another tag $other$ secret"));
    assertEquals("SELECT", SqlSanitizer.sanitize("SELECT /* secret"));
    assertEquals("SELECT", SqlSanitizer.sanitize("SELECT /* a /* b */ secret"));
    assertEquals("SELECT ?", SqlSanitizer.sanitize("SELECT E'secret"));
    assertEquals("SELECT a IN (?, ?", SqlSanitizer.sanitize("SELECT a IN (1, 'secret"));
  }

  @Test
  void nestedAndEscapedQuotesStayInsideTheirLiteral() {
    assertEquals("SELECT ? FROM t", SqlSanitizer.sanitize("SELECT 'a \"b\" `c` [d] $$e$$ --f /*g*/' FROM t"));
    assertEquals("SELECT ? FROM t", SqlSanitizer.sanitize("SELECT 'x''''y''' FROM t"));
    assertEquals("SELECT ?, b FROM t", SqlSanitizer.sanitize("SELECT $q$ 'not a string start $q$, b FROM t"));
    assertEquals("SELECT \"a 'b' c\" FROM t", SqlSanitizer.sanitize("SELECT \"a 'b' c\" FROM t"));
  }

  /**
   * A backslash is an ordinary character in standard SQL (PostgreSQL's default) and an escape in MySQL's: where the two
   * readings end a literal at different quotes, what follows is hidden until both agree again, so neither a
   * PostgreSQL {@code 'C:\'} nor a MariaDB under {@code NO_BACKSLASH_ESCAPES} shows the next literal.
   */
  @Test
  void aBackslashNeverShowsALiteralWhicheverWayTheServerReadsIt() {
    SqlSanitizer mysql = new SqlSanitizer(SqlSanitizer.MAX_LENGTH, true);
    // the readings agree: nothing changes
    assertEquals("SELECT * FROM t WHERE a ~ ? AND b LIKE ? AND c = ?",
        SqlSanitizer.sanitize("SELECT * FROM t WHERE a ~ '\\d+' AND b LIKE 'x\\_%' AND c = 'C:\\\\dir'"));
    assertEquals("SELECT * FROM t WHERE a ~ ? AND b LIKE ?", mysql.apply("SELECT * FROM t WHERE a ~ '\\d+' AND b LIKE 'x\\_%'"));
    // PostgreSQL's default: 'C:\' ends at its quote, and an escape reading would show hunter2
    assertEquals("SELECT ?", SqlSanitizer.sanitize("SELECT 'C:\\' AS p, 'hunter2' AS q"));
    // MySQL's default: 'it\'s' goes on, and a standard reading would show secret
    assertEquals("SELECT ?", mysql.apply("SELECT 'it\\'s', 'secret' FROM t"));
    // MariaDB under NO_BACKSLASH_ESCAPES, the other way round
    assertEquals("SELECT ?", mysql.apply("SELECT 'C:\\', 'secret7'"));
    assertEquals("SELECT ?", mysql.apply("SELECT \"C:\\\", \"secret8\""));
    // the readings meet again after the second escaped quote: the statement goes on from there
    assertEquals("SELECT * FROM t WHERE a = ? AND c = ?", mysql.apply("SELECT * FROM t WHERE a = 'it\\'s' AND b = 'o\\'k' AND c = 1"));
    // PostgreSQL's E'..' reads a backslash as an escape whatever the settings
    assertEquals("SELECT ?, ? FROM t", SqlSanitizer.sanitize("SELECT E'it\\'s', 'x' FROM t"));
  }

  @Test
  void aMegabyteOfBackslashesAndQuotesShowsNoLiteralEitherWay() {
    String sql = "SELECT a FROM t WHERE " + "x = 'C:\\' OR y = 'SECRET\\\\' OR z = \"SECRET\\\"\" OR ".repeat(20_000) + "1 = 1";
    for (SqlSanitizer sanitizer : List.of(new SqlSanitizer(SqlSanitizer.MAX_LENGTH, false), new SqlSanitizer(SqlSanitizer.MAX_LENGTH, true))) {
      String result = sanitizer.apply(sql);
      assertTrue(result.startsWith("SELECT a FROM t WHERE x = ?"), () -> result.substring(0, Math.min(40, result.length())));
      assertFalse(result.contains("SECRET"));
    }
  }

  @Test
  void aHashStartsACommentInMysqlOnly() {
    SqlSanitizer mysql = new SqlSanitizer(SqlSanitizer.MAX_LENGTH, true);
    assertEquals("SELECT ?", mysql.apply("SELECT 1 # user: alice@example.com token secretword4"));
    assertEquals("SELECT a FROM t WHERE b = ?", mysql.apply("SELECT a FROM t # note 'x'\nWHERE b = 2"));
    assertEquals("SELECT a FROM #tmp", SqlSanitizer.sanitize("SELECT a FROM #tmp"), "SQL Server's temporary table");
  }

  @Test
  void oraclesAlternativeQuotingIsALiteral() {
    assertEquals("SELECT ? FROM dual", SqlSanitizer.sanitize("SELECT q'[it's a secret1]' FROM dual"));
    assertEquals("SELECT ?, ?, ? FROM dual", SqlSanitizer.sanitize("SELECT Q'{a'b}', nq'!x'secret3!', NQ'<s>' FROM dual"));
    assertEquals("SELECT ? FROM dual WHERE a = ?", SqlSanitizer.sanitize("SELECT q'(x)' FROM dual WHERE a = 1"));
    assertEquals("SELECT ?", SqlSanitizer.sanitize("SELECT q'[unterminated secret"));
    assertEquals("SELECT q, ? FROM t", SqlSanitizer.sanitize("SELECT q, 'x' FROM t"), "a column named q is a name");
  }

  @Test
  void doubleQuotesAreStringsWhenConfigured() {
    SqlSanitizer mysql = new SqlSanitizer(SqlSanitizer.MAX_LENGTH, true);
    assertEquals("SELECT * FROM t WHERE a = ? AND b = ?",
        mysql.apply("SELECT * FROM t WHERE a = \"secret\" AND b = \"x\\\"y\""));
    assertEquals("SELECT `a` FROM t WHERE b IN (?)", mysql.apply("SELECT `a` FROM t WHERE b IN (\"x\", \"y\")"));
  }

  @Test
  void surrogatePairsSurviveInNamesAndVanishInLiterals() {
    assertEquals("SELECT \uD83D\uDE00col FROM t WHERE a = ?",
        SqlSanitizer.sanitize("SELECT \uD83D\uDE00col FROM t WHERE a = 'x\uD83D\uDE00y'"));
    assertEquals("SELECT ?", SqlSanitizer.sanitize("SELECT '\uD83D'")); // a lone surrogate
  }

  @Test
  void longOutputIsCutAtTheLimitWithAMarker() {
    SqlSanitizer small = new SqlSanitizer(20, false);
    assertEquals("SELECT column_one...", small.apply("SELECT column_one, column_two FROM t"));
    assertEquals("SELECT a FROM t", small.apply("SELECT a FROM t"));
    assertEquals("SELECT ? FROM abcdef", small.apply("SELECT 'a long literal' FROM abcdef"));
  }

  @Test
  void cutNeverSplitsASurrogatePair() {
    String emoji = "\uD83D\uDE00";
    for (String prefix : List.of("SELECT a", "SELECT ")) {
      String result = SqlSanitizer.sanitize(prefix + emoji.repeat(SqlSanitizer.MAX_LENGTH));
      assertTrue(result.length() <= SqlSanitizer.MAX_LENGTH);
      assertTrue(result.endsWith(SqlSanitizer.TRUNCATION_MARKER));
      char last = result.charAt(result.length() - SqlSanitizer.TRUNCATION_MARKER.length() - 1);
      assertFalse(Character.isHighSurrogate(last), prefix);
    }
  }

  @Test
  void oneMegabyteStatementIsBoundedAndClean() {
    String clause = "SELECT a, b FROM orders WHERE c = 'secret' AND d = 12345 UNION ALL ";
    String sql = clause.repeat(1024 * 1024 / clause.length() + 1);
    String result = SqlSanitizer.sanitize(sql);
    assertTrue(result.length() <= SqlSanitizer.MAX_LENGTH);
    assertTrue(result.startsWith("SELECT a, b FROM orders WHERE c = ? AND d = ? UNION ALL SELECT"));
    assertTrue(result.endsWith(SqlSanitizer.TRUNCATION_MARKER));
    assertFalse(result.contains("secret") || result.contains("12345"));
  }

  @Test
  void oneMegabyteInListCollapses() {
    StringBuilder sql = new StringBuilder("SELECT * FROM t WHERE id IN (");
    while (sql.length() < 1024 * 1024) {
      sql.append("123456, 'abc', ");
    }
    sql.append("7) AND x = 1");
    assertEquals("SELECT * FROM t WHERE id IN (?) AND x = ?", SqlSanitizer.sanitize(sql.toString()));
  }

  @Test
  void oneMegabyteOfHostileFragmentsNeverLeaks() {
    String[] fragments = {"'", "\\", "$", "$a$", "/*", "*/", "--", "\n", "[", "]", "\"", "`", "x", "9", "E", "(", ")", " IN "};
    Random random = new Random(7);
    StringBuilder sql = new StringBuilder("SELECT ");
    while (sql.length() < 1024 * 1024) {
      sql.append(fragments[random.nextInt(fragments.length)]);
    }
    String result = SqlSanitizer.sanitize(sql.toString());
    assertTrue(result.length() <= SqlSanitizer.MAX_LENGTH);
    assertTrue(result.startsWith("SELECT"));
  }

  /** Statements from a small grammar; the expected text is built beside the input. */
  @Test
  void randomStatementsKeepStructureAndLoseEveryLiteral() {
    Random random = new Random(20240611);
    for (int n = 0; n < 3000; n++) {
      Generated statement = new Generated(random);
      statement.statement();
      String result = SqlSanitizer.sanitize(statement.sql.toString());
      assertEquals(statement.expected.toString(), result, statement.sql.toString());
      assertFalse(result.contains("SECRET"), statement.sql.toString());
    }
  }

  private static final class Generated {
    private static final String[] NAMES = {
      "users", "t1", "col_2", "\"Quoted Col\"", "`tick`", "[bracket id]", "s.tbl", "v$session",
      "naïve", "\"\uD83D\uDE00\"", "orders", "x"};
    private static final String[] SEPARATORS = {
      " ", " ", " ", "\n", "\t ", " /* SECRET 'x' */ ", " -- SECRET 'y'\n", "/**/"};
    private static final String[] STRING_PARTS = {
      "SECRET", "abc", "''", "\\\\", "é", "\uD83D\uDE00", " ", "--", "/*", "*/", "\"", "`", "$$",
      "[", "]", ";", "?", "$1", "IN (1)"};

    private final Random random;
    final StringBuilder sql = new StringBuilder();
    final StringBuilder expected = new StringBuilder();

    Generated(Random random) {
      this.random = random;
    }

    void statement() {
      switch (random.nextInt(4)) {
        case 0 -> {
          word("SELECT");
          names(1 + random.nextInt(3));
          word("FROM");
          name();
          where();
        }
        case 1 -> {
          word("INSERT");
          word("INTO");
          name();
          token("(", "(");
          names(2);
          token(")", ")");
          word("VALUES");
          token("(", "(");
          literal();
          token(",", ",");
          literal();
          token(")", ")");
        }
        case 2 -> {
          word("UPDATE");
          name();
          word("SET");
          comparison();
          where();
        }
        default -> {
          word("DELETE");
          word("FROM");
          name();
          where();
        }
      }
    }

    private void where() {
      word("WHERE");
      comparison();
      for (int k = random.nextInt(3); k > 0; k--) {
        word(random.nextBoolean() ? "AND" : "OR");
        if (random.nextInt(3) == 0) {
          inList();
        } else {
          comparison();
        }
      }
    }

    private void comparison() {
      name();
      if (random.nextBoolean()) {
        token("=", "="); // separated
      } else {
        glue("=", "=");
      }
      if (random.nextInt(5) == 0) {
        token(random.nextBoolean() ? "?" : "$" + (1 + random.nextInt(9)), null);
      } else {
        literal();
      }
    }

    private void inList() {
      name();
      word("IN");
      int size = 1 + random.nextInt(4);
      sql.append(separator()).append('(');
      for (int k = 0; k < size; k++) {
        if (k > 0) {
          sql.append(separator()).append(',');
        }
        sql.append(separator());
        if (random.nextInt(4) == 0) {
          sql.append('?');
        } else {
          sql.append(literalText());
        }
      }
      sql.append(separator()).append(')');
      expected.append(" (?)");
    }

    private void literal() {
      sql.append(separator()).append(literalText());
      expected.append(" ?");
    }

    private String literalText() {
      switch (random.nextInt(9)) {
        case 0: return string("'");
        case 1: return "E" + string("'");
        case 2: return "N" + string("'");
        case 3: return "X'" + Integer.toHexString(random.nextInt()) + "'";
        case 4: return String.valueOf(random.nextInt(100000));
        case 5: return random.nextInt(1000) + "." + random.nextInt(1000) + (random.nextBoolean() ? "e-" + random.nextInt(30) : "");
        case 6: return "0x" + Integer.toHexString(random.nextInt()).toUpperCase();
        case 7: return random.nextBoolean() ? "TRUE" : "false";
        default:
          String tag = random.nextBoolean() ? "" : "tg" + random.nextInt(10);
          return "$" + tag + "$" + body() + "$" + tag + "$";
      }
    }

    private String string(String quote) {
      return quote + body() + quote;
    }

    private String body() {
      StringBuilder body = new StringBuilder();
      for (int k = random.nextInt(6); k >= 0; k--) {
        body.append(STRING_PARTS[random.nextInt(STRING_PARTS.length)]);
      }
      // Keeps a dollar quote from closing before the generator closes it.
      String text = body.toString();
      while (text.contains("$$")) {
        text = text.replace("$$", "$ $");
      }
      return text.endsWith("$") ? text + " " : text;
    }

    private void names(int count) {
      for (int k = 0; k < count; k++) {
        if (k > 0) {
          glue(",", ",");
        }
        name();
      }
    }

    private void name() {
      String name = NAMES[random.nextInt(NAMES.length)];
      token(name, name);
    }

    private void word(String keyword) {
      String written = random.nextBoolean() ? keyword : keyword.toLowerCase();
      token(written, written);
    }

    /** Source text after a separator; {@code null} expected text means "same as source". */
    private void token(String text, String expectedText) {
      if (sql.length() > 0) {
        sql.append(separator());
        expected.append(' ');
      }
      sql.append(text);
      expected.append(expectedText == null ? text : expectedText);
    }

    private void glue(String text, String expectedText) {
      sql.append(text);
      expected.append(expectedText);
    }

    private String separator() {
      return SEPARATORS[random.nextInt(SEPARATORS.length)];
    }
  }
}
