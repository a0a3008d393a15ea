package io.weft.instrumentation.jdbc;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.weft.bridge.JdbcBridge;
import io.weft.bridge.StateCarrier;
import io.weft.instrumentation.FaultInjection;
import io.weft.instrumentation.InternalErrors;
import io.weft.instrumentation.WeakIdentityMap;
import io.weft.instrumentation.trace.CodeShape;
import io.weft.instrumentation.trace.ExceptionSignal;
import io.weft.instrumentation.trace.LeanSpan;
import io.weft.instrumentation.trace.LeanTracer;
import io.weft.instrumentation.trace.SpanHistogram;
import io.weft.instrumentation.trace.WeftContextStorage;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent-side half of JDBC tracing: one CLIENT span (a child of the current context, or a root)
 * and one {@code db.client.operation.duration} measurement per logical execution. Executions nested
 * on the same thread (a pool's statement calling the driver's) are counted, not traced, so a stack of
 * wrappers gives one span. Installed behind {@link JdbcBridge}; never throws. Agent class loader,
 * which sees {@code java.sql} through its parent, the platform loader.
 */
final class JdbcTracer implements JdbcBridge.Handler {

  static final int MAX_STATEMENTS = 100_000;
  static final int MAX_CONNECTIONS = 10_000;
  static final int MAX_DATABASES = 256;

  private final LeanTracer tracer;
  private final DoubleHistogram duration;
  private final SqlQueryCache queries;
  private final WeakIdentityMap<StatementState> statements = new WeakIdentityMap<>(MAX_STATEMENTS);
  private final WeakIdentityMap<DbInfo> connections = new WeakIdentityMap<>(MAX_CONNECTIONS);
  private final ConcurrentHashMap<String, DbInfo> databases = new ConcurrentHashMap<>();
  private final ThreadLocal<Depth> depth = new DepthPerThread();
  /** The same for {@code DataSource.getConnection}: a pool's data source asking another for a new connection is one span. */
  private final ThreadLocal<Depth> dataSourceDepth = new DepthPerThread();

  private final PeerServices peers;
  /** {@code otel.instrumentation.jdbc.experimental.capture-query-parameters}: the setters are woven only then. */
  private final boolean captureParameters;

  JdbcTracer(LeanTracer tracer, DoubleHistogram duration, boolean sanitize, PeerServices peers, boolean captureParameters) {
    this.tracer = tracer;
    this.duration = duration;
    this.queries = new SqlQueryCache(sanitize);
    this.peers = peers;
    this.captureParameters = captureParameters;
  }

  @Override
  public Object execute(Object statement, String sql) {
    Depth d = depth.get();
    if (d.nested()) {
      return d;
    }
    // the depth is 1 from here: SQL run below (metadata) is not traced
    try {
      StatementState state = state(statement);
      DbInfo db = db(statement, state);
      JdbcCallShape shape;
      if (sql == null) {
        shape = preparedShape(state, db);
      } else {
        shape = db.shape(queries.get(sql, db.mysqlDialect));
      }
      Object call = start(shape, d);
      if (captureParameters && sql == null && state != null && d.span != null) {
        QueryParameters.addTo(d.span, state);
      }
      return call;
    } catch (Throwable failure) {
      d.value = 0; // exit will not be called
      InternalErrors.report("jdbc span start", failure);
      return null;
    }
  }

  @Override
  public Object executeBatch(Object statement) {
    Depth d = depth.get();
    if (d.value > 0) {
      d.value++;
      StatementState inner = state(statement);
      if (inner != null) {
        inner.clearBatch(); // the wrapper's state is the one reported; this one must not grow
      }
      return d;
    }
    d.value = 1;
    try {
      StatementState state = state(statement);
      DbInfo db = db(statement, state);
      JdbcCallShape shape;
      if (state == null) {
        shape = JdbcCallShape.batch(db, new ArrayList<>(), 0);
      } else if (state.batchSql != null) {
        List<SqlQuery> batch = new ArrayList<>(state.batchSql.size());
        for (String sql : state.batchSql) {
          batch.add(queries.get(sql, db.mysqlDialect));
        }
        shape = JdbcCallShape.batch(db, batch, state.batchSize);
      } else if (state.batchSize >= 2) {
        List<SqlQuery> one = new ArrayList<>(1);
        one.add(query(state, db));
        shape = JdbcCallShape.batch(db, one, state.batchSize);
      } else {
        shape = preparedShape(state, db);
      }
      if (state != null) {
        state.clearBatch();
      }
      return start(shape, d);
    } catch (Throwable failure) {
      d.value = 0;
      InternalErrors.report("jdbc batch span start", failure);
      return null;
    }
  }

  /**
   * A connection's {@code commit()} or {@code rollback()}: a span and a measurement like a statement's, named
   * {@code COMMIT <namespace>}; a pool's connection calling the driver's nests, as statements do, so it is one span.
   */
  @Override
  public Object transaction(Object connection, String operation) {
    Depth d = depth.get();
    if (d.nested()) {
      return d;
    }
    // the depth is 1 from here: SQL the metadata look-up runs is not traced
    try {
      DbInfo db = DbInfo.UNKNOWN;
      try {
        db = db((Connection) connection);
      } catch (SQLException | RuntimeException e) {
        // a closed connection: the commit fails on its own, and its span says so without the database's facts
      }
      return start(db.transactionShape(operation), d);
    } catch (Throwable failure) {
      d.value = 0;
      InternalErrors.report("jdbc transaction span start", failure);
      return null;
    }
  }

  /**
   * A {@code DataSource}'s {@code getConnection}, inside a span only (as the OpenTelemetry agent's {@code jdbc-datasource}
   * instrumentation: outside one, borrowing a connection tells nothing): an INTERNAL span named
   * {@code HikariDataSource.getConnection}, current while the call runs, so that a pool's own statements (its
   * initialization or test query) are its children. A data source calling another, or itself, is one span.
   */
  @Override
  public Object connectionRequested(Object dataSource) {
    Depth d = dataSourceDepth.get();
    if (d.nested()) {
      return d;
    }
    try {
      Context parent = WeftContextStorage.currentContext();
      if (Span.fromContext(parent).getSpanContext().isValid()) {
        CodeShape shape = DATA_SOURCE_SHAPES.get(dataSource.getClass());
        long startNanos = System.nanoTime();
        LeanSpan span = tracer.start(shape.spanName, SpanKind.INTERNAL, shape.attributes, parent, startNanos);
        if (span != null) {
          d.span = span;
          d.scope = WeftContextStorage.makeCurrent(parent.with(span));
        }
      }
      return d;
    } catch (Throwable failure) {
      d.value = 0;
      d.span = null;
      InternalErrors.report("jdbc getConnection span start", failure);
      return null;
    }
  }

  @Override
  public void connectionReturned(Object call, Object connection, Throwable thrown) {
    if (!(call instanceof Depth)) {
      return;
    }
    Depth d = (Depth) call;
    if (d.value > 1) {
      d.value--;
      return;
    }
    d.value = 0;
    LeanSpan span = d.span;
    Scope scope = d.scope;
    d.span = null;
    d.scope = null;
    if (span == null) {
      return;
    }
    try {
      scope.close();
      if (thrown != null) {
        span.setAttribute(JdbcAttributes.ERROR_TYPE, thrown.getClass().getName());
        span.setStatus(StatusCode.ERROR, LeanSpan.messageOf(thrown));
        ExceptionSignal.record(span, thrown, JdbcInstrumentation.INSTRUMENTATION_SCOPE, ExceptionSignal.GENERIC, Severity.WARN);
      } else if (connection instanceof Connection) {
        DbInfo db = DbInfo.UNKNOWN;
        Depth statements = depth.get();
        statements.value++; // SQL a driver runs for its metadata is not traced
        try {
          db = db((Connection) connection);
        } catch (SQLException | RuntimeException e) {
          // no facts: the span still says the connection was got, and how long that took
        } finally {
          statements.value--;
        }
        if (db.system != null) {
          span.setAttribute(JdbcAttributes.DB_SYSTEM_NAME, db.system);
        }
        if (db.namespace != null) {
          span.setAttribute(JdbcAttributes.DB_NAMESPACE, db.namespace);
        }
      }
      span.end();
    } catch (Throwable failure) {
      InternalErrors.report("jdbc getConnection span end", failure);
    }
  }

  /** A subclass rather than a lambda: the agent's start pays for no spun lambda class. */
  private static final class DataSourceShapes extends ClassValue<CodeShape> {
    @Override
    protected CodeShape computeValue(Class<?> type) {
      return new CodeShape(type, "getConnection");
    }
  }

  private static final ClassValue<CodeShape> DATA_SOURCE_SHAPES = new DataSourceShapes();

  @Override
  public void exit(Object call, Throwable thrown) {
    if (!(call instanceof Depth)) {
      return;
    }
    Depth d = (Depth) call; // the calling thread's: an execution exits on the thread it began on
    if (d.value > 1) {
      d.value--; // a nested execution
      return;
    }
    d.value = 0;
    JdbcCallShape shape = d.shape;
    LeanSpan span = d.span; // null when not sampled: the duration is recorded all the same
    long startNanos = d.startNanos;
    d.shape = null; // the thread keeps no span (nor the application objects it names) past its execution
    d.span = null;
    if (shape == null) {
      return;
    }
    try {
      FaultInjection.spanEnd();
      long nanos = System.nanoTime() - startNanos;
      Attributes metricAttributes = shape.metricAttributes;
      if (thrown != null) {
        String errorType = thrown.getClass().getName();
        String status = thrown instanceof SQLException ? ((SQLException) thrown).getSQLState() : null;
        if (span != null) {
          span.setAttribute(JdbcAttributes.ERROR_TYPE, errorType);
          if (status != null) {
            span.setAttribute(JdbcAttributes.DB_RESPONSE_STATUS_CODE, status);
          }
          span.setStatus(StatusCode.ERROR, LeanSpan.messageOf(thrown));
        }
        ExceptionSignal.record(span, thrown, JdbcInstrumentation.INSTRUMENTATION_SCOPE, ExceptionSignal.DB_CLIENT,
            Severity.WARN);
        io.opentelemetry.api.common.AttributesBuilder errors = metricAttributes.toBuilder().put(JdbcAttributes.ERROR_TYPE, errorType);
        if (status != null) {
          errors.put(JdbcAttributes.DB_RESPONSE_STATUS_CODE, status);
        }
        metricAttributes = errors.build();
      }
      if (span != null) {
        span.endAt(startNanos + nanos);
      }
      SpanHistogram.record(duration, nanos / 1e9, metricAttributes, span);
    } catch (Throwable failure) {
      InternalErrors.report("jdbc span end", failure);
    }
  }

  @Override
  public void prepared(Object statement, String sql) {
    try {
      keep(statement, new StatementState(sql));
    } catch (Throwable failure) {
      InternalErrors.report("jdbc prepare", failure);
    }
  }

  @Override
  public void addBatch(Object statement, String sql) {
    try {
      StatementState state = state(statement);
      if (state == null) {
        state = new StatementState(null);
        if (!keep(statement, state)) {
          return;
        }
      }
      state.addBatch(sql);
    } catch (Throwable failure) {
      InternalErrors.report("jdbc addBatch", failure);
    }
  }

  /**
   * A closed statement's state is dropped at once. Kept until the statement's collection, the state of
   * every statement prepared since the last young collection (its weak key, map node and state) was still
   * reachable at that collection and copied by it: at 50,000 statements a second that made each pause
   * 15-20 ms instead of 1-2 ms, the p99 of a JDBC workload. A statement never closed still goes with
   * its collection.
   */
  @Override
  public void closed(Object statement) {
    if (statement instanceof StateCarrier) {
      return; // its state goes with it
    }
    try {
      statements.remove(statement);
    } catch (Throwable failure) {
      InternalErrors.report("jdbc close", failure);
    }
  }

  /** Statements whose state is kept now, for tests. */
  int trackedStatements() {
    return statements.size();
  }

  @Override
  public void parameter(Object statement, Object key, Object value) {
    if (!captureParameters) {
      return;
    }
    try {
      StatementState state = state(statement);
      if (state != null) {
        state.parameter(key, QueryParameters.text(value));
      }
    } catch (Throwable failure) {
      InternalErrors.report("jdbc parameter", failure);
    }
  }

  @Override
  public void clearParameters(Object statement) {
    try {
      StatementState state = state(statement);
      if (state != null) {
        state.clearParameters();
      }
    } catch (Throwable failure) {
      InternalErrors.report("jdbc clearParameters", failure);
    }
  }

  @Override
  public void clearBatch(Object statement) {
    try {
      StatementState state = state(statement);
      if (state != null) {
        state.clearBatch();
      }
    } catch (Throwable failure) {
      InternalErrors.report("jdbc clearBatch", failure);
    }
  }

  /**
   * The state kept for a statement: in the statement itself when its class was woven as a {@link
   * StateCarrier} while it loaded, else in the weak identity map (classes loaded before the agent).
   */
  private StatementState state(Object statement) {
    if (statement instanceof StateCarrier) {
      Object state = ((StateCarrier) statement).weft$state();
      return state instanceof StatementState ? (StatementState) state : null;
    }
    return statements.get(statement);
  }

  /** Keeps {@code state} for {@code statement}; {@code false} when the map is full (and says so once). */
  private boolean keep(Object statement, StatementState state) {
    if (statement instanceof StateCarrier) {
      ((StateCarrier) statement).weft$state(state);
      return true;
    }
    if (!statements.put(statement, state)) {
      tooManyStatements();
      return false;
    }
    return true;
  }

  /** Starts the outermost execution; its state waits in {@code d} (one execution per thread at a time), so nothing is allocated for it. */
  private Object start(JdbcCallShape shape, Depth d) {
    FaultInjection.spanStart();
    long startNanos = System.nanoTime();
    LeanSpan span = tracer.start(shape.spanName, SpanKind.CLIENT, shape.spanAttributes, WeftContextStorage.currentContext(), startNanos);
    d.startNanos = startNanos;
    d.span = span;
    d.shape = shape;
    return d;
  }

  /** A prepared statement's single execution: its shape is made once and kept with it. */
  private JdbcCallShape preparedShape(StatementState state, DbInfo db) {
    if (state == null) {
      return db.shape(SqlQuery.NONE); // prepared where we could not see it
    }
    if (state.shape == null || state.db != db) {
      state.shape = db.shape(query(state, db));
    }
    return state.shape;
  }

  private SqlQuery query(StatementState state, DbInfo db) {
    if (state.query == null || state.db != db) {
      state.query = queries.get(state.preparedSql, db.mysqlDialect);
      state.db = db;
    }
    return state.query;
  }

  private DbInfo db(Object statement, StatementState state) {
    if (state != null && state.db != null) {
      return state.db;
    }
    DbInfo db = DbInfo.UNKNOWN;
    try {
      db = db(((Statement) statement).getConnection());
    } catch (Throwable e) {
      // closed statement or a driver without metadata: the execution fails or runs on without facts
    }
    if (state != null) {
      state.db = db;
    }
    return db;
  }

  /** The database behind {@code connection}, looked up once per connection object. */
  private DbInfo db(Connection connection) throws SQLException {
    if (connection instanceof StateCarrier) {
      StateCarrier carrier = (StateCarrier) connection;
      Object known = carrier.weft$state();
      if (known instanceof DbInfo) {
        return (DbInfo) known;
      }
      DbInfo db = lookUp(connection);
      carrier.weft$state(db);
      return db;
    }
    if (connection == null) {
      return DbInfo.UNKNOWN;
    }
    DbInfo db = connections.get(connection);
    if (db == null) {
      db = lookUp(connection);
      connections.put(connection, db);
    }
    return db;
  }

  /** Reads the URL and product name once per connection; the same database shares one {@link DbInfo}. */
  private DbInfo lookUp(Connection connection) throws SQLException {
    DatabaseMetaData metaData = connection.getMetaData();
    if (metaData == null) {
      return DbInfo.UNKNOWN;
    }
    JdbcUrlInfo url = JdbcUrlParser.parse(metaData.getURL());
    String system = url.dbSystemName();
    try {
      String fromProduct = JdbcUrlParser.dbSystemFromProductName(metaData.getDatabaseProductName());
      if (!"other_sql".equals(fromProduct)) {
        system = fromProduct; // tells MariaDB from MySQL behind a jdbc:mysql: URL
      }
    } catch (SQLException | RuntimeException e) {
      // the URL's answer stands
    }
    DbInfo info = new DbInfo(system, url.namespace(), url.serverAddress(), url.serverPort(),
        peers.attributes(url.serverAddress(), url.serverPort()));
    DbInfo known = databases.get(info.key());
    if (known != null) {
      return known;
    }
    if (databases.size() < MAX_DATABASES) {
      databases.putIfAbsent(info.key(), info);
    }
    return info;
  }

  private boolean warned;

  private void tooManyStatements() {
    if (!warned) {
      warned = true;
      System.err.println("[weft] more than " + MAX_STATEMENTS + " live JDBC statements: the SQL of further prepared statements is not recorded (are statements closed?)");
    }
  }

  /**
   * How deep the current thread is in traced JDBC executions, and the outermost one's state between its
   * enter and exit (JDBC executes on the calling thread, and the advice's exit runs on the enter's thread).
   */
  private static final class Depth {
    int value;
    long startNanos;
    JdbcCallShape shape;
    LeanSpan span;
    Scope scope; // a getConnection span's, while it is current

    /** One level deeper; whether a call around this one on the thread is traced already (else this one is the outermost). */
    boolean nested() {
      return value++ > 0;
    }
  }

  /** A subclass rather than {@code withInitial(Depth::new)}: the agent's start pays for no spun lambda class. */
  private static final class DepthPerThread extends ThreadLocal<Depth> {
    @Override
    protected Depth initialValue() {
      return new Depth();
    }
  }
}
