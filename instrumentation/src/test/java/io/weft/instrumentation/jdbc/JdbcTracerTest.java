package io.weft.instrumentation.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.weft.bridge.JdbcBridge;
import io.weft.bridge.StateCarrier;
import io.weft.instrumentation.trace.LeanTracer;
import io.weft.instrumentation.trace.SamplingPolicy;
import io.weft.instrumentation.MapConfig;
import io.weft.instrumentation.trace.SpanPipeline;
import io.weft.instrumentation.trace.TelemetryResource;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

class JdbcTracerTest {

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  private final SpanProcessor processor = SimpleSpanProcessor.create(spans);
  private final SdkTracerProvider tracerProvider = SdkTracerProvider.builder().addSpanProcessor(processor).build();
  private final LeanTracer lean = new SpanPipeline(SamplingPolicy.of("parentbased_always_on", 1.0), processor,
      new TelemetryResource(Resource.getDefault().getAttributes()), SpanLimits.getDefault()).tracer("test", null);
  private final SdkMeterProvider meterProvider = SdkMeterProvider.builder().registerMetricReader(metrics).build();
  private final FakeJdbc postgres = new FakeJdbc("jdbc:postgresql://db.internal:6543/shop?user=u&password=p", "PostgreSQL");

  private JdbcTracer tracer(boolean sanitize) {
    return tracer(sanitize, PeerServices.NONE);
  }

  private JdbcTracer tracer(boolean sanitize, PeerServices peers) {
    return tracer(lean, sanitize, peers, false);
  }

  private JdbcTracer tracer(LeanTracer spans, boolean sanitize, PeerServices peers, boolean captureParameters) {
    return new JdbcTracer(spans,
        meterProvider.get("test").histogramBuilder(JdbcInstrumentation.DURATION_METRIC).setUnit("s").build(), sanitize,
        peers, captureParameters);
  }

  @Test
  void theMappedServiceNamesTheDatabaseOnTheSpanNotOnTheMetric() {
    MapConfig config = new MapConfig(java.util.Map.of(PeerServices.KEY, "db.internal:5432=wrong-port,DB.INTERNAL=orders-db"));
    JdbcTracer jdbc = tracer(true, PeerServices.from(config));
    jdbc.exit(jdbc.execute(postgres.statement(), "SELECT * FROM orders"), null);
    jdbc.exit(jdbc.execute(postgres.statement(), "DELETE FROM carts"), null);
    for (SpanData span : spans.getFinishedSpanItems()) {
      assertEquals("orders-db", attr(span, "peer.service"), span::toString);
      assertNull(attr(span, "service.peer.name"));
    }
    assertEquals(2, spans.getFinishedSpanItems().size());
    for (HistogramPointData point : metrics.collectAllMetrics().iterator().next().getHistogramData().getPoints()) {
      assertNull(point.getAttributes().get(AttributeKey.stringKey("peer.service")), "not a metric attribute");
    }
    assertEquals(List.of(), config.warnings);
  }

  @Test
  void aStatementIsOneClientSpanWithConnectionFactsAndSanitizedText() {
    JdbcTracer jdbc = tracer(true);
    jdbc.exit(jdbc.execute(postgres.statement(), "SELECT * FROM orders WHERE id = 42 AND note = 'secret'"), null);

    SpanData span = only();
    assertEquals("SELECT orders", span.getName());
    assertEquals(SpanKind.CLIENT, span.getKind());
    assertFalse(span.getParentSpanContext().isValid(), "no span around it: a root span");
    assertEquals("SELECT * FROM orders WHERE id = ? AND note = ?", attr(span, "db.query.text"));
    assertEquals("postgresql", attr(span, "db.system.name"));
    assertEquals("shop", attr(span, "db.namespace"));
    assertEquals("db.internal", attr(span, "server.address"));
    assertEquals(6543L, span.getAttributes().get(AttributeKey.longKey("server.port")));
    assertEquals("SELECT", attr(span, "db.operation.name"));
    assertEquals("orders", attr(span, "db.collection.name"));
    assertEquals("SELECT orders", attr(span, "db.query.summary"));
    assertEquals(StatusCode.UNSET, span.getStatus().getStatusCode());
  }

  @Test
  void aSpanIsTheChildOfTheCurrentOne() {
    JdbcTracer jdbc = tracer(true);
    Tracer t = tracerProvider.get("test");
    Span parent = t.spanBuilder("request").startSpan();
    try (Scope ignored = parent.makeCurrent()) {
      jdbc.exit(jdbc.execute(postgres.statement(), "DELETE FROM carts"), null);
    }
    parent.end();
    SpanData query = spans.getFinishedSpanItems().get(0);
    assertEquals(parent.getSpanContext().getSpanId(), query.getParentSpanId());
  }

  @Test
  void aWrapperCallingTheDriverGivesOneSpanAndTheErrorIsRecordedOnce() {
    JdbcTracer jdbc = tracer(true);
    Statement pool = postgres.statement();
    Statement driver = postgres.statement();
    SQLException failure = new SQLIntegrityConstraintViolationException("duplicate key", "23505");

    Object outer = jdbc.execute(pool, "INSERT INTO orders VALUES (1)");
    Object inner = jdbc.execute(driver, "INSERT INTO orders VALUES (1)");
    jdbc.exit(inner, failure);
    jdbc.exit(outer, failure);

    SpanData span = only();
    assertEquals(StatusCode.ERROR, span.getStatus().getStatusCode());
    assertEquals("duplicate key", span.getStatus().getDescription());
    assertEquals("23505", attr(span, "db.response.status_code"));
    assertEquals(SQLIntegrityConstraintViolationException.class.getName(), attr(span, "error.type"));
    assertEquals(1, span.getEvents().size());
    assertEquals("exception", span.getEvents().get(0).getName());

    spans.reset();
    jdbc.exit(jdbc.execute(driver, "SELECT 1"), null);
    assertEquals(1, spans.getFinishedSpanItems().size(), "the depth is back to zero after the nested exit");
  }

  @Test
  void aCommitAndARollbackAreClientSpansOnTheirDatabaseAndAPoolsWrapperGivesOne() {
    JdbcTracer jdbc = tracer(true);
    Object pool = jdbc.transaction(postgres.connection, JdbcBridge.COMMIT);
    Object driver = jdbc.transaction(postgres.connection, JdbcBridge.COMMIT);
    jdbc.exit(driver, null);
    jdbc.exit(pool, null);
    SQLException failure = new SQLException("connection lost", "08006");
    jdbc.exit(jdbc.transaction(postgres.connection, JdbcBridge.ROLLBACK), failure);

    List<SpanData> ended = spans.getFinishedSpanItems();
    assertEquals(2, ended.size(), ended::toString);
    SpanData commit = ended.get(0);
    assertEquals("COMMIT shop", commit.getName());
    assertEquals(SpanKind.CLIENT, commit.getKind());
    assertEquals("COMMIT", attr(commit, "db.operation.name"));
    assertEquals("postgresql", attr(commit, "db.system.name"));
    assertEquals("shop", attr(commit, "db.namespace"));
    assertEquals("db.internal", attr(commit, "server.address"));
    assertNull(attr(commit, "db.query.text"), "no SQL was given");
    assertNull(attr(commit, "db.query.summary"));
    assertEquals(StatusCode.UNSET, commit.getStatus().getStatusCode());
    SpanData rollback = ended.get(1);
    assertEquals("ROLLBACK shop", rollback.getName());
    assertEquals("ROLLBACK", attr(rollback, "db.operation.name"));
    assertEquals(StatusCode.ERROR, rollback.getStatus().getStatusCode());
    assertEquals("08006", attr(rollback, "db.response.status_code"));

    List<String> operations = new ArrayList<>();
    for (HistogramPointData point : metrics.collectAllMetrics().iterator().next().getHistogramData().getPoints()) {
      operations.add(point.getAttributes().get(AttributeKey.stringKey("db.operation.name")) + " "
          + point.getAttributes().get(AttributeKey.stringKey("error.type")) + " " + point.getCount());
    }
    operations.sort(null);
    assertEquals(List.of("COMMIT null 1", "ROLLBACK java.sql.SQLException 1"), operations);
  }

  @Test
  void aStatementRunByTheDriverInsideACommitIsNotASpanOfItsOwn() {
    JdbcTracer jdbc = tracer(true);
    Object commit = jdbc.transaction(postgres.connection, JdbcBridge.COMMIT);
    jdbc.exit(jdbc.execute(postgres.statement(), "COMMIT"), null);
    jdbc.exit(commit, null);
    assertEquals("COMMIT shop", only().getName());
  }

  @Test
  void preparedSqlTravelsWithTheStatementAndItsLiteralsAreSanitized() {
    JdbcTracer jdbc = tracer(true);
    PreparedStatement p = postgres.prepared();
    jdbc.prepared(p, "UPDATE orders SET state = 'paid' WHERE id = ?");
    for (int i = 0; i < 3; i++) {
      jdbc.exit(jdbc.execute(p, null), null);
    }
    List<SpanData> all = spans.getFinishedSpanItems();
    assertEquals(3, all.size());
    for (SpanData span : all) {
      assertEquals("UPDATE orders", span.getName());
      assertEquals("UPDATE orders SET state = ? WHERE id = ?", attr(span, "db.query.text"));
    }
    assertEquals(1, postgres.metaDataCalls.get(), "connection facts are read once per connection");
  }

  @Test
  void capturedParametersAreOnEachSingleExecutionNotOnBatchesAndTheTextStaysSanitized() {
    JdbcTracer jdbc = tracer(lean, true, PeerServices.NONE, true);
    PreparedStatement p = postgres.prepared();
    jdbc.prepared(p, "UPDATE orders SET note = 'x', qty = ? WHERE id = ? AND placed > ?");
    jdbc.parameter(p, 1, 42);
    jdbc.parameter(p, 2, 7L);
    jdbc.parameter(p, 3, java.sql.Timestamp.valueOf("2026-12-06 17:30:00"));
    jdbc.exit(jdbc.execute(p, null), null);
    jdbc.parameter(p, 1, new Object() { // an application's object: its toString is never called
      @Override
      public String toString() {
        throw new AssertionError("read");
      }
    });
    jdbc.parameter(p, 2, new java.math.BigDecimal("8.50"));
    jdbc.exit(jdbc.execute(p, null), null); // parameters not set again keep their values, as JDBC's do
    jdbc.clearParameters(p);
    jdbc.parameter(p, 1, "only");
    jdbc.exit(jdbc.execute(p, null), null);
    jdbc.addBatch(p, null);
    jdbc.addBatch(p, null);
    jdbc.exit(jdbc.executeBatch(p), null);

    List<SpanData> all = spans.getFinishedSpanItems();
    assertEquals(4, all.size());
    assertEquals("UPDATE orders SET note = ?, qty = ? WHERE id = ? AND placed > ?", attr(all.get(0), "db.query.text"),
        "the text is sanitized whatever the parameters");
    assertEquals("42", attr(all.get(0), "db.query.parameter.0"));
    assertEquals("7", attr(all.get(0), "db.query.parameter.1"));
    assertEquals("2026-12-06 17:30:00.0", attr(all.get(0), "db.query.parameter.2"));
    assertNull(attr(all.get(1), "db.query.parameter.0"), "an application object is not written, nor the value before it");
    assertEquals("8.50", attr(all.get(1), "db.query.parameter.1"));
    assertEquals("2026-12-06 17:30:00.0", attr(all.get(1), "db.query.parameter.2"));
    assertEquals("only", attr(all.get(2), "db.query.parameter.0"));
    assertNull(attr(all.get(2), "db.query.parameter.1"), "cleared");
    assertEquals("BATCH UPDATE orders", all.get(3).getName());
    assertTrue(all.get(3).getAttributes().asMap().keySet().stream().noneMatch(k -> k.getKey().startsWith("db.query.parameter.")),
        "no parameters on a batch");
  }

  @Test
  void namedParametersOfACallableStatementAreKeyedByName() {
    JdbcTracer jdbc = tracer(lean, true, PeerServices.NONE, true);
    PreparedStatement p = postgres.prepared();
    jdbc.prepared(p, "{call touch(?, ?)}");
    jdbc.parameter(p, "order_id", 5);
    jdbc.parameter(p, "note", 'n');
    jdbc.exit(jdbc.execute(p, null), null);
    SpanData span = only();
    assertEquals("5", attr(span, "db.query.parameter.order_id"));
    assertEquals("n", attr(span, "db.query.parameter.note"));
  }

  @Test
  void parametersAreNotKeptUnlessAskedFor() {
    JdbcTracer jdbc = tracer(true);
    PreparedStatement p = postgres.prepared();
    jdbc.prepared(p, "SELECT * FROM orders WHERE id = ?");
    jdbc.parameter(p, 1, 42);
    jdbc.exit(jdbc.execute(p, null), null);
    assertNull(attr(only(), "db.query.parameter.0"));
  }

  @Test
  void aClosedStatementsStateIsDroppedAtOnceAndAnOpenOneKeepsItsText() {
    JdbcTracer jdbc = tracer(true);
    PreparedStatement closed = postgres.prepared();
    PreparedStatement open = postgres.prepared();
    jdbc.prepared(closed, "SELECT 1 FROM a WHERE id = ?");
    jdbc.prepared(open, "SELECT 1 FROM b WHERE id = ?");
    assertEquals(2, jdbc.trackedStatements());
    jdbc.exit(jdbc.execute(closed, null), null);
    jdbc.closed(closed);
    assertEquals(1, jdbc.trackedStatements(), "nothing left of the closed one for the garbage collector to copy");
    jdbc.exit(jdbc.execute(open, null), null);
    List<SpanData> all = spans.getFinishedSpanItems();
    assertEquals(List.of("SELECT a", "SELECT b"), List.of(all.get(0).getName(), all.get(1).getName()));
    assertEquals("SELECT ? FROM b WHERE id = ?", attr(all.get(1), "db.query.text"), "the open one kept its (sanitized) text");
    jdbc.closed(closed); // closing twice, or a statement never seen, is nothing
    jdbc.closed(postgres.prepared());
    assertEquals(1, jdbc.trackedStatements());
  }

  @Test
  void statementsAndConnectionsWovenAsTheyLoadedCarryTheirOwnState() {
    JdbcTracer jdbc = tracer(true);
    FakeJdbc carrying = new FakeJdbc("jdbc:postgresql://db.internal:6543/shop", "PostgreSQL", true);
    PreparedStatement first = carrying.prepared();
    PreparedStatement second = carrying.prepared();
    jdbc.prepared(first, "SELECT name FROM users WHERE id = 7");
    jdbc.prepared(second, "DELETE FROM carts WHERE id = ?");
    assertEquals(0, jdbc.trackedStatements(), "nothing in the weak map: the statements hold their state");
    assertTrue(((StateCarrier) first).weft$state() instanceof StatementState);
    for (int i = 0; i < 2; i++) {
      jdbc.exit(jdbc.execute(first, null), null);
      jdbc.exit(jdbc.execute(second, null), null);
    }
    jdbc.addBatch(second, null);
    jdbc.addBatch(second, null);
    jdbc.exit(jdbc.executeBatch(second), null);
    jdbc.closed(first);
    jdbc.closed(second);

    List<SpanData> all = spans.getFinishedSpanItems();
    assertEquals(List.of("SELECT users", "DELETE carts", "SELECT users", "DELETE carts", "BATCH DELETE carts"),
        all.stream().map(SpanData::getName).collect(java.util.stream.Collectors.toList()));
    assertEquals("SELECT name FROM users WHERE id = ?", attr(all.get(0), "db.query.text"));
    assertEquals(2L, all.get(4).getAttributes().get(AttributeKey.longKey("db.operation.batch.size")));
    for (SpanData span : all) {
      assertEquals("shop", attr(span, "db.namespace"));
      assertEquals("db.internal", attr(span, "server.address"));
    }
    assertEquals(1, carrying.metaDataCalls.get(), "the connection carries its facts: read once");
    assertTrue(((StateCarrier) carrying.connection).weft$state() instanceof DbInfo);
    assertEquals(0, jdbc.trackedStatements());
  }

  @Test
  void aCarrierHoldingSomethingElseIsTreatedAsUnseen() {
    JdbcTracer jdbc = tracer(true);
    FakeJdbc carrying = new FakeJdbc("jdbc:postgresql://db.internal:6543/shop", "PostgreSQL", true);
    PreparedStatement p = carrying.prepared();
    ((StateCarrier) p).weft$state("not the agent's");
    ((StateCarrier) carrying.connection).weft$state(42);
    jdbc.exit(jdbc.execute(p, null), null);
    SpanData span = only();
    assertEquals("shop", span.getName(), "no SQL known for it; the connection's facts are read again");
    assertEquals("postgresql", attr(span, "db.system.name"));
  }

  @Test
  void withSanitizingOffTheTextIsAsWritten() {
    JdbcTracer jdbc = tracer(false);
    jdbc.exit(jdbc.execute(postgres.statement(), "SELECT * FROM orders WHERE id = 42"), null);
    assertEquals("SELECT * FROM orders WHERE id = 42", attr(only(), "db.query.text"));
  }

  @Test
  void aPreparedBatchIsOneBatchSpan() {
    JdbcTracer jdbc = tracer(true);
    PreparedStatement p = postgres.prepared();
    jdbc.prepared(p, "INSERT INTO items (id) VALUES (?)");
    for (int i = 0; i < 3; i++) {
      jdbc.addBatch(p, null);
    }
    jdbc.exit(jdbc.executeBatch(p), null);
    SpanData span = only();
    assertEquals("BATCH INSERT items", span.getName());
    assertEquals("BATCH INSERT", attr(span, "db.operation.name"));
    assertEquals("items", attr(span, "db.collection.name"));
    assertEquals(3L, span.getAttributes().get(AttributeKey.longKey("db.operation.batch.size")));
    assertEquals("INSERT INTO items (id) VALUES (?)", attr(span, "db.query.text"));

    spans.reset();
    jdbc.addBatch(p, null);
    jdbc.exit(jdbc.executeBatch(p), null);
    SpanData single = only();
    assertEquals("INSERT items", single.getName(), "the batch was reset; a batch of one is a single operation");
    assertNull(single.getAttributes().get(AttributeKey.longKey("db.operation.batch.size")));
  }

  @Test
  void aStatementBatchJoinsItsDistinctSanitizedTexts() {
    JdbcTracer jdbc = tracer(true);
    Statement s = postgres.statement();
    jdbc.addBatch(s, "INSERT INTO items VALUES (1, 'a')");
    jdbc.addBatch(s, "INSERT INTO items VALUES (2, 'b')");
    jdbc.addBatch(s, "DELETE FROM items WHERE id = 3");
    jdbc.exit(jdbc.executeBatch(s), null);
    SpanData span = only();
    assertEquals("BATCH", span.getName());
    assertEquals("BATCH", attr(span, "db.operation.name"));
    assertEquals("INSERT INTO items VALUES (?, ?); DELETE FROM items WHERE id = ?", attr(span, "db.query.text"));
    assertEquals(3L, span.getAttributes().get(AttributeKey.longKey("db.operation.batch.size")));
    assertEquals("items", attr(span, "db.collection.name"));
  }

  @Test
  void clearBatchForgetsTheBatch() {
    JdbcTracer jdbc = tracer(true);
    Statement s = postgres.statement();
    jdbc.addBatch(s, "INSERT INTO items VALUES (1)");
    jdbc.addBatch(s, "INSERT INTO items VALUES (2)");
    jdbc.clearBatch(s);
    jdbc.addBatch(s, "DELETE FROM items");
    jdbc.exit(jdbc.executeBatch(s), null);
    assertEquals("DELETE items", only().getName());
  }

  @Test
  void mariaDbBehindAMysqlUrlIsMariaDbAndItsDoubleQuotedStringsAreLiterals() {
    JdbcTracer jdbc = tracer(true);
    FakeJdbc mariadb = new FakeJdbc("jdbc:mysql://maria:3307/app", "MariaDB");
    jdbc.exit(jdbc.execute(mariadb.statement(), "SELECT * FROM users WHERE name = \"alice\""), null);
    SpanData span = only();
    assertEquals("mariadb", attr(span, "db.system.name"));
    assertEquals("SELECT * FROM users WHERE name = ?", attr(span, "db.query.text"));
    assertEquals(3307L, span.getAttributes().get(AttributeKey.longKey("server.port")));
  }

  @Test
  void anEmbeddedDatabaseHasNoServerAndUnknownSqlFallsBackToTheNamespace() {
    JdbcTracer jdbc = tracer(true);
    FakeJdbc h2 = new FakeJdbc("jdbc:h2:mem:shop;DB_CLOSE_DELAY=-1", "H2");
    jdbc.exit(jdbc.execute(h2.statement(), "frobnicate everything"), null);
    SpanData span = only();
    assertEquals("shop", span.getName());
    assertEquals("h2database", attr(span, "db.system.name"));
    assertNull(attr(span, "server.address"));
    assertNull(span.getAttributes().get(AttributeKey.longKey("server.port")));
  }

  @Test
  void withoutConnectionFactsTheSpanIsNamedAfterTheSystem() {
    JdbcTracer jdbc = tracer(true);
    PreparedStatement unseen = postgres.prepared(); // prepared where the agent could not see it
    FakeJdbc nothing = new FakeJdbc(null, null);
    jdbc.exit(jdbc.execute(nothing.prepared(), null), null);
    assertEquals("other_sql", only().getName());
    assertNotNull(unseen);
  }

  @Test
  void theDurationMetricCarriesTheConventionsAttributes() {
    JdbcTracer jdbc = tracer(true);
    for (int i = 0; i < 2; i++) {
      jdbc.exit(jdbc.execute(postgres.statement(), "SELECT * FROM orders WHERE id = " + i), null);
    }
    jdbc.exit(jdbc.execute(postgres.statement(), "SELECT * FROM nope"), new SQLException("no table", "42P01"));

    Collection<MetricData> collected = metrics.collectAllMetrics();
    MetricData duration = collected.iterator().next();
    assertEquals("db.client.operation.duration", duration.getName());
    List<HistogramPointData> points = new ArrayList<>(duration.getHistogramData().getPoints());
    HistogramPointData ok = points.stream()
        .filter(p -> "SELECT orders".equals(p.getAttributes().get(AttributeKey.stringKey("db.query.summary"))))
        .findFirst().orElseThrow();
    assertEquals(2, ok.getCount());
    assertEquals("postgresql", ok.getAttributes().get(AttributeKey.stringKey("db.system.name")));
    assertEquals("orders", ok.getAttributes().get(AttributeKey.stringKey("db.collection.name")));
    assertEquals("shop", ok.getAttributes().get(AttributeKey.stringKey("db.namespace")));
    assertEquals(6543L, ok.getAttributes().get(AttributeKey.longKey("server.port")));
    assertNull(ok.getAttributes().get(AttributeKey.stringKey("db.query.text")), "opt-in on metrics");
    HistogramPointData failed = points.stream()
        .filter(p -> "42P01".equals(p.getAttributes().get(AttributeKey.stringKey("db.response.status_code"))))
        .findFirst().orElseThrow();
    assertEquals(SQLException.class.getName(), failed.getAttributes().get(AttributeKey.stringKey("error.type")));
  }

  @Test
  void executionsOverlappingOnTwoThreadsKeepTheirOwnSpansAndTimes() throws Exception {
    // an execution's state waits in its thread's depth between enter and exit: another thread's must not touch it
    JdbcTracer jdbc = tracer(true);
    Object outer = jdbc.execute(postgres.statement(), "SELECT * FROM orders");
    long[] otherNanos = new long[1];
    Thread other = new Thread(() -> {
      long start = System.nanoTime();
      jdbc.exit(jdbc.execute(postgres.statement(), "DELETE FROM carts"), new SQLException("locked", "55P03"));
      otherNanos[0] = System.nanoTime() - start;
    });
    other.start();
    other.join();
    jdbc.exit(outer, null);

    List<SpanData> ended = spans.getFinishedSpanItems();
    assertEquals(List.of("DELETE carts", "SELECT orders"), ended.stream().map(SpanData::getName).collect(java.util.stream.Collectors.toList()));
    SpanData delete = ended.get(0);
    SpanData select = ended.get(1);
    assertEquals("55P03", attr(delete, "db.response.status_code"));
    assertEquals(StatusCode.UNSET, select.getStatus().getStatusCode(), "the other thread's error stays on its span");
    assertTrue(delete.getEndEpochNanos() - delete.getStartEpochNanos() <= otherNanos[0]);
    assertTrue(select.getStartEpochNanos() <= delete.getStartEpochNanos() && select.getEndEpochNanos() >= delete.getEndEpochNanos(),
        "the first execution spans the whole of the second");
  }

  @Test
  void executionsNotSampledAreTimedAllTheSame() {
    LeanTracer off = new SpanPipeline(SamplingPolicy.of("always_off", 1.0), processor, new TelemetryResource(Resource.getDefault().getAttributes()), SpanLimits.getDefault())
        .tracer("test", null);
    JdbcTracer jdbc = tracer(off, true, PeerServices.NONE, false);
    for (int i = 0; i < 3; i++) {
      jdbc.exit(jdbc.execute(postgres.statement(), "SELECT * FROM orders WHERE id = " + i), null);
    }
    assertEquals(0, spans.getFinishedSpanItems().size());
    HistogramPointData point = metrics.collectAllMetrics().iterator().next().getHistogramData().getPoints().iterator().next();
    assertEquals(3, point.getCount());
    assertEquals("SELECT orders", point.getAttributes().get(AttributeKey.stringKey("db.query.summary")));
  }

  @Test
  void aReusedStatementTextIsParsedOnce() {
    JdbcTracer jdbc = tracer(true);
    Statement s = postgres.statement();
    jdbc.exit(jdbc.execute(s, "SELECT a FROM t WHERE b = 1"), null);
    jdbc.exit(jdbc.execute(postgres.statement(), "SELECT a FROM t WHERE b = 1"), null);
    List<SpanData> all = spans.getFinishedSpanItems();
    assertSame(all.get(0).getName(), all.get(1).getName(), "the cached shape is reused");
    assertTrue(all.get(0).getAttributes().equals(all.get(1).getAttributes()));
  }

  private SpanData only() {
    List<SpanData> all = spans.getFinishedSpanItems();
    assertEquals(1, all.size(), all::toString);
    return all.get(0);
  }

  private static String attr(SpanData span, String key) {
    return span.getAttributes().get(AttributeKey.stringKey(key));
  }
}
