package io.weft.smoke;

import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_INTERNAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.opentelemetry.proto.trace.v1.Status;
import io.weft.receiver.HistogramPointView;
import io.weft.receiver.OtlpReceiver;
import io.weft.receiver.ReceivedLog;
import io.weft.receiver.ReceivedMetric;
import io.weft.receiver.ReceivedSpan;
import io.weft.smoke.app.DataSourceApp;
import io.weft.smoke.app.JdbcApp;
import io.weft.smoke.app.ModularDriverApp;
import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.Jdk;
import io.weft.smoke.support.Jdks;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * JDBC end to end: one child JVM per database and JDK runs {@link JdbcApp} (the scenario list
 * directly, through HikariCP, DBCP2 and the Tomcat JDBC pool) and exits; then every span and the duration metric
 * it exported are checked: names, attributes, exact counts (one span per execution through pools),
 * sanitized text, errors, parentage under a traced method. PostgreSQL and MariaDB are the local
 * servers; unreachable, they are skipped with the reason, except under CI, where they must be up.
 */
class JdbcSmokeIT {

  private static final List<Double> BUCKETS = List.of(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0);

  /** One database the app runs against, and what its spans must say. */
  record Database(String name, String url, String user, String password, String system, String namespace,
      String host, int port, String missingTableState, String duplicateKeyState) {
    @Override
    public String toString() {
      return name;
    }
  }

  static final Database H2 = new Database("h2", "jdbc:h2:mem:shop;DB_CLOSE_DELAY=-1", "sa", "",
      "h2database", "shop", null, -1, "42S02", "23505");
  static final Database POSTGRESQL = new Database("postgresql", "jdbc:postgresql://127.0.0.1:5432/test", "postgres", "",
      "postgresql", "test", "127.0.0.1", 5432, "42P01", "23505");
  static final Database MARIADB = new Database("mariadb", "jdbc:mariadb://127.0.0.1:3306/test", "root", "",
      "mariadb", "test", "127.0.0.1", 3306, "42S02", "23000");

  static Stream<Arguments> databasesAndJdks() {
    List<Jdk> jdks = Jdks.all().toList();
    return Stream.of(H2, POSTGRESQL, MARIADB).flatMap(db -> jdks.stream().map(jdk -> Arguments.of(db, jdk)));
  }

  /**
   * How each database's run records the exceptions of failed statements ({@code OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN}):
   * H2 as span events (the default), PostgreSQL as log records only, MariaDB as both.
   */
  /** Whether the run captures query parameters (PostgreSQL and MariaDB; H2 shows the default, none). */
  static boolean capturesParameters(Database db) {
    return db != H2;
  }

  static String exceptionSignal(Database db) {
    return db == POSTGRESQL ? "logs" : db == MARIADB ? "logs/dup" : "";
  }

  @ParameterizedTest(name = "{0} on JDK {1}")
  @MethodSource("databasesAndJdks")
  void everyExecutionIsOneSanitizedClientSpanAndAMeasurement(Database db, Jdk jdk) {
    requireServer(db);
    try (OtlpReceiver otlp = OtlpReceiver.start().withTimeout(Duration.ofSeconds(30));
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .libs("jdbc")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.app.JdbcApp[transaction]")
            .env("OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN", exceptionSignal(db))
            // PostgreSQL's address and port named, MariaDB by its address alone; H2 in memory has none
            .env("OTEL_INSTRUMENTATION_COMMON_PEER_SERVICE_MAPPING", "127.0.0.1:5432=orders-pg, 127.0.0.1=shared-db")
            .env("OTEL_SEMCONV_STABILITY_OPT_IN", db == MARIADB ? "service.peer/dup" : "")
            .env("OTEL_INSTRUMENTATION_JDBC_EXPERIMENTAL_CAPTURE_QUERY_PARAMETERS", String.valueOf(capturesParameters(db)))
            .env("OTEL_INSTRUMENTATION_JDBC_EXPERIMENTAL_TRANSACTION_ENABLED", String.valueOf(tracesTransactions(db)))
            .start(JdbcApp.class, db.name(), db.url(), db.user(), db.password())) {
      assertEquals(0, app.awaitExit(Duration.ofSeconds(90)), () -> "the app failed\n" + app.describe());
      String output = app.output();
      assertTrue(output.contains("jdbc app done"), app::describe);
      // the driver's own statements were loaded after the agent: they keep the SQL in a field, no weak map
      assertTrue(output.matches("(?s).*statement direct \\S+ carries state: true.*"), app::describe);
      try {
        for (String access : JdbcApp.ACCESSES) {
          checkAccess(otlp, db, "weft_orders_" + access);
        }
        checkHostile(otlp, db, output);
        checkMetric(otlp, db);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\n" + app.describe() + "\n--- received spans:\n"
            + otlp.spans().stream().map(ReceivedSpan::toString).collect(Collectors.joining("\n")), e);
      }
    }
  }

  /**
   * MariaDB's driver is an explicit named module, which does not read the unnamed module the agent's
   * bridge lives in until the JVM, having seen one of its classes transformed, lets it read every unnamed
   * module. The first class woven there (the connection) must therefore not be made to implement the
   * bridge's {@code StateCarrier}: naming it, the class would fail to load and the driver with it. Classes
   * woven after that may (the JVM's order; the output says which did, the test does not depend on it).
   */
  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("jdks")
  void aDriverInANamedModuleLoadsAndIsTraced(Jdk jdk) {
    requireServer(MARIADB);
    Path driver = ChildJvm.libs("jdbc").stream().filter(p -> p.getFileName().toString().startsWith("mariadb-java-client"))
        .findFirst().orElseThrow();
    try (OtlpReceiver otlp = OtlpReceiver.start().withTimeout(Duration.ofSeconds(30));
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .jvmArg("--module-path=" + driver)
            .jvmArg("--add-modules=org.mariadb.jdbc")
            .start(ModularDriverApp.class, MARIADB.url(), MARIADB.user(), MARIADB.password())) {
      assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), () -> "the app failed\n" + app.describe());
      assertTrue(app.output().contains("read modular-secret"), app::describe);
      assertTrue(app.output().contains("driver module org.mariadb.jdbc, "), () -> "not the named module\n" + app.describe());
      otlp.awaitSpans(client().and(textIs("SELECT note FROM weft_modular WHERE id = ?")), 1);
      List<ReceivedSpan> spans = otlp.spans().stream().filter(client()).toList();
      ReceivedSpan query = only(spans, textIs("SELECT note FROM weft_modular WHERE id = ?"), 1).get(0);
      assertEquals("SELECT weft_modular", query.name(), "the prepared SQL was kept without the field");
      assertEquals("mariadb", query.stringAttr("db.system.name"));
      assertEquals("test", query.stringAttr("db.namespace"));
      ReceivedSpan insert = only(spans, textIs("INSERT INTO weft_modular (id, note) VALUES (?, ?)"), 1).get(0);
      assertEquals("INSERT weft_modular", insert.name());
    }
  }

  /**
   * {@code OTEL_INSTRUMENTATION_JDBC_DATASOURCE_ENABLED} (PostgreSQL and MariaDB; H2 shows the default, off): inside
   * a span, one INTERNAL span per {@code getConnection} of HikariCP and DBCP2, however many data sources the pool
   * goes through to open its connections, with the database the connection leads to; none outside a span; a failed
   * one says why. The Tomcat pool declares {@code getConnection} on a class that is no {@code DataSource}: no span.
   */
  @ParameterizedTest(name = "{0} on JDK {1}")
  @MethodSource("databasesAndJdks")
  void dataSourceConnectionsAreSpansWhenAskedFor(Database db, Jdk jdk) {
    requireServer(db);
    boolean on = db != H2;
    try (OtlpReceiver otlp = OtlpReceiver.start().withTimeout(Duration.ofSeconds(30));
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .libs("jdbc")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.app.DataSourceApp[borrow,borrowFailing]")
            .env("OTEL_INSTRUMENTATION_JDBC_DATASOURCE_ENABLED", String.valueOf(on))
            .start(DataSourceApp.class, db.url(), db.user(), db.password())) {
      assertEquals(0, app.awaitExit(Duration.ofSeconds(90)), () -> "the app failed\n" + app.describe());
      assertTrue(app.output().contains("data source app done"), app::describe);
      try {
        List<ReceivedSpan> borrows = otlp.awaitSpans(s -> s.name().equals("DataSourceApp.borrow"), 3);
        otlp.awaitSpans(s -> s.name().equals("DataSourceApp.borrowFailing"), 1);
        List<ReceivedSpan> gets = otlp.spans().stream().filter(s -> s.name().endsWith(".getConnection")).toList();
        if (!on) {
          assertEquals(List.of(), gets, "data source spans are opt-in");
          return;
        }
        // the child has exited: every span is in, so the counts are exact
        assertEquals(List.of("BasicDataSource.getConnection", "BasicDataSource.getConnection", "HikariDataSource.getConnection"),
            gets.stream().map(ReceivedSpan::name).sorted().toList(), "one per traced borrow, none outside a span, none for Tomcat's");
        for (ReceivedSpan get : gets) {
          assertEquals(SPAN_KIND_INTERNAL, get.kind());
          assertEquals("io.weft.jdbc", get.scopeName());
          assertFalse(get.isRoot(), get::toString);
          String pool = get.name().startsWith("Hikari") ? "com.zaxxer.hikari.HikariDataSource" : "org.apache.commons.dbcp2.BasicDataSource";
          assertEquals(pool + ".getConnection", get.stringAttr("code.function.name"));
        }
        List<ReceivedSpan> borrowed = gets.stream()
            .filter(g -> borrows.stream().anyMatch(b -> b.spanId().equals(g.parentSpanId()))).toList();
        assertEquals(2, borrowed.size(), "Hikari's and DBCP2's are children of their borrow: " + gets);
        for (ReceivedSpan get : borrowed) {
          assertEquals(db.system(), get.stringAttr("db.system.name"), get::toString);
          assertEquals(db.namespace(), get.stringAttr("db.namespace"), get::toString);
          assertEquals(Status.StatusCode.STATUS_CODE_UNSET, get.statusCode(), get::toString);
          // the pool's first borrow opened its connections inside the span: no statement of that is traced above it
          ReceivedSpan borrow = borrows.stream().filter(b -> b.spanId().equals(get.parentSpanId())).findFirst().orElseThrow();
          List<ReceivedSpan> queries = otlp.spans().stream().filter(s -> borrow.spanId().equals(s.parentSpanId()))
              .filter(s -> s.kind() == SPAN_KIND_CLIENT).toList();
          assertEquals(List.of("SELECT ?"), queries.stream().map(JdbcSmokeIT::text).toList(), "the borrow's own query (sanitized), beside the connection's span");
        }
        ReceivedSpan failing = otlp.spans().stream().filter(s -> s.name().equals("DataSourceApp.borrowFailing")).findFirst().orElseThrow();
        ReceivedSpan failed = gets.stream().filter(g -> failing.spanId().equals(g.parentSpanId())).findFirst()
            .orElseThrow(() -> new AssertionError("no getConnection span under borrowFailing: " + gets));
        assertEquals(Status.StatusCode.STATUS_CODE_ERROR, failed.statusCode(), failed::toString);
        assertTrue(failed.stringAttr("error.type").endsWith("Exception"), failed::toString);
        assertEquals(failed.stringAttr("error.type"), failed.eventAttr("exception", "exception.type"), failed::toString);
        assertNull(failed.attr("db.system.name"), "no connection, no database facts");
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\n" + app.describe() + "\n--- received spans:\n"
            + otlp.spans().stream().map(ReceivedSpan::toString).collect(Collectors.joining("\n")), e);
      }
    }
  }

  static Stream<Jdk> jdks() {
    return Jdks.all();
  }

  /**
   * The statements whose quoting only the dialect's reading of a backslash (or MariaDB's '#' comment) tells: each ran and
   * returned its row, each is a span, and none shows the literal (their text is hidden from the ambiguous quote on).
   */
  private static void checkHostile(OtlpReceiver otlp, Database db, String output) {
    int perAccess = db == MARIADB ? 2 : 1;
    assertEquals(JdbcApp.ACCESSES.length, output.lines().filter(l -> l.equals("hostile statements " + perAccess + " rows " + perAccess)).count(),
        output);
    List<ReceivedSpan> spans = otlp.spans().stream().filter(s -> s.kind() == SPAN_KIND_CLIENT).toList();
    assertEquals(JdbcApp.ACCESSES.length * perAccess, spans.stream().filter(s -> "SELECT ?".equals(text(s))).count(),
        () -> "one 'SELECT ?' span per hostile statement");
    for (ReceivedSpan span : spans) {
      assertFalse(span.toString().contains(JdbcApp.HOSTILE), () -> "a hostile literal survived in " + span);
    }
  }

  private static void checkAccess(OtlpReceiver otlp, Database db, String table) {
    // the child has exited, so everything it will ever send is in: counts below are exact
    otlp.awaitSpans(client().and(textIs("UPDATE " + table + " SET item = ? WHERE id = ?")), 2);
    List<ReceivedSpan> spans = otlp.spans().stream()
        .filter(s -> s.kind() == SPAN_KIND_CLIENT)
        .filter(s -> text(s).toLowerCase(Locale.ROOT).contains(table))
        .toList();

    for (ReceivedSpan span : spans) {
      assertEquals(db.system(), span.stringAttr("db.system.name"), span::toString);
      assertEquals(db.namespace(), span.stringAttr("db.namespace"), span::toString);
      assertEquals(db.host(), span.stringAttr("server.address"), span::toString);
      assertEquals(db.port() < 0 ? null : (long) db.port(), span.longAttr("server.port"), span::toString);
      String peer = db == POSTGRESQL ? "orders-pg" : db == MARIADB ? "shared-db" : null;
      assertEquals(peer, span.stringAttr("peer.service"), span::toString);
      assertEquals(db == MARIADB ? peer : null, span.stringAttr("service.peer.name"), span::toString);
      String text = text(span);
      for (String literal : List.of(JdbcApp.SECRET, "batch-secret", "duplicate", "42", "100", "moved")) {
        assertFalse(text.contains(literal), () -> "literal '" + literal + "' survived in " + span);
      }
      // named after the summary; DDL the summarizer does not know falls back to the namespace
      String summary = span.stringAttr("db.query.summary");
      assertEquals(summary != null ? summary : db.namespace(), span.name(), span::toString);
      if (!capturesParameters(db)) {
        assertEquals(Map.of(), parameters(span), "parameters are opt-in");
      }
    }

    List<ReceivedSpan> created = only(spans, textIs("CREATE TABLE " + table + " (id INT PRIMARY KEY, item VARCHAR(?), qty INT)"), 1);
    assertEquals("CREATE TABLE " + table, created.get(0).name());
    assertTrue(created.get(0).isRoot(), "a statement outside any span is a root span");

    ReceivedSpan literalInsert = only(spans, textIs("INSERT INTO " + table + " (id, qty, item) VALUES (?, ?, ?)"), 1).get(0);
    assertEquals("INSERT " + table, literalInsert.name());
    assertEquals("INSERT", literalInsert.stringAttr("db.operation.name"));
    assertEquals(table, literalInsert.stringAttr("db.collection.name"));
    assertEquals(Status.StatusCode.STATUS_CODE_UNSET, literalInsert.statusCode());

    // one prepared statement run PREPARED_RUNS times: exactly that many spans, whatever the pool
    List<ReceivedSpan> prepared = only(spans, textIs("INSERT INTO " + table + " (id, item, qty) VALUES (?, ?, ?)"), JdbcApp.PREPARED_RUNS);
    if (capturesParameters(db)) {
      // through the driver's own statement and each pool's wrapper: the values the application set, per execution
      List<Map<String, String>> given = new java.util.ArrayList<>();
      for (int i = 0; i < JdbcApp.PREPARED_RUNS; i++) {
        given.add(Map.of("0", String.valueOf(10 + i), "1", "item-" + i));
      }
      assertEquals(java.util.Set.copyOf(given), prepared.stream().map(JdbcSmokeIT::parameters).collect(Collectors.toSet()));
      assertEquals(Map.of("0", "10"),
          parameters(only(spans, textIs("SELECT item FROM " + table + " WHERE id = ?"), 1).get(0)));
      assertEquals(Map.of(), parameters(only(spans, textIs("UPDATE " + table + " SET qty = ? WHERE id = ?"), 1).get(0)),
          "none on a batch");
      assertEquals(Map.of("0", "2"), parameters(
          only(spans, s -> (table + "_touch").equalsIgnoreCase(s.stringAttr("db.stored_procedure.name")), 1).get(0)));
      // the second update set only the id: the item it was given before is still its parameter, as in JDBC
      assertEquals(java.util.Set.of(Map.of("0", "moved", "1", "11"), Map.of("0", "moved", "1", "12")),
          only(spans, textIs("UPDATE " + table + " SET item = ? WHERE id = ?"), 2).stream().map(JdbcSmokeIT::parameters)
              .collect(Collectors.toSet()));
    }
    for (ReceivedSpan span : prepared) {
      assertEquals("INSERT " + table, span.name());
      assertNull(span.attr("db.operation.batch.size"));
    }
    only(spans, textIs("SELECT item FROM " + table + " WHERE id = ?"), 1);

    ReceivedSpan preparedBatch = only(spans, textIs("UPDATE " + table + " SET qty = ? WHERE id = ?"), 1).get(0);
    assertEquals("BATCH UPDATE " + table, preparedBatch.name());
    assertEquals("BATCH UPDATE", preparedBatch.stringAttr("db.operation.name"));
    assertEquals((long) JdbcApp.PREPARED_BATCH, preparedBatch.longAttr("db.operation.batch.size"));

    ReceivedSpan statementBatch = only(spans,
        textIs("INSERT INTO " + table + " (id, item, qty) VALUES (?, ?, ?); DELETE FROM " + table + " WHERE id = ?"), 1).get(0);
    assertEquals("BATCH", statementBatch.name());
    assertEquals(2L, statementBatch.longAttr("db.operation.batch.size"));

    String procedure = table + "_touch";
    ReceivedSpan call = only(spans, s -> procedure.equalsIgnoreCase(s.stringAttr("db.stored_procedure.name")), 1).get(0);
    assertEquals("CALL", call.stringAttr("db.operation.name"), call::toString);

    ReceivedSpan missing = only(spans, textIs("SELECT * FROM " + table + "_missing"), 1).get(0);
    assertEquals("SELECT " + table + "_missing", missing.name());
    assertFailed(otlp, db, missing, db.missingTableState());

    ReceivedSpan duplicate = only(spans, textIs("INSERT INTO " + table + " (item, id, qty) VALUES (?, ?, ?)"), 1).get(0);
    assertFailed(otlp, db, duplicate, db.duplicateKeyState());

    // the transaction runs inside a traced method: both updates are its children
    List<ReceivedSpan> updates = only(spans, textIs("UPDATE " + table + " SET item = ? WHERE id = ?"), 2);
    ReceivedSpan method = otlp.spans().stream()
        .filter(s -> s.kind() == SPAN_KIND_INTERNAL && s.spanId().equals(updates.get(0).parentSpanId()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no method span is the parent of " + updates.get(0)));
    assertTrue(method.name().endsWith("transaction"), method::toString);
    for (ReceivedSpan update : updates) {
      assertEquals(method.traceId(), update.traceId());
      assertEquals(method.spanId(), update.parentSpanId());
    }
    only(spans, textIs("DELETE FROM " + table + " WHERE id = ?"), 1);
    // its commit and its rollback: one span each through the driver and through every pool's wrapper, when asked for
    List<ReceivedSpan> ends = otlp.spans().stream().filter(s -> method.spanId().equals(s.parentSpanId()))
        .filter(s -> !text(s).toLowerCase(Locale.ROOT).contains(table)).toList();
    if (!tracesTransactions(db)) {
      assertEquals(List.of(), ends, "transaction spans are opt-in");
      return;
    }
    assertEquals(List.of("COMMIT", "ROLLBACK"), ends.stream().map(s -> s.stringAttr("db.operation.name")).sorted().toList(),
        ends::toString);
    for (ReceivedSpan end : ends) {
      assertEquals(SPAN_KIND_CLIENT, end.kind());
      assertEquals(end.stringAttr("db.operation.name") + " " + db.namespace(), end.name());
      assertEquals(db.system(), end.stringAttr("db.system.name"));
      assertEquals(db.namespace(), end.stringAttr("db.namespace"));
      assertEquals(db.host(), end.stringAttr("server.address"));
      assertEquals((long) db.port(), end.longAttr("server.port"));
      assertNull(end.attr("db.query.text"), end::toString);
      assertEquals(Status.StatusCode.STATUS_CODE_UNSET, end.statusCode(), end::toString);
    }
  }

  /** Whether the run traces commits and rollbacks (PostgreSQL and MariaDB; H2 shows the default, none). */
  static boolean tracesTransactions(Database db) {
    return db != H2;
  }

  private static void checkMetric(OtlpReceiver otlp, Database db) {
    String table = "weft_orders_hikari";
    ReceivedMetric metric = otlp.awaitMetric(m -> m.name().equals("db.client.operation.duration")
        && m.histogramPoints().stream().anyMatch(p -> ("INSERT " + table).equals(p.attr("db.query.summary")) && p.attr("error.type") == null));
    assertEquals("s", metric.unit());
    List<HistogramPointView> points = metric.histogramPoints();
    HistogramPointView inserts = points.stream()
        .filter(p -> ("INSERT " + table).equals(p.attr("db.query.summary")) && p.attr("error.type") == null)
        .findFirst().orElseThrow();
    assertEquals(BUCKETS, inserts.explicitBounds());
    assertEquals(1 + JdbcApp.PREPARED_RUNS, inserts.count(), inserts::toString); // the literal insert and the prepared ones
    // exemplars name the statement's own span, not the span around it
    ReceivedMetric exemplified = otlp.awaitMetric(m -> m.name().equals("db.client.operation.duration")
        && m.histogramPoints().stream().anyMatch(p -> ("INSERT " + table).equals(p.attr("db.query.summary"))
            && p.attr("error.type") == null && !p.exemplarSpanIds().isEmpty()));
    List<String> exemplars = exemplified.histogramPoints().stream()
        .filter(p -> ("INSERT " + table).equals(p.attr("db.query.summary")) && p.attr("error.type") == null)
        .findFirst().orElseThrow().exemplarSpanIds();
    assertFalse(exemplars.isEmpty());
    for (String id : exemplars) { // the metric export may overtake the trace export that carries the span
      assertEquals("INSERT " + table, otlp.awaitSpan(s -> s.spanId().equals(id)).stringAttr("db.query.summary"));
    }
    assertEquals(db.system(), inserts.attr("db.system.name"));
    assertEquals(db.namespace(), inserts.attr("db.namespace"));
    assertEquals("INSERT", inserts.attr("db.operation.name"));
    assertEquals(table, inserts.attr("db.collection.name"));
    assertEquals(db.host(), inserts.attr("server.address"));
    assertNull(inserts.attr("db.query.text"), "db.query.text is opt-in on metrics");
    assertNull(inserts.attr("peer.service"), "the mapped service is the spans', not the metric's");
    HistogramPointView failed = points.stream()
        .filter(p -> ("SELECT " + table + "_missing").equals(p.attr("db.query.summary")))
        .findFirst().orElseThrow(() -> new AssertionError("no point for the failed query in " + points));
    assertEquals(db.missingTableState(), failed.attr("db.response.status_code"));
    assertNotNull(failed.attr("error.type"));
    assertEquals(1L, failed.count());
    // commits and rollbacks are measured too, with their operation as the only query attribute
    List<HistogramPointView> rollbacks = points.stream().filter(p -> "ROLLBACK".equals(p.attr("db.operation.name"))).toList();
    List<HistogramPointView> commits = points.stream().filter(p -> "COMMIT".equals(p.attr("db.operation.name"))).toList();
    if (!tracesTransactions(db)) {
      assertEquals(List.of(), rollbacks);
      assertEquals(List.of(), commits);
      return;
    }
    assertEquals(1, rollbacks.size(), rollbacks::toString);
    assertEquals(JdbcApp.ACCESSES.length, rollbacks.get(0).count(), "one rollback per access, the pools' wrappers not counted twice");
    assertEquals(db.system(), rollbacks.get(0).attr("db.system.name"));
    assertNull(rollbacks.get(0).attr("db.query.summary"));
    assertEquals(1, commits.size(), commits::toString);
    // the driver may commit when auto-commit is turned back on (PostgreSQL's does): at least the application's
    assertTrue(commits.get(0).count() >= JdbcApp.ACCESSES.length, commits::toString);
  }

  /**
   * A failed statement's span, and its exception where the run's signal puts it: the span's {@code exception} event,
   * one {@code db.client.operation.exception} log record at WARN in the span's context, or both.
   */
  private static void assertFailed(OtlpReceiver otlp, Database db, ReceivedSpan span, String sqlState) {
    assertEquals(Status.StatusCode.STATUS_CODE_ERROR, span.statusCode(), span::toString);
    assertEquals(sqlState, span.stringAttr("db.response.status_code"), span::toString);
    String errorType = span.stringAttr("error.type");
    assertNotNull(errorType, span::toString);
    String signal = exceptionSignal(db);
    if (signal.equals("logs")) {
      assertNull(span.event("exception"), () -> "logs only: no span event on " + span);
    } else {
      assertEquals(errorType, span.eventAttr("exception", "exception.type"), span::toString);
    }
    List<ReceivedLog> events = otlp.logs().stream().filter(log -> "db.client.operation.exception".equals(log.eventName()))
        .toList();
    if (signal.isEmpty()) {
      assertEquals(List.of(), events, "span events only: no record");
      return;
    }
    List<ReceivedLog> records = events.stream().filter(log -> span.spanId().equals(log.spanId())).toList();
    assertEquals(1, records.size(), () -> "one record for " + span + ": " + records);
    ReceivedLog record = records.get(0);
    assertEquals(13, record.severityNumber(), "WARN");
    assertEquals("io.weft.jdbc", record.scopeName());
    assertEquals(span.traceId(), record.traceId());
    assertEquals(errorType, record.attribute("exception.type"), record::toString);
    assertNotNull(record.attribute("exception.message"), record::toString);
    assertTrue(record.attribute("exception.stacktrace").startsWith(errorType), record::toString);
    assertEquals(3, record.attributes().size(), record::toString);
    // stamped as the failure is recorded, on the wall clock: after the span's start, about at its end
    assertTrue(record.timeUnixNano() >= span.startEpochNanos()
        && record.timeUnixNano() < span.endEpochNanos() + 1_000_000_000L, record::toString);
  }

  /** The span's db.query.parameter.* attributes, by key. */
  private static Map<String, String> parameters(ReceivedSpan span) {
    Map<String, String> parameters = new java.util.HashMap<>();
    span.attributes().forEach((key, value) -> {
      if (key.startsWith("db.query.parameter.")) {
        parameters.put(key.substring("db.query.parameter.".length()), String.valueOf(value));
      }
    });
    return parameters;
  }

  private static List<ReceivedSpan> only(List<ReceivedSpan> spans, Predicate<ReceivedSpan> matching, int expected) {
    List<ReceivedSpan> found = spans.stream().filter(matching).toList();
    if (found.size() != expected) {
      fail("expected exactly " + expected + " span(s) matching " + matching + ", found " + found.size() + ": " + found);
    }
    return found;
  }

  private static Predicate<ReceivedSpan> textIs(String text) {
    return new Predicate<>() {
      @Override
      public boolean test(ReceivedSpan span) {
        return text.equals(span.stringAttr("db.query.text"));
      }

      @Override
      public String toString() {
        return "db.query.text=" + text;
      }
    };
  }

  private static Predicate<ReceivedSpan> client() {
    return s -> s.kind() == SPAN_KIND_CLIENT;
  }

  private static String text(ReceivedSpan span) {
    String text = span.stringAttr("db.query.text");
    return text == null ? "" : text;
  }

  /** Skips (with the reason) when the database server is not reachable; under CI it must be. */
  static void requireServer(Database db) {
    if (db.host() == null) {
      return;
    }
    boolean reachable;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(db.host(), db.port()), 1000);
      reachable = true;
    } catch (IOException e) {
      reachable = false;
    }
    String reason = db.name() + " is not reachable on " + db.host() + ":" + db.port()
        + " (user " + db.user() + ", database " + db.namespace() + ")";
    if (!reachable && System.getenv("CI") != null) {
      fail(reason + ", and CI requires it");
    }
    Assumptions.assumeTrue(reachable, reason + ": skipped; start it to run this test");
  }
}
