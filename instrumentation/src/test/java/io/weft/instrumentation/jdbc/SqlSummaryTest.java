package io.weft.instrumentation.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SqlSummaryTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '~', nullValues = "null", textBlock = """
      SELECT * FROM owners WHERE id = ?                                 | SELECT owners              | SELECT | owners
      select * from owners o where o.id = ?                             | SELECT owners              | SELECT | owners
      INSERT INTO visits (pet_id, visit_date) VALUES (?, ?)             | INSERT visits              | INSERT | visits
      INSERT IGNORE INTO visits VALUES (?)                              | INSERT visits              | INSERT | visits
      INSERT OR REPLACE INTO visits VALUES (?)                          | INSERT visits              | INSERT | visits
      REPLACE INTO visits VALUES (?)                                    | REPLACE visits             | REPLACE | visits
      UPDATE accounts SET balance = ? WHERE id = ?                      | UPDATE accounts            | UPDATE | accounts
      DELETE FROM sessions WHERE expires < ?                            | DELETE sessions            | DELETE | sessions
      SELECT * FROM owners o JOIN pets p ON p.owner_id = o.id           | SELECT owners pets         | SELECT | null
      SELECT * FROM orders, customers WHERE orders.c = customers.id     | SELECT orders customers    | SELECT | null
      SELECT * FROM a LEFT OUTER JOIN b USING (id) CROSS JOIN c         | SELECT a b c               | SELECT | null
      SELECT ?                                                          | SELECT                     | SELECT | null
      SELECT now()                                                      | SELECT                     | SELECT | null
      SELECT * FROM t FOR UPDATE                                        | SELECT t                   | SELECT | t
      INSERT INTO t (a) VALUES (?) ON DUPLICATE KEY UPDATE a = ?        | INSERT t                   | INSERT | t
      INSERT INTO t (a) VALUES (?) ON CONFLICT (a) DO UPDATE SET a = ?  | INSERT t                   | INSERT | t
      SELECT * FROM "My Table", public.t2 AS t                          | SELECT "My Table" public.t2 | SELECT | null
      SELECT * FROM [dbo].[users] WITH (NOLOCK)                         | SELECT [dbo].[users]       | SELECT | [dbo].[users]
      SELECT * FROM `shop`.`orders`                                     | SELECT `shop`.`orders`     | SELECT | `shop`.`orders`
      SELECT * FROM master..sysdatabases                                | SELECT master..sysdatabases | SELECT | master..sysdatabases
      SELECT * FROM public."Users"                                      | SELECT public."Users"      | SELECT | public."Users"
      CREATE TABLE users (id INT PRIMARY KEY)                           | CREATE TABLE users         | CREATE TABLE | users
      CREATE TEMPORARY TABLE IF NOT EXISTS tmp (id INT)                 | CREATE TABLE tmp           | CREATE TABLE | tmp
      CREATE OR REPLACE VIEW v AS SELECT * FROM t                       | CREATE VIEW v SELECT t     | CREATE VIEW | null
      CREATE UNIQUE INDEX idx_name ON users (name)                      | CREATE INDEX idx_name      | CREATE INDEX | idx_name
      DROP TABLE x                                                      | DROP TABLE x               | DROP TABLE | x
      DROP TABLE IF EXISTS x                                            | DROP TABLE x               | DROP TABLE | x
      ALTER TABLE users ADD COLUMN age INT                              | ALTER TABLE users          | ALTER TABLE | users
      TRUNCATE TABLE logs                                               | TRUNCATE TABLE logs        | TRUNCATE TABLE | logs
      TRUNCATE logs                                                     | TRUNCATE logs              | TRUNCATE | logs
      MERGE INTO t USING s ON (t.id = s.id) WHEN MATCHED THEN UPDATE SET a = ? WHEN NOT MATCHED THEN INSERT (a) VALUES (?) | MERGE t s | MERGE | null
      SELECT order_date FROM (SELECT * FROM orders o JOIN customers c ON o.customer_id = c.customer_id) | SELECT SELECT orders customers | SELECT | null
      INSERT INTO shipping_details (id, address) SELECT id, address FROM orders | INSERT shipping_details SELECT orders | INSERT | null
      SELECT * FROM customers WHERE EXISTS (SELECT ? FROM orders WHERE customer_id = customers.id) | SELECT customers SELECT orders | SELECT | null
      SELECT * FROM a, (SELECT * FROM b WHERE x = ?) bb, c              | SELECT a SELECT b c        | SELECT | null
      SELECT * FROM users UNION ALL SELECT * FROM contractors           | SELECT users SELECT contractors | SELECT | null
      SELECT * FROM (SELECT * FROM t) x                                 | SELECT SELECT t            | SELECT | t
      WITH recent AS (SELECT * FROM orders WHERE d > ?) SELECT * FROM recent | SELECT orders SELECT recent | SELECT | null
      WITH RECURSIVE r (n) AS (SELECT ? UNION ALL SELECT n FROM r), s AS (SELECT * FROM t) SELECT * FROM r, s | SELECT SELECT r SELECT t SELECT r s | SELECT | null
      WITH gone AS (DELETE FROM t RETURNING *) INSERT INTO log SELECT * FROM gone | DELETE t INSERT log SELECT gone | DELETE | null
      EXPLAIN SELECT * FROM t                                           | EXPLAIN SELECT t           | EXPLAIN | t
      SET search_path = ?                                               | SET                        | SET | null
      COMMIT                                                            | COMMIT                     | COMMIT | null
      START TRANSACTION                                                 | START                      | START | null
      /* app: checkout */ SELECT * FROM carts -- trailing              | SELECT carts               | SELECT | carts
      (SELECT a FROM t1) UNION (SELECT a FROM t2)                       | SELECT t1 SELECT t2        | SELECT | null
      SELECT a FROM t1; DELETE FROM t2                                  | SELECT t1 DELETE t2        | SELECT | null
      SELECT 'FROM secret', $$ FROM other $$ FROM t                     | SELECT t                   | SELECT | t
      SELECT * FROM user                                                | SELECT user                | SELECT | user
      """)
  void summarizes(String sql, String summary, String operation, String collection) {
    SqlSummary result = SqlSummary.of(sql);
    assertEquals(summary, result.summary(), "summary");
    assertEquals(operation, result.operationName(), "operation");
    assertEquals(collection, result.collectionName(), "collection");
    assertNull(result.storedProcedureName());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      CALL refresh_stats(?)          | CALL refresh_stats    | CALL | refresh_stats
      {call refresh_stats(?)}        | CALL refresh_stats    | CALL | refresh_stats
      { CALL stats.refresh(?, ?) }   | CALL stats.refresh    | CALL | stats.refresh
      {? = call f(?)}                | CALL f                | CALL | f
      EXEC dbo.nightly ?             | EXEC dbo.nightly      | EXEC | dbo.nightly
      EXECUTE @rc = dbo.nightly ?    | EXECUTE dbo.nightly   | EXECUTE | dbo.nightly
      """)
  void namesTheProcedureOfACall(String sql, String summary, String operation, String procedure) {
    SqlSummary result = SqlSummary.of(sql);
    assertEquals(summary, result.summary());
    assertEquals(operation, result.operationName());
    assertEquals(procedure, result.storedProcedureName());
    assertNull(result.collectionName());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "garbage", "hello world", "42", "'SELECT'", "\"t\".x = 1", "-- SELECT",
      "/* SELECT * FROM t", "?", "{", "((((", ")))", "$$SELECT$$", "\uD83D\uDE00 SELECT"})
  void unknownStatementsHaveNoSummary(String sql) {
    SqlSummary result = SqlSummary.of(sql);
    assertNull(result.summary());
    assertNull(result.operationName());
    assertNull(result.collectionName());
    assertNull(result.storedProcedureName());
  }

  @Test
  void nullHasNoSummary() {
    assertNull(SqlSummary.of(null).summary());
  }

  @Test
  void hostileInputNeverThrows() {
    String[] fragments = {"SELECT", "FROM", "(", ")", ",", ";", "'", "\"", "`", "[", "]", "$", "$a$", "/*",
        "*/", "--", "\n", "WITH", "CALL", "{", "?", "x", ".", "..", "CREATE", "TABLE", "JOIN", " "};
    java.util.Random random = new java.util.Random(99);
    for (int n = 0; n < 2000; n++) {
      StringBuilder sql = new StringBuilder();
      for (int k = random.nextInt(40); k >= 0; k--) {
        sql.append(fragments[random.nextInt(fragments.length)]).append(random.nextBoolean() ? " " : "");
      }
      String summary = SqlSummary.of(sql.toString()).summary();
      assertTrue(summary == null || summary.length() <= SqlSummary.MAX_SUMMARY_LENGTH, sql.toString());
    }
  }

  @Test
  void longSummariesAreCutAfterAWholeWord() {
    StringBuilder sql = new StringBuilder("SELECT * FROM ");
    for (int k = 0; k < 100; k++) {
      sql.append(k == 0 ? "" : ", ").append("table_number_").append(k);
    }
    String summary = SqlSummary.of(sql.toString()).summary();
    assertTrue(summary.length() <= SqlSummary.MAX_SUMMARY_LENGTH);
    assertTrue(summary.matches("SELECT( table_number_\\d+)+"), summary);

    String huge = "SELECT * FROM " + "a".repeat(300);
    assertEquals("SELECT", SqlSummary.of(huge).summary());
    assertEquals("a".repeat(300), SqlSummary.of(huge).collectionName());
  }

  @Test
  void oneMegabyteStatementIsSummarized() {
    String sql = "SELECT * FROM t WHERE a IN (" + "?, ".repeat(300_000) + "?)";
    assertEquals("SELECT t", SqlSummary.of(sql).summary());
  }

  @Test
  void batchesWithOneSummaryAreNamedAfterIt() {
    assertEquals("BATCH INSERT visits", SqlSummary.batchSummary(List.of("INSERT visits", "INSERT visits")));
    assertEquals("BATCH INSERT visits", SqlSummary.batchSummary(new String[] {"INSERT visits", "INSERT visits", "INSERT visits"}));
    assertEquals("BATCH", SqlSummary.batchSummary(List.of("INSERT visits", "UPDATE visits")));
    assertEquals("BATCH", SqlSummary.batchSummary(Arrays.asList("INSERT visits", null)));
    assertEquals("BATCH", SqlSummary.batchSummary(Arrays.asList(null, null)));
    assertEquals("BATCH", SqlSummary.batchSummary(List.of()));
    assertEquals("BATCH", SqlSummary.batchSummary((List<String>) null));
    assertEquals("BATCH", SqlSummary.batchSummary((String[]) null));
    assertEquals("INSERT visits", SqlSummary.batchSummary(List.of("INSERT visits")));
  }

  @Test
  void batchSummaryStaysWithinTheBound() {
    String summary = SqlSummary.of("SELECT * FROM " + "t_long_name, ".repeat(40) + "last").summary();
    String batch = SqlSummary.batchSummary(List.of(summary, summary));
    assertTrue(batch.startsWith("BATCH SELECT t_long_name"));
    assertTrue(batch.length() <= SqlSummary.MAX_SUMMARY_LENGTH);
    assertTrue(batch.endsWith("t_long_name"));
  }
}
