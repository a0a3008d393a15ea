package io.weft.instrumentation.jdbc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  /** Parameters beyond this index are not kept (the span's attribute count limit keeps fewer still). */
  static final int MAX_PARAMETERS = 256;

  /** The text of each positional parameter set since the last clear, by index (0 for the first); null: none. */
  String[] positional;
  /** A callable statement's named parameters, in the order first set; null: none. */
  Map<String, String> named;

  /** {@code key}: the JDBC index (1 for the first) or a name; {@code text} null when the value is not kept. */
  void parameter(Object key, String text) {
    if (key instanceof Integer) {
      int index = (Integer) key - 1;
      if (index < 0 || index >= MAX_PARAMETERS) {
        return;
      }
      if (positional == null || positional.length <= index) {
        if (text == null) {
          return;
        }
        String[] grown = new String[Math.min(MAX_PARAMETERS, Math.max(index + 1, positional == null ? 4 : positional.length * 2))];
        if (positional != null) {
          System.arraycopy(positional, 0, grown, 0, positional.length);
        }
        positional = grown;
      }
      positional[index] = text; // a value not kept replaces the one before it: that one is no longer the parameter
    } else if (key instanceof String) {
      if (named == null) {
        if (text == null) {
          return;
        }
        named = new LinkedHashMap<>();
      }
      if (text == null) {
        named.remove(key);
      } else if (named.size() < MAX_PARAMETERS || named.containsKey(key)) {
        named.put((String) key, text);
      }
    }
  }

  void clearParameters() {
    positional = null;
    named = null;
  }
}
