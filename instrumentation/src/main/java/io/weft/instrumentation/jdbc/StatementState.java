package io.weft.instrumentation.jdbc;

import java.util.ArrayList;
import java.util.List;

/**
 * What the agent remembers about one live statement, in the statement's own field when its class
 * was woven as a {@link io.weft.bridge.StateCarrier}, else held weakly by the statement's identity:
 * the SQL it was prepared with, the database and span shape found on its first execution, and its
 * pending batch. Refers to no application object. Like the statement itself, used by one thread at a
 * time. Agent class loader.
 */
final class StatementState {

  /** Statement texts kept per batch; the count goes on, only the texts past this are not kept. */
  static final int MAX_BATCH_TEXTS = 64;

  final String preparedSql;
  SqlQuery query;
  DbInfo db;
  JdbcCallShape shape;
  int batchSize;
  List<String> batchSql;

  StatementState(String preparedSql) {
    this.preparedSql = preparedSql;
  }

  void addBatch(String sql) {
    batchSize++;
    if (sql != null) {
      if (batchSql == null) {
        batchSql = new ArrayList<>();
      }
      if (batchSql.size() < MAX_BATCH_TEXTS) {
        batchSql.add(sql);
      }
    }
  }

  void clearBatch() {
    batchSize = 0;
    batchSql = null;
  }
}
