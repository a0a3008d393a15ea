package io.weft.smoke.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status.StatusCode;
import io.weft.receiver.HistogramPointView;
import io.weft.receiver.NumberPointView;
import io.weft.receiver.ReceivedLog;
import io.weft.receiver.ReceivedMetric;
import io.weft.receiver.ReceivedSpan;
import io.weft.smoke.support.Jdks;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

/**
 * Real servlet containers in child JVMs with the agent: Tomcat 8.5 (javax, Servlet 3.1: no HttpServletMapping),
 * Tomcat 9 (javax), Tomcat 11 (jakarta, plus a deployed WAR) and Jetty 12 ee10 (jakarta), each on every JDK of {@link Jdks#all()}. One child per
 * container and JDK serves all scenarios; the last scenario checks that every request gave exactly one
 * server span and stops the child.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServletSmokeIT {

  private final List<ServletApp> apps = new ArrayList<>();

  @TestFactory
  Stream<DynamicNode> tomcat85() {
    return perJdk(ServletContainer.TOMCAT_8_5);
  }

  @TestFactory
  Stream<DynamicNode> tomcat9() {
    return perJdk(ServletContainer.TOMCAT_9);
  }

  @TestFactory
  Stream<DynamicNode> tomcat11() {
    return perJdk(ServletContainer.TOMCAT_11);
  }

  @TestFactory
  Stream<DynamicNode> jetty12() {
    return perJdk(ServletContainer.JETTY_12);
  }

  @AfterAll
  void stopAll() {
    apps.forEach(ServletApp::close);
  }

  private Stream<DynamicNode> perJdk(ServletContainer container) {
    return Jdks.all().map(jdk -> {
      ServletApp app = new ServletApp(container, jdk);
      apps.add(app);
      List<DynamicNode> tests = new ArrayList<>();
      tests.add(test("plain servlet", app, () -> plainServlet(app)));
      tests.add(test("filter chain ending in a servlet", app, () -> filterChain(app)));
      tests.add(test("forward", app, () -> forward(app)));
      tests.add(test("404", app, () -> notFound(app)));
      tests.add(test("exception gives 500", app, () -> exception(app)));
      tests.add(test("async completed from another thread", app, () -> async(app)));
      tests.add(test(container.experimentalTelemetry ? "async timeout ends the span as the container answers, servlet.timeout"
          : "async timeout ends the span as the container answers", app, () -> asyncTimeout(app)));
      tests.add(test("incoming traceparent continued", app, () -> traceparent(app)));
      tests.add(test(container.otherPropagators ? "incoming B3, Jaeger, OT and X-Ray headers continued" : "B3 and X-Ray headers ignored by default",
          app, () -> otherPropagators(app, container.otherPropagators)));
      tests.add(test("query redaction", app, () -> queryRedaction(app)));
      tests.add(test("header capture with redaction", app, () -> headerCapture(app)));
      tests.add(test("configured method nested, extension mapping", app, () -> configuredMethod(app)));
      tests.add(test("route from a framework's pattern (Spring MVC's request attribute)", app, () -> frameworkRoute(app)));
      tests.add(test("route from a framework's pattern, async", app, () -> frameworkRouteAsync(app)));
      tests.add(test("a ServletException reports its cause", app, () -> wrappedFailure(app)));
      if (container.war) {
        tests.add(test("WAR in a webapp class loader", app, () -> war(app)));
      }
      tests.add(test("metrics", app, () -> metrics(app)));
      tests.add(test(container.experimentalTelemetry ? "body sizes (experimental telemetry)" : "no body sizes by default", app,
          () -> bodySizes(app)));
      // after the metrics' tests: its POST would be one more point in them
      tests.add(test("request parameters captured as the request ends, sensitive ones redacted", app,
          () -> parameterCapture(app)));
      tests.add(test("route from a JAX-RS resource's template (" + (container.jaxRsLibs().equals("jersey2")
          ? "Jersey 2, javax.ws.rs)" : "RESTEasy 6, jakarta.ws.rs)"), app, () -> jaxRsRoute(app)));
      tests.add(test("one server span per request, no agent errors", app, () -> {
        try {
          onePerRequest(app);
        } finally {
          app.close();
        }
      }));
      return dynamicContainer(container + " JDK " + jdk, tests);
    });
  }

  private static DynamicNode test(String name, ServletApp app, Executable body) {
    return dynamicTest(name, () -> {
      try {
        body.execute();
      } catch (AssertionError e) {
        throw new AssertionError(app + ": " + e.getMessage() + "\n" + app.child().describe(), e);
      }
    });
  }

  private static void plainServlet(ServletApp app) {
    String rid = app.rid();
    HttpResponse<String> response = app.get("/app/hello?rid=" + rid, "User-Agent", "smoke/1.0");
    assertEquals(200, response.statusCode());
    ReceivedSpan span = app.serverSpan(rid);
    assertEquals("GET /app/hello", span.name());
    assertEquals(SpanKind.SPAN_KIND_SERVER, span.kind());
    assertTrue(span.isRoot(), "no incoming traceparent: a new trace");
    assertEquals("GET", span.stringAttr("http.request.method"));
    assertEquals("http", span.stringAttr("url.scheme"));
    assertEquals("/app/hello", span.stringAttr("url.path"));
    assertEquals("rid=" + rid, span.stringAttr("url.query"));
    assertEquals("/app/hello", span.stringAttr("http.route"));
    assertEquals(200L, span.longAttr("http.response.status_code"));
    assertEquals("127.0.0.1", span.stringAttr("server.address"));
    assertEquals((long) response.uri().getPort(), span.longAttr("server.port"));
    assertEquals("127.0.0.1", span.stringAttr("client.address"));
    assertEquals("smoke/1.0", span.stringAttr("user_agent.original"));
    assertEquals("1.1", span.stringAttr("network.protocol.version"));
    assertNull(span.attr("error.type"));
    assertEquals(StatusCode.STATUS_CODE_UNSET, span.statusCode());
    assertEquals("io.weft.servlet", span.scopeName());
  }

  private static void filterChain(ServletApp app) {
    String rid = app.rid();
    HttpResponse<String> response = app.get("/app/chain/deep/path?rid=" + rid);
    assertEquals(200, response.statusCode());
    assertEquals("passed", response.headers().firstValue("x-filter-chain").orElse(null));
    ReceivedSpan span = app.serverSpan(rid);
    assertEquals("GET /app/chain/*", span.name());
    assertEquals("/app/chain/*", span.stringAttr("http.route"));
    assertEquals("/app/chain/deep/path", span.stringAttr("url.path"));
  }

  private static void forward(ServletApp app) {
    String rid = app.rid();
    HttpResponse<String> response = app.get("/app/forward?rid=" + rid);
    assertEquals(200, response.statusCode());
    assertEquals("hello", response.body());
    ReceivedSpan span = app.serverSpan(rid);
    assertEquals("GET /app/forward", span.name(), "named by the route the request came in on");
  }

  private static void notFound(ServletApp app) {
    String rid = app.rid();
    assertEquals(404, app.get("/app/missing?rid=" + rid).statusCode());
    ReceivedSpan span = app.serverSpan(rid);
    assertEquals("GET /app/*", span.name(), "the default servlet's route, never the path");
    assertEquals(404L, span.longAttr("http.response.status_code"));
    assertEquals(StatusCode.STATUS_CODE_UNSET, span.statusCode(), "4xx is not a server error");
    assertNull(span.attr("error.type"));
  }

  private static void exception(ServletApp app) {
    String rid = app.rid();
    assertEquals(500, app.get("/app/fail?rid=" + rid).statusCode());
    ReceivedSpan span = app.serverSpan(rid);
    assertEquals("GET /app/fail", span.name());
    assertEquals(500L, span.longAttr("http.response.status_code"));
    assertEquals(StatusCode.STATUS_CODE_ERROR, span.statusCode());
    assertEquals("java.lang.IllegalStateException", span.stringAttr("error.type"));
    assertException(app, span, "java.lang.IllegalStateException", null);
  }

  /**
   * The exception that failed a request, where the container's signal puts it: the span's {@code exception} event,
   * an {@code http.server.request.exception} log record at ERROR in the span's context, or both.
   */
  private static void assertException(ServletApp app, ReceivedSpan span, String type, String message) {
    String signal = app.container.exceptionSignal;
    if (signal.equals("logs")) {
      assertNull(span.event("exception"), "logs only: no span event");
    } else {
      assertEquals(type, span.eventAttr("exception", "exception.type"));
      if (message != null) {
        assertEquals(message, span.eventAttr("exception", "exception.message"));
      }
    }
    if (signal.isEmpty()) {
      return; // that no record is made is checked where the child has exited (JdbcSmokeIT)
    }
    // the container may log the failure too, in the same context: the agent's record is the one with the event name
    Predicate<ReceivedLog> recordOfSpan =
        log -> span.spanId().equals(log.spanId()) && "http.server.request.exception".equals(log.eventName());
    ReceivedLog record = app.otlp().awaitLog(recordOfSpan);
    assertEquals(17, record.severityNumber(), "ERROR");
    assertEquals("io.weft.servlet", record.scopeName());
    assertEquals(span.traceId(), record.traceId());
    assertEquals(type, record.attribute("exception.type"), record::toString);
    if (message != null) {
      assertEquals(message, record.attribute("exception.message"), record::toString);
    }
    assertTrue(record.attribute("exception.stacktrace").startsWith(type), record::toString);
    assertEquals(1, app.otlp().logs().stream().filter(recordOfSpan).count(), "one record per failed request");
  }

  private static void async(ServletApp app) {
    String rid = app.rid();
    HttpResponse<String> response = app.get("/app/async?rid=" + rid);
    assertEquals(200, response.statusCode());
    assertTrue(response.body().startsWith("async "), response.body());
    ReceivedSpan server = app.serverSpan(rid);
    assertEquals("GET /app/async", server.name());
    assertEquals(200L, server.longAttr("http.response.status_code"));
    assertTrue(server.durationNanos() > 0);
    ReceivedSpan work = app.otlp().awaitSpan(childNamed(server, "Work.compute"));
    assertTrue(server.endEpochNanos() >= work.endEpochNanos(), "the server span ends when the async cycle completes");
  }

  /**
   * A cycle nobody completes: the container times it out and answers 500 itself (an error dispatch); the span ends
   * then, with the container's status, and carries the timeout when the experimental span attributes are on.
   */
  private static void asyncTimeout(ServletApp app) {
    String rid = app.rid();
    HttpResponse<String> response = app.get("/app/timeout?rid=" + rid);
    assertEquals(500, response.statusCode());
    ReceivedSpan span = app.serverSpan(rid);
    assertEquals("GET /app/timeout", span.name());
    assertEquals(500L, span.longAttr("http.response.status_code"));
    assertEquals(StatusCode.STATUS_CODE_ERROR, span.statusCode());
    assertEquals("500", span.stringAttr("error.type"));
    assertTrue(span.durationNanos() >= 300_000_000L, "ends after the timeout: " + span.durationNanos() + " ns");
    if (app.container.experimentalTelemetry) {
      assertEquals(300L, span.longAttr("servlet.timeout"));
    } else {
      assertNull(span.attr("servlet.timeout"), "experimental span attributes are off by default");
    }
  }

  private static void traceparent(ServletApp app) {
    String rid = app.rid();
    String traceId = hex(32);
    String parentId = hex(16);
    app.get("/app/hello?rid=" + rid, "traceparent", "00-" + traceId + "-" + parentId + "-01");
    ReceivedSpan span = app.serverSpan(rid);
    assertEquals(traceId, span.traceId());
    assertEquals(parentId, span.parentSpanId());
  }

  /** OTEL_PROPAGATORS with every other propagator: each format's parent is continued; without them, none is. */
  private static void otherPropagators(ServletApp app, boolean configured) {
    List<String[]> formats = new ArrayList<>();
    String traceId = hex(32);
    String parentId = hex(16);
    formats.add(new String[] {traceId, parentId, "b3", traceId + "-" + parentId + "-1"});
    traceId = hex(32);
    parentId = hex(16);
    formats.add(new String[] {traceId, parentId, "X-B3-TraceId", traceId, "X-B3-SpanId", parentId, "X-B3-Sampled", "1"});
    traceId = hex(32);
    parentId = hex(16);
    formats.add(new String[] {traceId, parentId, "uber-trace-id", traceId + ":" + parentId + ":0:1"});
    traceId = hex(32);
    parentId = hex(16);
    // as an AWS load balancer writes it: its own Self field first
    formats.add(new String[] {traceId, parentId, "X-Amzn-Trace-Id",
        "Self=1-67891234-12456789abcdef012345678;Root=1-" + traceId.substring(0, 8) + "-" + traceId.substring(8) + ";Parent=" + parentId + ";Sampled=1"});
    traceId = hex(32);
    parentId = hex(16);
    formats.add(new String[] {traceId, parentId, "ot-tracer-traceid", traceId, "ot-tracer-spanid", parentId, "ot-tracer-sampled", "true"});
    String shortTraceId = hex(16); // B3's 64-bit form, padded to 128 bits on the left
    parentId = hex(16);
    formats.add(new String[] {"0".repeat(16) + shortTraceId, parentId, "b3", shortTraceId + "-" + parentId + "-1"});
    for (String[] format : formats) {
      String rid = app.rid();
      app.get("/app/hello?rid=" + rid, java.util.Arrays.copyOfRange(format, 2, format.length));
      ReceivedSpan span = app.serverSpan(rid);
      String headers = String.join(" ", java.util.Arrays.copyOfRange(format, 2, format.length));
      if (configured) {
        assertEquals(format[0], span.traceId(), headers);
        assertEquals(format[1], span.parentSpanId(), headers);
      } else {
        assertTrue(span.isRoot(), "only W3C headers are read by default: " + headers);
        assertFalse(span.traceId().equals(format[0]), headers);
      }
    }
  }

  private static void queryRedaction(ServletApp app) {
    String rid = app.rid();
    app.get("/app/hello?rid=" + rid + "&password=hunter2&page=2&ticket=t-123&X-Amz-Signature=abc");
    ReceivedSpan span = app.serverSpan(rid);
    assertEquals("rid=" + rid + "&password=REDACTED&page=2&ticket=REDACTED&X-Amz-Signature=REDACTED",
        span.stringAttr("url.query"));
    // a session carried in the URL, the servlet way: the path keeps its shape, not the id
    String inPath = app.rid();
    app.get("/app/hello;jsessionid=SESSIONSECRET123?rid=" + inPath);
    ReceivedSpan pathSpan = app.serverSpan(inPath);
    assertEquals("/app/hello;jsessionid=REDACTED", pathSpan.stringAttr("url.path"));
    assertFalse(pathSpan.toString().contains("SESSIONSECRET123"), pathSpan::toString);
  }

  private static void headerCapture(ServletApp app) {
    String rid = app.rid();
    app.get("/app/hello?rid=" + rid, "X-Tenant", "acme", "Authorization", "Bearer s3cr3t", "X-Other", "not captured");
    ReceivedSpan span = app.serverSpan(rid);
    assertEquals(List.of("acme"), span.attr("http.request.header.x-tenant"));
    assertEquals(List.of("REDACTED"), span.attr("http.request.header.authorization"));
    assertNull(span.attr("http.request.header.x-other"));
    assertEquals(List.of("hello"), span.attr("http.response.header.x-served-by"));
    assertEquals(List.of("REDACTED"), span.attr("http.response.header.set-cookie"));
  }

  /**
   * The configured parameters, every value, under lower-cased keys; sensitive ones (the defaults and
   * WEFT_HTTP_SENSITIVE_QUERY_PARAMETERS) redacted. Read as the request ends: a form body the servlet reads as a
   * stream reaches it whole.
   */
  private static void parameterCapture(ServletApp app) {
    String rid = app.rid();
    assertEquals(200, app.get("/app/hello?rid=" + rid + "&tenant=acme&tenant=beta&Page=2&page=9&password=hunter2&ticket=t-1&other=x")
        .statusCode());
    ReceivedSpan span = app.serverSpan(rid);
    assertEquals(List.of("acme", "beta"), span.attr("servlet.request.parameter.tenant"));
    assertEquals(List.of("2"), span.attr("servlet.request.parameter.page"), "the name as configured, the key lower-cased");
    assertEquals(List.of("REDACTED"), span.attr("servlet.request.parameter.password"));
    assertEquals(List.of("REDACTED"), span.attr("servlet.request.parameter.ticket"));
    assertNull(span.attr("servlet.request.parameter.other"));
    assertNull(span.attr("servlet.request.parameter.rid"));

    String formRid = app.rid();
    String form = "tenant=from-the-form&note=" + "n".repeat(40);
    HttpResponse<String> posted = app.post("/app/hello?rid=" + formRid + "&tenant=query", form,
        "Content-Type", "application/x-www-form-urlencoded");
    assertEquals(200, posted.statusCode());
    assertEquals("hello " + form.length(), posted.body(), "the servlet read the whole body itself");
    ReceivedSpan formSpan = app.serverSpan(formRid);
    List<?> tenant = (List<?>) formSpan.attr("servlet.request.parameter.tenant");
    assertNotNull(tenant, formSpan::toString);
    assertEquals("query", tenant.get(0), formSpan::toString);
  }

  private static void configuredMethod(ServletApp app) {
    String rid = app.rid();
    assertEquals(200, app.get("/app/orders/42.do?rid=" + rid).statusCode());
    ReceivedSpan server = app.serverSpan(rid);
    assertEquals("GET /app/*.do", server.name());
    ReceivedSpan work = app.otlp().awaitSpan(childNamed(server, "Work.compute"));
    assertEquals(SpanKind.SPAN_KIND_INTERNAL, work.kind());
  }

  private static void frameworkRoute(ServletApp app) {
    String rid = app.rid();
    assertEquals(200, app.get("/app/mvc/orders/42?rid=" + rid).statusCode());
    ReceivedSpan span = app.serverSpan(rid);
    assertEquals("GET /app/mvc/orders/{id}", span.name(), "context path, servlet prefix and the framework's pattern");
    assertEquals("/app/mvc/orders/{id}", span.stringAttr("http.route"));
    assertEquals("/app/mvc/orders/42", span.stringAttr("url.path"));

    String unmatched = app.rid();
    assertEquals(404, app.get("/app/mvc/nothing/here?rid=" + unmatched).statusCode());
    ReceivedSpan plain = app.serverSpan(unmatched);
    assertEquals("GET /app/mvc/*", plain.name(), "no pattern left: the servlet's route");
    assertEquals("/app/mvc/*", plain.stringAttr("http.route"));

    ReceivedMetric duration = app.otlp().awaitMetric(m -> m.name().equals("http.server.request.duration")
        && m.histogramPoints().stream().anyMatch(p -> "/app/mvc/orders/{id}".equals(p.attr("http.route"))));
    HistogramPointView orders = point(duration.histogramPoints(), p -> "/app/mvc/orders/{id}".equals(p.attr("http.route")));
    assertEquals(200L, orders.attr("http.response.status_code"));
  }

  private static void jaxRsRoute(ServletApp app) {
    String rid = app.rid();
    HttpResponse<String> order = app.get("/app/rs/orders/42?rid=" + rid);
    assertEquals(200, order.statusCode(), order.body());
    assertEquals("order 42", order.body());
    ReceivedSpan span = app.serverSpan(rid);
    assertEquals("GET /app/rs/orders/{id}", span.name(), "context path, servlet prefix and the template, without its expression");
    assertEquals("/app/rs/orders/{id}", span.stringAttr("http.route"));
    assertEquals("/app/rs/orders/42", span.stringAttr("url.path"));

    String located = app.rid();
    HttpResponse<String> lines = app.get("/app/rs/orders/42/lines?rid=" + located);
    assertEquals("lines of 42", lines.body());
    assertEquals("/app/rs/orders/{id}/lines", app.serverSpan(located).stringAttr("http.route"),
        "a sub-resource locator starts the template, the method of what it returns ends it");

    // a class implementing an annotated generic interface (through its bridge method) is defined before the interface is seen,
    // so it is woven again a moment after Jersey or RESTEasy loads it: until then its requests keep the servlet's route
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (true) {
      String stock = app.rid();
      HttpResponse<String> level = app.get("/app/rs/stock/AB-12?rid=" + stock);
      assertEquals("stock of AB-12", level.body());
      ReceivedSpan stockSpan = app.serverSpan(stock);
      if ("/app/rs/stock/{sku}".equals(stockSpan.stringAttr("http.route"))) {
        assertEquals("GET /app/rs/stock/{sku}", stockSpan.name(), "the interface's class and method paths");
        break;
      }
      assertEquals("/app/rs/*", stockSpan.stringAttr("http.route"), "before it is woven again: the servlet's route, never a wrong one");
      assertTrue(System.nanoTime() < deadline, "the implementation was not woven again within 10 s");
    }
  }

  private static void frameworkRouteAsync(ServletApp app) {
    String rid = app.rid();
    HttpResponse<String> response = app.get("/app/mvc/orders/7/later?rid=" + rid);
    assertEquals(200, response.statusCode());
    assertEquals("later", response.body());
    ReceivedSpan span = app.serverSpan(rid);
    assertEquals("GET /app/mvc/orders/{id}/later", span.name(), "read when the async cycle completes");
    assertEquals("/app/mvc/orders/{id}/later", span.stringAttr("http.route"));
  }

  private static void wrappedFailure(ServletApp app) {
    String rid = app.rid();
    assertEquals(500, app.get("/app/mvc/broken?rid=" + rid).statusCode());
    ReceivedSpan span = app.serverSpan(rid);
    assertEquals("GET /app/mvc/broken", span.name());
    assertEquals(StatusCode.STATUS_CODE_ERROR, span.statusCode());
    assertEquals("java.lang.IllegalArgumentException", span.stringAttr("error.type"), "the cause, not the wrapper");
    assertException(app, span, "java.lang.IllegalArgumentException", "the handler failed");
    ReceivedMetric duration = app.otlp().awaitMetric(m -> m.name().equals("http.server.request.duration")
        && m.histogramPoints().stream().anyMatch(p -> "/app/mvc/broken".equals(p.attr("http.route"))));
    HistogramPointView broken = point(duration.histogramPoints(), p -> "/app/mvc/broken".equals(p.attr("http.route")));
    assertEquals("java.lang.IllegalArgumentException", broken.attr("error.type"));
    assertEquals(500L, broken.attr("http.response.status_code"));
  }

  private static void war(ServletApp app) {
    String rid = app.rid();
    HttpResponse<String> response = app.get("/war/orders/7?rid=" + rid);
    assertEquals(200, response.statusCode());
    assertTrue(response.body().contains("WebappClassLoader"), "served from the webapp's loader: " + response.body());
    ReceivedSpan server = app.serverSpan(rid);
    assertEquals("GET /war/orders/*", server.name());
    assertEquals("/war/orders/*", server.stringAttr("http.route"));
    app.otlp().awaitSpan(childNamed(server, "Work.compute"));
  }

  private static void metrics(ServletApp app) {
    app.get("/app/hello?rid=" + app.rid());
    app.get("/app/fail?rid=" + app.rid());
    ReceivedMetric duration = app.otlp().awaitMetric(m -> m.name().equals("http.server.request.duration")
        && m.histogramPoints().stream().anyMatch(p -> "/app/hello".equals(p.attr("http.route")))
        && m.histogramPoints().stream().anyMatch(p -> "/app/fail".equals(p.attr("http.route"))));
    assertEquals("s", duration.unit());
    HistogramPointView hello = point(duration.histogramPoints(), p -> "/app/hello".equals(p.attr("http.route")));
    assertEquals(Map.of("http.request.method", "GET", "http.response.status_code", 200L, "http.route", "/app/hello",
        "url.scheme", "http", "network.protocol.version", "1.1"), hello.attributes());
    assertEquals(List.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0),
        hello.explicitBounds());
    HistogramPointView fail = point(duration.histogramPoints(), p -> "/app/fail".equals(p.attr("http.route")));
    assertEquals("java.lang.IllegalStateException", fail.attr("error.type"));
    assertEquals(500L, fail.attr("http.response.status_code"));
    // exemplars name the request's own server span (its scope is closed when the duration is recorded)
    ReceivedMetric exemplified = app.otlp().awaitMetric(m -> m.name().equals("http.server.request.duration")
        && m.histogramPoints().stream().anyMatch(p -> "/app/hello".equals(p.attr("http.route")) && !p.exemplarSpanIds().isEmpty()));
    List<String> exemplars = point(exemplified.histogramPoints(), p -> "/app/hello".equals(p.attr("http.route"))).exemplarSpanIds();
    for (String id : exemplars) { // the metric export may overtake the trace export that carries the span
      assertEquals("GET /app/hello", app.otlp().awaitSpan(s -> s.spanId().equals(id)).name());
    }

    if (app.container.experimentalTelemetry) {
      ReceivedMetric active = app.otlp().awaitMetric("http.server.active_requests");
      NumberPointView get = point(active.sumPoints(), p -> "GET".equals(p.attr("http.request.method")));
      assertEquals(Map.of("http.request.method", "GET", "url.scheme", "http"), get.attributes());
      assertFalse(active.isMonotonic());
    } else {
      // in development in the conventions: not sent unless asked for (every instrument goes in each export,
      // so the exports that brought the duration would have brought it)
      assertTrue(app.otlp().metrics().stream().noneMatch(m -> m.name().equals("http.server.active_requests")),
          "http.server.active_requests sent without OTEL_INSTRUMENTATION_HTTP_SERVER_EMIT_EXPERIMENTAL_TELEMETRY");
    }
  }

  /**
   * With the experimental telemetry, a request's and a response's Content-Length as span attributes and as
   * histograms with the duration's attributes; without it, neither.
   */
  private static void bodySizes(ServletApp app) {
    String rid = app.rid();
    HttpResponse<String> response = app.post("/app/hello?rid=" + rid, "twelve bytes");
    assertEquals(200, response.statusCode());
    assertEquals("hello 12", response.body());
    ReceivedSpan span = app.serverSpan(rid);
    assertEquals("POST /app/hello", span.name());
    if (!app.container.experimentalTelemetry) {
      assertNull(span.attr("http.request.body.size"));
      assertNull(span.attr("http.response.body.size"));
      assertTrue(app.otlp().metrics().stream().noneMatch(m -> m.name().equals("http.server.request.body.size")));
      return;
    }
    assertEquals(12L, span.longAttr("http.request.body.size"));
    assertEquals(8L, span.longAttr("http.response.body.size"));
    for (String name : List.of("http.server.request.body.size", "http.server.response.body.size")) {
      ReceivedMetric size = app.otlp().awaitMetric(m -> m.name().equals(name)
          && m.histogramPoints().stream().anyMatch(p -> "POST".equals(p.attr("http.request.method"))));
      assertEquals("By", size.unit());
      HistogramPointView post = point(size.histogramPoints(), p -> "POST".equals(p.attr("http.request.method")));
      assertEquals(Map.of("http.request.method", "POST", "http.response.status_code", 200L, "http.route", "/app/hello",
          "url.scheme", "http", "network.protocol.version", "1.1"), post.attributes());
      assertEquals(1, post.count());
      assertEquals(name.contains("request") ? 12.0 : 8.0, post.sum());
    }
  }

  private static void onePerRequest(ServletApp app) {
    String barrier = app.rid();
    app.get("/app/hello?rid=" + barrier);
    app.serverSpan(barrier); // spans are exported in the order they end: earlier requests are in
    List<ReceivedSpan> servers = app.otlp().spans().stream()
        .filter(s -> s.kind() == SpanKind.SPAN_KIND_SERVER).collect(Collectors.toList());
    for (String rid : app.rids) {
      List<ReceivedSpan> mine = servers.stream().filter(ServletApp.server(rid)).collect(Collectors.toList());
      assertEquals(1, mine.size(), "server spans for rid=" + rid + ": " + mine);
    }
    String output = app.child().output();
    assertFalse(output.contains("[weft] internal error"), "agent errors in the child's output");
    assertFalse(output.contains("could not weave"), "weaving failures in the child's output");
  }

  private static Predicate<ReceivedSpan> childNamed(ReceivedSpan parent, String name) {
    return s -> s.name().equals(name) && s.traceId().equals(parent.traceId()) && s.parentSpanId().equals(parent.spanId());
  }

  private static <T> T point(List<T> points, Predicate<T> matching) {
    return points.stream().filter(matching).findFirst()
        .orElseThrow(() -> new AssertionError("no point matching among " + points));
  }

  private static String hex(int length) {
    StringBuilder s = new StringBuilder(length);
    while (s.length() < length) {
      s.append(Character.forDigit(ThreadLocalRandom.current().nextInt(16), 16));
    }
    return s.toString();
  }
}
