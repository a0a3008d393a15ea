package io.weft.instrumentation.jdbc;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Sanitized text and summary per SQL string, so a statement run again is never parsed again. Two
 * dialects (MySQL and MariaDB read {@code "..."} as a string literal, the others as a name), each a
 * bounded map that is emptied when full: applications that inline literals make unbounded distinct
 * texts, and forgetting is cheaper than tracking recency. Agent class loader.
 */
final class SqlQueryCache {

  static final int MAX_ENTRIES = 2048;

  private final boolean sanitize;
  private final SqlSanitizer ansi = new SqlSanitizer(SqlSanitizer.MAX_LENGTH, false);
  private final SqlSanitizer mysql = new SqlSanitizer(SqlSanitizer.MAX_LENGTH, true);
  private final ConcurrentHashMap<String, SqlQuery> ansiQueries = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, SqlQuery> mysqlQueries = new ConcurrentHashMap<>();

  SqlQueryCache(boolean sanitize) {
    this.sanitize = sanitize;
  }

  SqlQuery get(String sql, boolean mysqlDialect) {
    if (sql == null) {
      return SqlQuery.NONE;
    }
    ConcurrentHashMap<String, SqlQuery> queries = mysqlDialect ? mysqlQueries : ansiQueries;
    SqlQuery query = queries.get(sql);
    if (query == null) {
      query = parse(sql, mysqlDialect);
      if (queries.size() >= MAX_ENTRIES) {
        queries.clear();
      }
      queries.put(sql, query);
    }
    return query;
  }

  private SqlQuery parse(String sql, boolean mysqlDialect) {
    String sanitized = (mysqlDialect ? mysql : ansi).apply(sql);
    // The summary skips literals either way; from sanitized text it sees fewer tokens.
    SqlSummary summary = SqlSummary.of(sanitized);
    return new SqlQuery(sanitize ? sanitized : sql, summary);
  }
}
