package io.weft.instrumentation.jdbc;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The span name and the span and metric attributes of one kind of execution (a query on a database,
 * or a batch), computed once and reused for every execution of the same query. Agent class loader.
 */
final class JdbcCallShape {

  final String spanName;
  final Attributes spanAttributes;
  final Attributes metricAttributes;

  private JdbcCallShape(String spanName, Attributes spanAttributes, Attributes metricAttributes) {
    this.spanName = spanName;
    this.spanAttributes = spanAttributes;
    this.metricAttributes = metricAttributes;
  }

  static JdbcCallShape single(DbInfo db, SqlQuery query) {
    SqlSummary s = query.summary;
    return of(db, s.summary(), s.operationName(), s.collectionName(), s.storedProcedureName(), query.text, 0);
  }

  /**
   * A transaction's end: {@code db.operation.name} {@code COMMIT} or {@code ROLLBACK}, no query text nor summary
   * (there is no SQL), so the span is named {@code COMMIT <namespace>} as the conventions name an operation on a target.
   */
  static JdbcCallShape transaction(DbInfo db, String operation) {
    return of(db, null, operation, null, null, null, 0);
  }

  /**
   * A batch of {@code size} executions of the given queries, in the order added (one query for a
   * prepared statement's batch). Per the conventions a batch of one is a single operation, and the
   * texts of a statement batch are joined with {@code "; "}, each distinct text once.
   */
  static JdbcCallShape batch(DbInfo db, List<SqlQuery> queries, int size) {
    if (size < 2 || queries.isEmpty()) {
      return queries.isEmpty() ? db.shape(SqlQuery.NONE) : db.shape(queries.get(0));
    }
    List<String> summaries = new ArrayList<>(queries.size());
    String operation = queries.get(0).summary.operationName();
    String collection = queries.get(0).summary.collectionName();
    String procedure = queries.get(0).summary.storedProcedureName();
    StringBuilder text = new StringBuilder();
    List<String> seen = new ArrayList<>();
    for (SqlQuery query : queries) {
      SqlSummary s = query.summary;
      summaries.add(s.summary());
      operation = same(operation, s.operationName());
      collection = same(collection, s.collectionName());
      procedure = same(procedure, s.storedProcedureName());
      if (query.text != null && !seen.contains(query.text) && text.length() < SqlSanitizer.MAX_LENGTH) {
        seen.add(query.text);
        if (text.length() > 0) {
          text.append("; ");
        }
        text.append(query.text);
      }
    }
    if (queries.size() == 1) {
      summaries.add(summaries.get(0)); // a prepared batch: one text, run size times
    }
    String batchText = null;
    if (text.length() > 0) {
      batchText = text.length() <= SqlSanitizer.MAX_LENGTH
          ? text.toString()
          : text.substring(0, SqlSanitizer.MAX_LENGTH - SqlSanitizer.TRUNCATION_MARKER.length()) + SqlSanitizer.TRUNCATION_MARKER;
    }
    String batchOperation = operation == null ? "BATCH" : "BATCH " + operation;
    return of(db, SqlSummary.batchSummary(summaries), batchOperation, collection, procedure, batchText, size);
  }

  private static String same(String a, String b) {
    return a != null && a.equals(b) ? a : null;
  }

  private static JdbcCallShape of(DbInfo db, String summary, String operation, String collection,
      String procedure, String text, int batchSize) {
    AttributesBuilder metric = db.attributes.toBuilder();
    putIfNotNull(metric, JdbcAttributes.DB_QUERY_SUMMARY, summary);
    putIfNotNull(metric, JdbcAttributes.DB_OPERATION_NAME, operation);
    putIfNotNull(metric, JdbcAttributes.DB_COLLECTION_NAME, collection);
    Attributes metricAttributes = metric.build();
    AttributesBuilder span = metricAttributes.toBuilder().putAll(db.spanAttributes);
    putIfNotNull(span, JdbcAttributes.DB_STORED_PROCEDURE_NAME, procedure);
    putIfNotNull(span, JdbcAttributes.DB_QUERY_TEXT, text);
    if (batchSize >= 2) {
      span.put(JdbcAttributes.DB_OPERATION_BATCH_SIZE, (long) batchSize);
    }
    return new JdbcCallShape(spanName(db, summary, operation, collection != null ? collection : procedure),
        span.build(), metricAttributes);
  }

  /** {@code db.query.summary}, else {@code {db.operation.name} {target}}, else target, else the system. */
  static String spanName(DbInfo db, String summary, String operation, String queryTarget) {
    if (summary != null) {
      return summary;
    }
    String target = queryTarget != null ? queryTarget : db.target();
    if (target == null) {
      return db.system;
    }
    return operation != null ? operation + " " + target : target;
  }

  private static void putIfNotNull(AttributesBuilder builder, io.opentelemetry.api.common.AttributeKey<String> key, String value) {
    if (value != null) {
      builder.put(key, value);
    }
  }
}
