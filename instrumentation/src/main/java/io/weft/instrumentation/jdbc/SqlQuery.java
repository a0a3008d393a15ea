package io.weft.instrumentation.jdbc;

/**
 * One SQL text as it is exported: {@code db.query.text} (sanitized unless sanitizing is off) and its
 * {@link SqlSummary}. Made once per distinct text by {@link SqlQueryCache}; agent class loader.
 */
final class SqlQuery {

  static final SqlQuery NONE = new SqlQuery(null, SqlSummary.of(null));

  final String text;
  final SqlSummary summary;

  SqlQuery(String text, SqlSummary summary) {
    this.text = text;
    this.summary = summary;
  }
}
