package io.weft.smoke;

import static io.weft.receiver.SpanMatchers.childOf;
import static io.weft.receiver.SpanMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status.StatusCode;
import io.weft.receiver.HistogramPointView;
import io.weft.receiver.LogMatchers;
import io.weft.receiver.OtlpReceiver;
import io.weft.receiver.ReceivedLog;
import io.weft.receiver.ReceivedMetric;
import io.weft.receiver.ReceivedSpan;
import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.Jdk;
import io.weft.smoke.support.Jdks;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An application as users ship it: an executable Spring Boot jar (Boot's launcher and class loader, Spring MVC and Jersey on its
 * embedded Tomcat under the context path /shop, JdbcTemplate on HikariCP against the PostgreSQL server), run with
 * {@code java -javaagent:weft-agent.jar -jar}. The routes are Spring's patterns, a failing handler reports its own
 * exception rather than Spring's ServletException around it, and the configured method and the JDBC statement, both
 * in classes only Boot's loader sees, nest under the request.
 */
class SpringBootIT {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void springRoutesErrorsAndNestedSpansInAnExecutableJar(Jdk jdk) throws Exception {
    JdbcSmokeIT.requireServer(JdbcSmokeIT.POSTGRESQL);
    try (OtlpReceiver otlp = OtlpReceiver.start().withTimeout(Duration.ofSeconds(30));
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_SERVICE_NAME", "shop")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.boot.Items[find]")
            .env("OTEL_INSTRUMENTATION_LOGBACK_MDC_ADD_BAGGAGE", "true")
            .property("logging.pattern.console",
                "LOG %msg trace=%X{trace_id} span=%X{span_id} flags=%X{trace_flags} tenant=%X{baggage.tenant}%n")
            .startJar(appJar())) {
      URI base = awaitReady(app);
      try {
        // a path variable: the route is Spring's pattern under the context path, never the path
        HttpResponse<String> item = get(base, "/shop/items/7");
        assertEquals(200, item.statusCode(), item.body());
        assertTrue(item.body().contains("\"id\":7"), item.body());
        ReceivedSpan server = otlp.awaitSpan(server("/shop/items/7"));
        assertEquals("GET /shop/items/{id}", server.name());
        assertEquals("/shop/items/{id}", server.stringAttr("http.route"));
        assertEquals(200L, server.longAttr("http.response.status_code"));
        assertTrue(server.isRoot());
        // the handler's log line, through Spring Boot's Logback in its nested-jar class loader, names the request's span
        String logged = "LOG item 7 trace=" + server.traceId() + " span=" + server.spanId() + " flags=01 tenant=";
        assertEquals(1, app.output().lines().filter(logged::equals).count(), logged);
        // the request's W3C baggage too, under baggage.<key>, when asked for (OTEL_INSTRUMENTATION_LOGBACK_MDC_ADD_BAGGAGE)
        assertEquals(200, get(base, "/shop/items/8", "baggage", "tenant=acme,plan=gold").statusCode());
        ReceivedSpan withBaggage = otlp.awaitSpan(server("/shop/items/8"));
        String loggedWithBaggage = "LOG item 8 trace=" + withBaggage.traceId() + " span=" + withBaggage.spanId()
            + " flags=01 tenant=acme";
        assertEquals(1, app.output().lines().filter(loggedWithBaggage::equals).count(), loggedWithBaggage);
        // and is a log record of the same span, as are Spring's own lines from before any request
        ReceivedLog itemLog = otlp.awaitLog(LogMatchers.bodyContains("item 7"));
        assertEquals("io.weft.smoke.boot.ShopController", itemLog.scopeName());
        assertEquals("INFO", itemLog.severityText());
        assertEquals(server.traceId(), itemLog.traceId());
        assertEquals(server.spanId(), itemLog.spanId());
        assertEquals("shop", itemLog.resourceAttribute("service.name"));
        ReceivedLog started = otlp.awaitLog(LogMatchers.bodyContains("Started "));
        assertTrue(started.scopeName().startsWith("io.weft.smoke.boot."), started::toString);
        assertEquals("", started.traceId(), started::toString);
        ReceivedSpan find = otlp.awaitSpan(named("Items.find").and(childOf(server)));
        assertEquals("io.weft.smoke.boot.Items.find", find.stringAttr("code.function.name"));
        ReceivedSpan select = otlp.awaitSpan(s -> s.kind() == SpanKind.SPAN_KIND_CLIENT && childOf(find).test(s));
        assertEquals("postgresql", select.stringAttr("db.system.name"));
        assertEquals("test", select.stringAttr("db.namespace"));
        assertEquals("SELECT CAST(? AS integer) AS id, ? AS name", select.stringAttr("db.query.text"),
            "the literal is sanitized");

        // a failing handler: Spring wraps it in a ServletException; the span and the metric name the handler's
        HttpResponse<String> fail = get(base, "/shop/fail");
        assertEquals(500, fail.statusCode());
        ReceivedSpan failed = otlp.awaitSpan(server("/shop/fail"));
        assertEquals("GET /shop/fail", failed.name());
        assertEquals(StatusCode.STATUS_CODE_ERROR, failed.statusCode());
        assertEquals("java.lang.IllegalStateException", failed.stringAttr("error.type"));
        assertEquals("java.lang.IllegalStateException", failed.eventAttr("exception", "exception.type"));
        assertEquals("the smoke test asked for a failure", failed.eventAttr("exception", "exception.message"));

        // async: the handler returns a CompletableFuture; the span ends when Spring completes the request
        HttpResponse<String> later = get(base, "/shop/later/3");
        assertEquals(200, later.statusCode());
        assertEquals("later 3", later.body());
        ReceivedSpan async = otlp.awaitSpan(server("/shop/later/3"));
        assertEquals("GET /shop/later/{id}", async.name());
        assertEquals("/shop/later/{id}", async.stringAttr("http.route"));
        // the handler's supplyAsync task runs on the common pool, under the request's span, with its query
        ReceivedSpan asyncFind = otlp.awaitSpan(named("Items.find").and(childOf(async)));
        assertEquals(async.traceId(), asyncFind.traceId());
        otlp.awaitSpan(s -> s.kind() == SpanKind.SPAN_KIND_CLIENT && childOf(asyncFind).test(s));

        // no handler: Spring's resource handler matched, with its own pattern
        assertEquals(404, get(base, "/shop/nothing-here").statusCode());
        ReceivedSpan missing = otlp.awaitSpan(server("/shop/nothing-here"));
        assertEquals(404L, missing.longAttr("http.response.status_code"));
        assertNull(missing.attr("error.type"), "4xx is not a server error");
        assertEquals("/shop/**", missing.stringAttr("http.route"));

        // a functional endpoint (RouterFunction): Spring leaves its pattern in the same attribute
        assertEquals("stock of abc", get(base, "/shop/stock/abc").body());
        ReceivedSpan stock = otlp.awaitSpan(server("/shop/stock/abc"));
        assertEquals("GET /shop/stock/{sku}", stock.name());
        assertEquals("/shop/stock/{sku}", stock.stringAttr("http.route"));

        // JAX-RS beside Spring MVC: Jersey's servlet under /api/*; each resource method's template is the route
        HttpResponse<String> order = get(base, "/shop/api/orders/42");
        assertEquals(200, order.statusCode(), order.body());
        assertEquals("order 42", order.body());
        ReceivedSpan orderSpan = otlp.awaitSpan(server("/shop/api/orders/42"));
        assertEquals("GET /shop/api/orders/{id}", orderSpan.name(), "the template, without its regular expression");
        assertEquals("/shop/api/orders/{id}", orderSpan.stringAttr("http.route"));
        assertEquals("orders", get(base, "/shop/api/orders").body());
        assertEquals("/shop/api/orders", otlp.awaitSpan(server("/shop/api/orders")).stringAttr("http.route"));
        HttpResponse<String> cancel = HTTP.send(HttpRequest.newBuilder(base.resolve("/shop/api/orders/42/cancel"))
            .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(500, cancel.statusCode());
        ReceivedSpan cancelled = otlp.awaitSpan(server("/shop/api/orders/42/cancel"));
        assertEquals("POST /shop/api/orders/{id}/cancel", cancelled.name());
        assertEquals(StatusCode.STATUS_CODE_ERROR, cancelled.statusCode());
        // a sub-resource locator starts the template, the method of what it returns ends it
        assertEquals("lines of 42", get(base, "/shop/api/orders/42/lines").body());
        assertEquals("/shop/api/orders/{id}/lines", otlp.awaitSpan(server("/shop/api/orders/42/lines")).stringAttr("http.route"));
        assertEquals("line 3 of 42", get(base, "/shop/api/orders/42/lines/3").body());
        ReceivedSpan line = otlp.awaitSpan(server("/shop/api/orders/42/lines/3"));
        assertEquals("GET /shop/api/orders/{id}/lines/{line}", line.name());
        // a locator whose path matches but whose sub-resource has no method for it: 404, and the servlet's route
        assertEquals(404, get(base, "/shop/api/orders/42/lines/x").statusCode());
        assertEquals("/shop/api/*", otlp.awaitSpan(server("/shop/api/orders/42/lines/x")).stringAttr("http.route"),
            "a locator chain no resource method ended names no route");
        // a class implementing an annotated interface: woven again once the interface is seen, a moment after it loads
        ReceivedSpan product = awaitInheritedRoute(base, otlp);
        assertEquals("GET /shop/api/catalog/{code}", product.name(), "the interface's class and method paths");

        ReceivedMetric duration = otlp.awaitMetric(m -> m.name().equals("http.server.request.duration")
            && routes(m).containsAll(List.of("/shop/items/{id}", "/shop/fail", "/shop/later/{id}", "/shop/api/orders/{id}",
                "/shop/api/orders/{id}/cancel")));
        HistogramPointView failures = duration.histogramPoints().stream()
            .filter(p -> "/shop/fail".equals(p.attr("http.route"))).findFirst().orElseThrow();
        assertEquals("java.lang.IllegalStateException", failures.attr("error.type"));
        assertEquals(500L, failures.attr("http.response.status_code"));

        // Spring Boot's error page is an error dispatch of the same request: still one server span each
        for (String path : List.of("/shop/items/7", "/shop/fail", "/shop/later/3", "/shop/nothing-here")) {
          assertEquals(1, otlp.spans().stream().filter(server(path)).count(), "server spans for " + path);
        }
        assertTrue(otlp.spans().stream().noneMatch(s -> String.valueOf(s.attr("db.query.text")).contains("secret")));
        assertFalse(app.output().contains("[weft] internal error"), "agent errors in the application's output");
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\n" + app.describe(), e);
      }
    }
  }

  /**
   * The same service with {@code spring.threads.virtual.enabled=true}, as Spring Boot users on JDK 21+ run it: Tomcat hands
   * each request to a virtual thread of its own ({@code tomcat-handler-N}), and many of them take turns on the same few carrier
   * threads. Requests sent at once must each stay a trace of their own, with the configured method and the query under their
   * own server span, the handler's log line naming that span, and every request counted once in the HTTP and method metrics
   * (recorded from threads that come and go, so through the histograms' shared stripes).
   */
  @org.junit.jupiter.api.Test
  void requestsOnVirtualThreadsEachKeepTheirOwnTrace() throws Exception {
    Optional<Jdk> jdk = Jdks.all().filter(j -> Integer.parseInt(j.name()) >= 21).findFirst();
    assumeTrue(jdk.isPresent(), "virtual threads need a JDK 21 or later; none is configured");
    JdbcSmokeIT.requireServer(JdbcSmokeIT.POSTGRESQL);
    int requests = 24;
    try (OtlpReceiver otlp = OtlpReceiver.start().withTimeout(Duration.ofSeconds(30));
        ChildJvm app = ChildJvm.withAgent(jdk.get(), otlp)
            .env("OTEL_SERVICE_NAME", "shop")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.boot.Items[find]")
            .property("spring.threads.virtual.enabled", "true")
            .property("logging.pattern.console", "LOG %msg trace=%X{trace_id} span=%X{span_id} thread=%thread%n")
            .startJar(appJar())) {
      URI base = awaitReady(app);
      try {
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int id = 1; id <= requests; id++) {
          sent.add(HTTP.sendAsync(HttpRequest.newBuilder(base.resolve("/shop/items/" + id)).timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString()));
        }
        Set<String> traces = new HashSet<>();
        for (int id = 1; id <= requests; id++) {
          HttpResponse<String> answer = sent.get(id - 1).get(60, TimeUnit.SECONDS);
          assertEquals(200, answer.statusCode(), answer.body());
          assertTrue(answer.body().contains("\"id\":" + id + ","), answer.body());
          ReceivedSpan server = otlp.awaitSpan(server("/shop/items/" + id));
          assertTrue(server.isRoot(), "request " + id + " continues no other request's trace");
          assertEquals("GET /shop/items/{id}", server.name());
          ReceivedSpan find = otlp.awaitSpan(named("Items.find").and(childOf(server)));
          ReceivedSpan select = otlp.awaitSpan(s -> s.kind() == SpanKind.SPAN_KIND_CLIENT && childOf(find).test(s));
          assertEquals("SELECT CAST(? AS integer) AS id, ? AS name", select.stringAttr("db.query.text"));
          String prefix = "LOG item " + id + " trace=" + server.traceId() + " span=" + server.spanId() + " thread=";
          List<String> logged = app.output().lines().filter(line -> line.startsWith(prefix)).collect(Collectors.toList());
          assertEquals(1, logged.size(), "the handler's line for request " + id + ", naming its own span: " + logged);
          assertTrue(logged.get(0).substring(prefix.length()).startsWith("tomcat-handler-"),
              "handled on one of Tomcat's virtual threads: " + logged.get(0));
          traces.add(server.traceId());
        }
        assertEquals(requests, traces.size(), "a trace per request");
        assertEquals(requests, otlp.spans().stream().filter(named("Items.find")).count(), "one method span per request");

        // cumulative histograms: the export that has seen every request counts each once, no more
        ReceivedMetric duration = otlp.awaitMetric(m -> m.name().equals("http.server.request.duration")
            && m.histogramPoints().stream().anyMatch(p -> "/shop/items/{id}".equals(p.attr("http.route")) && p.count() >= requests));
        assertEquals(requests, duration.histogramPoints().stream().filter(p -> "/shop/items/{id}".equals(p.attr("http.route")))
            .mapToLong(HistogramPointView::count).sum());
        ReceivedMetric method = otlp.awaitMetric(m -> m.name().equals("weft.method.duration")
            && m.histogramPoints().stream().mapToLong(HistogramPointView::count).sum() >= requests);
        assertEquals(requests, method.histogramPoints().stream()
            .filter(p -> "io.weft.smoke.boot.Items.find".equals(p.attr("code.function.name")))
            .mapToLong(HistogramPointView::count).sum());
        assertFalse(app.output().contains("[weft] internal error"), "agent errors in the application's output");
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\n" + app.describe(), e);
      }
    }
  }

  /**
   * OTEL_INSTRUMENTATION_COMMON_EXPERIMENTAL_CONTROLLER_TELEMETRY_ENABLED (the OpenTelemetry agent's, off by default, as
   * the test above shows: there the configured method is the server span's child): the handler method is an INTERNAL
   * span between the server span and what the handler does, and a failing one says why; with view telemetry, a view's
   * rendering is a span too.
   */
  @org.junit.jupiter.api.Test
  void controllerSpansWhenAskedFor() throws Exception {
    JdbcSmokeIT.requireServer(JdbcSmokeIT.POSTGRESQL);
    try (OtlpReceiver otlp = OtlpReceiver.start().withTimeout(Duration.ofSeconds(30));
        ChildJvm app = ChildJvm.withAgent(Jdks.current(), otlp)
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.boot.Items[find]")
            .env("OTEL_INSTRUMENTATION_COMMON_EXPERIMENTAL_CONTROLLER_TELEMETRY_ENABLED", "true")
            .env("OTEL_INSTRUMENTATION_COMMON_EXPERIMENTAL_VIEW_TELEMETRY_ENABLED", "true")
            .startJar(appJar())) {
      URI base = awaitReady(app);
      try {
        assertEquals(200, get(base, "/shop/items/7").statusCode());
        ReceivedSpan server = otlp.awaitSpan(server("/shop/items/7"));
        ReceivedSpan controller = otlp.awaitSpan(named("ShopController.item").and(childOf(server)));
        assertEquals(SpanKind.SPAN_KIND_INTERNAL, controller.kind());
        assertEquals("io.weft.smoke.boot.ShopController.item", controller.stringAttr("code.function.name"));
        assertEquals("io.weft.servlet", controller.scopeName());
        assertEquals(StatusCode.STATUS_CODE_UNSET, controller.statusCode());
        otlp.awaitSpan(named("Items.find").and(childOf(controller)));

        assertEquals(500, get(base, "/shop/fail").statusCode());
        ReceivedSpan failedServer = otlp.awaitSpan(server("/shop/fail"));
        ReceivedSpan failed = otlp.awaitSpan(named("ShopController.fail").and(childOf(failedServer)));
        assertEquals(StatusCode.STATUS_CODE_ERROR, failed.statusCode());
        assertEquals("java.lang.IllegalStateException", failed.stringAttr("error.type"));
        assertEquals("the smoke test asked for a failure", failed.eventAttr("exception", "exception.message"));
        // a handler that names a view: the rendering is a span of its own, after the handler's, under the server span
        HttpResponse<String> page = get(base, "/shop/page");
        assertEquals(200, page.statusCode());
        assertEquals("greeting page", page.body());
        ReceivedSpan pageServer = otlp.awaitSpan(server("/shop/page"));
        assertEquals("GET /shop/page", pageServer.name());
        ReceivedSpan pageController = otlp.awaitSpan(named("PageController.page").and(childOf(pageServer)));
        ReceivedSpan render = otlp.awaitSpan(named("Render greeting").and(childOf(pageServer)));
        assertEquals(SpanKind.SPAN_KIND_INTERNAL, render.kind());
        assertTrue(render.startEpochNanos() >= pageController.endEpochNanos(), "rendered after the handler returned");
        assertEquals(1, otlp.spans().stream().filter(named("ShopController.item")).count(), "one per handled request");
        // a JAX-RS resource method is a controller span too, and keeps its route
        assertEquals(200, get(base, "/shop/api/orders/42").statusCode());
        ReceivedSpan orderServer = otlp.awaitSpan(server("/shop/api/orders/42"));
        assertEquals("GET /shop/api/orders/{id}", orderServer.name());
        ReceivedSpan resource = otlp.awaitSpan(named("OrderResource.order").and(childOf(orderServer)));
        assertEquals(SpanKind.SPAN_KIND_INTERNAL, resource.kind());
        assertEquals("io.weft.smoke.boot.OrderResource.order", resource.stringAttr("code.function.name"));
        HttpResponse<String> cancel = HTTP.send(HttpRequest.newBuilder(base.resolve("/shop/api/orders/42/cancel"))
            .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(500, cancel.statusCode());
        ReceivedSpan cancelled = otlp.awaitSpan(named("OrderResource.cancel").and(childOf(otlp.awaitSpan(server("/shop/api/orders/42/cancel")))));
        assertEquals(StatusCode.STATUS_CODE_ERROR, cancelled.statusCode());
        assertEquals("java.lang.IllegalStateException", cancelled.stringAttr("error.type"));
        assertEquals("order 42 cannot be cancelled", cancelled.eventAttr("exception", "exception.message"));
        // a sub-resource locator is a span too, and so is the method of what it returns: siblings under the server span
        assertEquals("line 3 of 42", get(base, "/shop/api/orders/42/lines/3").body());
        ReceivedSpan lineServer = otlp.awaitSpan(server("/shop/api/orders/42/lines/3"));
        assertEquals("GET /shop/api/orders/{id}/lines/{line}", lineServer.name());
        ReceivedSpan locator = otlp.awaitSpan(named("OrderResource.lines").and(childOf(lineServer)));
        assertEquals("io.weft.smoke.boot.OrderResource.lines", locator.stringAttr("code.function.name"));
        ReceivedSpan located = otlp.awaitSpan(named("OrderResource$Lines.one").and(childOf(lineServer)));
        assertTrue(located.startEpochNanos() >= locator.endEpochNanos(), "Jersey calls the located object's method after the locator returned");
        // an implementation of an annotated interface: its methods are the controller spans
        ReceivedSpan productServer = awaitInheritedRoute(base, otlp);
        ReceivedSpan productResource = otlp.awaitSpan(named("CatalogResource.product").and(childOf(productServer)));
        assertEquals("io.weft.smoke.boot.CatalogResource.product", productResource.stringAttr("code.function.name"));
        HttpResponse<String> remove = HTTP.send(HttpRequest.newBuilder(base.resolve("/shop/api/catalog/pen"))
            .DELETE().timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(500, remove.statusCode());
        ReceivedSpan removeServer = otlp.awaitSpan(server("/shop/api/catalog/pen").and(s -> s.name().startsWith("DELETE")));
        assertEquals("DELETE /shop/api/catalog/{code}", removeServer.name());
        ReceivedSpan removed = otlp.awaitSpan(named("CatalogResource.remove").and(childOf(removeServer)));
        assertEquals("java.lang.UnsupportedOperationException", removed.stringAttr("error.type"));
        assertFalse(app.output().contains("[weft] internal error"), "agent errors in the application's output");
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\n" + app.describe(), e);
      }
    }
  }

  /**
   * An operator attaches the agent to a service that is already up and has served requests ({@code jcmd <pid>
   * JVMTI.agent_load}, which loads it as {@code VirtualMachine.loadAgent} does): everything the requests need was loaded before the agent came
   * (Spring's dispatcher, Jersey and its resources, HikariCP's and PostgreSQL's statements, Logback), so each is woven by
   * retransforming it. From then on a request is traced as with {@code -javaagent}: the route, the configured method and the
   * query nested under it, the handler's log line as a record of the same span, the JAX-RS templates, also the one an
   * implementation inherits from its interface; what ran before the attach left nothing. The settings are the agent's
   * arguments, and come before the service's own variables.
   */
  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void attachingToARunningServiceTracesWhatItLoadedBefore(Jdk jdk) throws Exception {
    JdbcSmokeIT.requireServer(JdbcSmokeIT.POSTGRESQL);
    try (OtlpReceiver otlp = OtlpReceiver.start().withTimeout(Duration.ofSeconds(30));
        ChildJvm app = ChildJvm.withoutAgent(jdk).env("OTEL_SERVICE_NAME", "set-when-it-started").startJar(appJar())) {
      URI base = awaitReady(app);
      try {
        // before: every path the checks below take, so that each class they need is loaded (and, by the JIT, compiled)
        for (String path : List.of("/shop/items/5", "/shop/api/orders/41", "/shop/api/catalog/ink")) {
          assertEquals(200, get(base, path).statusCode(), path);
        }
        // the service's own settings were fixed when it started: the operator gives the agent's as its arguments, with the
        // command the README shows (jcmd splits an argument at '=' unless it is quoted inside the command)
        String settings = "otel.exporter.otlp.endpoint=" + otlp.httpEndpoint()
            + ",otel.service.name=shop,otel.resource.attributes=deployment.environment.name=attach-test,team=shop"
            + ",otel.bsp.schedule.delay=100,otel.instrumentation.methods.include=io.weft.smoke.boot.Items[find]";
        loadAgent(jdk, app, settings);
        app.awaitOutput("started (attached)", Duration.ofSeconds(30));

        HttpResponse<String> item = get(base, "/shop/items/7");
        assertEquals(200, item.statusCode(), item.body());
        ReceivedSpan server = otlp.awaitSpan(server("/shop/items/7"));
        assertEquals("GET /shop/items/{id}", server.name());
        assertEquals("/shop/items/{id}", server.stringAttr("http.route"));
        assertEquals("shop", server.serviceName(), "the agent's arguments come before the service's own variables");
        assertEquals("attach-test", server.resourceAttr("deployment.environment.name"));
        assertEquals("shop", server.resourceAttr("team"));
        ReceivedSpan find = otlp.awaitSpan(named("Items.find").and(childOf(server)));
        ReceivedSpan select = otlp.awaitSpan(s -> s.kind() == SpanKind.SPAN_KIND_CLIENT && childOf(find).test(s));
        assertEquals("postgresql", select.stringAttr("db.system.name"));
        assertEquals("SELECT CAST(? AS integer) AS id, ? AS name", select.stringAttr("db.query.text"));
        ReceivedLog itemLog = otlp.awaitLog(LogMatchers.bodyContains("item 7"));
        assertEquals(server.spanId(), itemLog.spanId(), "Logback, loaded before the attach, logs records of the current span");

        assertEquals("order 42", get(base, "/shop/api/orders/42").body());
        assertEquals("/shop/api/orders/{id}", otlp.awaitSpan(server("/shop/api/orders/42")).stringAttr("http.route"));
        // the implementation was loaded before its interface was ever seen by the agent: both come from retransforming
        assertEquals("GET /shop/api/catalog/{code}", awaitInheritedRoute(base, otlp).name());

        // attached again (the operator forgot, or wants other settings): one line, and the running agent goes on as it was
        loadAgent(jdk, app, "otel.service.name=other");
        app.awaitOutput("[weft] Weft is already running in this JVM (-javaagent, or an earlier attach): this attach is ignored", Duration.ofSeconds(30));
        assertEquals(200, get(base, "/shop/items/9").statusCode());
        assertEquals("shop", otlp.awaitSpan(server("/shop/items/9")).serviceName());
        assertEquals(1, app.output().lines().filter(l -> l.contains(" started (attached)")).count(), "one agent");

        assertTrue(otlp.spans().stream().noneMatch(s -> String.valueOf(s.attr("url.path")).matches("/shop/(items/5|api/orders/41|api/catalog/ink)")),
            "requests before the attach left nothing");
        assertTrue(otlp.logs().stream().noneMatch(l -> l.body().contains("item 5")), "nor did their log lines");
        assertEquals(1, otlp.spans().stream().filter(server("/shop/items/7")).count(), "one server span for one request");
        assertFalse(app.output().contains("[weft] internal error"), "agent errors in the application's output");
        assertTrue(app.isAlive(), "the service runs on");
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\n" + app.describe(), e);
      }
    }
  }

  /** {@code jcmd <pid> JVMTI.agent_load <agent jar> "<settings>"} with the child's own JDK, as the README shows. */
  private static void loadAgent(Jdk jdk, ChildJvm app, String settings) throws IOException, InterruptedException {
    Process jcmd = new ProcessBuilder(jdk.home().resolve("bin/jcmd").toString(), String.valueOf(app.pid()), "JVMTI.agent_load",
        ChildJvm.agentJar().toString(), "\"" + settings + "\"").redirectErrorStream(true).start();
    String said = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(jcmd.waitFor(60, TimeUnit.SECONDS), "jcmd did not end");
    assertTrue(said.contains("return code: 0"), said);
  }

  /**
   * Requests {@code /shop/api/catalog/pen} until its server span has the interface's template, within 10 s: the implementation
   * is woven again off the application's threads, a moment after Jersey loads it; before that a request keeps the servlet's
   * route, never a wrong one. The span with the template.
   */
  private static ReceivedSpan awaitInheritedRoute(URI base, OtlpReceiver otlp) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      int before = (int) otlp.spans().stream().filter(server("/shop/api/catalog/pen")).count();
      HttpResponse<String> product = get(base, "/shop/api/catalog/pen");
      assertEquals("product pen", product.body());
      List<ReceivedSpan> spans = otlp.awaitSpans(server("/shop/api/catalog/pen"), before + 1);
      ReceivedSpan span = spans.get(spans.size() - 1);
      if ("/shop/api/catalog/{code}".equals(span.stringAttr("http.route"))) {
        return span;
      }
      assertEquals("/shop/api/*", span.stringAttr("http.route"), "before it is woven again: the servlet's route");
      assertTrue(System.nanoTime() < deadline, "the implementation was not woven again within 10 s");
    }
  }

  /** Waits for the application's {@code READY <port>} line; the address it answers on. */
  private static URI awaitReady(ChildJvm app) {
    String ready = app.awaitOutput("READY ", Duration.ofSeconds(90)).output();
    int at = ready.indexOf("READY ") + 6;
    return URI.create("http://127.0.0.1:" + ready.substring(at, ready.indexOf('\n', at)).trim());
  }

  private static Path appJar() {
    Path jar = Path.of(System.getProperty("weft.smoke.spring-boot-app",
        "spring-boot-app/target/spring-boot-app.jar")).toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no Spring Boot application at " + jar + ": the build packages it before this module");
    }
    return jar;
  }

  private static Predicate<ReceivedSpan> server(String path) {
    return s -> s.kind() == SpanKind.SPAN_KIND_SERVER && path.equals(s.stringAttr("url.path"));
  }

  private static List<Object> routes(ReceivedMetric metric) {
    return metric.histogramPoints().stream().map(p -> p.attr("http.route")).collect(Collectors.toList());
  }

  private static HttpResponse<String> get(URI base, String path, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
