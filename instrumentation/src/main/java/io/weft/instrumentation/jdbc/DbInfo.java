package io.weft.instrumentation.jdbc;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.weft.bridge.JdbcBridge;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the agent knows about the database behind a connection ({@code db.system.name}, {@code
 * db.namespace}, {@code server.*}), shared by every connection to the same database, and the span
 * shapes of the queries run there. Holds strings only: no connection, no class loader. Agent loader.
 */
final class DbInfo {

  static final DbInfo UNKNOWN = new DbInfo(JdbcUrlParser.parse(null).dbSystemName(), null, null, -1, Attributes.empty());
  static final int MAX_SHAPES = 1024;

  final String system;
  final String namespace;
  final String serverAddress;
  final int serverPort;
  final boolean mysqlDialect;
  final Attributes attributes;
  /** The spans' only ({@code peer.service} from the mapping): not the duration metric's. */
  final Attributes spanAttributes;
  private final ConcurrentHashMap<SqlQuery, JdbcCallShape> shapes = new ConcurrentHashMap<>();
  /** A {@code commit()}'s and a {@code rollback()}'s, made at the first of each (racing threads make equal ones). */
  private JdbcCallShape commit;
  private JdbcCallShape rollback;

  DbInfo(String system, String namespace, String serverAddress, int serverPort, Attributes spanAttributes) {
    this.system = system;
    this.namespace = namespace;
    this.serverAddress = serverAddress;
    this.serverPort = serverAddress == null ? -1 : serverPort;
    this.mysqlDialect = "mysql".equals(system) || "mariadb".equals(system);
    AttributesBuilder builder = Attributes.builder().put(JdbcAttributes.DB_SYSTEM_NAME, system);
    if (namespace != null) {
      builder.put(JdbcAttributes.DB_NAMESPACE, namespace);
    }
    if (serverAddress != null) {
      builder.put(JdbcAttributes.SERVER_ADDRESS, serverAddress);
      if (this.serverPort > 0) {
        builder.put(JdbcAttributes.SERVER_PORT, (long) this.serverPort);
      }
    }
    this.attributes = builder.build();
    this.spanAttributes = spanAttributes;
  }

  /** The shape of a single (non-batch) execution of {@code query} here, made once per query. */
  JdbcCallShape shape(SqlQuery query) {
    JdbcCallShape shape = shapes.get(query);
    if (shape == null) {
      shape = JdbcCallShape.single(this, query);
      if (shapes.size() >= MAX_SHAPES) {
        shapes.clear(); // see SqlQueryCache: forgetting is the bound
      }
      shapes.put(query, shape);
    }
    return shape;
  }

  /** The shape of {@code commit()} ({@code operation} {@code COMMIT}) or {@code rollback()} here. */
  JdbcCallShape transactionShape(String operation) {
    boolean isCommit = JdbcBridge.COMMIT.equals(operation);
    JdbcCallShape shape = isCommit ? commit : rollback;
    if (shape == null) {
      shape = JdbcCallShape.transaction(this, isCommit ? JdbcBridge.COMMIT : JdbcBridge.ROLLBACK);
      if (isCommit) {
        commit = shape;
      } else {
        rollback = shape;
      }
    }
    return shape;
  }

  /** The text target of a span name when the query names none: namespace, or address:port. */
  String target() {
    if (namespace != null) {
      return namespace;
    }
    if (serverAddress != null) {
      return serverPort > 0 ? serverAddress + ":" + serverPort : serverAddress;
    }
    return null;
  }

  String key() {
    return system + '|' + namespace + '|' + serverAddress + '|' + serverPort;
  }
}
