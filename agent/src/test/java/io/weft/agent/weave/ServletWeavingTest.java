package io.weft.agent.weave;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.weft.agent.config.WeftConfig;
import io.weft.bridge.ServletBridge;
import io.weft.instrumentation.servlet.ServletInstrumentation;
import io.weft.instrumentation.trace.SamplingPolicy;
import io.weft.instrumentation.trace.SpanPipeline;
import io.weft.instrumentation.trace.TelemetryResource;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import servletfixtures.FakeExchange;
import servletfixtures.JakartaFixtures;
import servletfixtures.JavaxFixtures;

/**
 * Weaves the servlet instrumentation into fixture servlets and filters in this JVM with the real
 * {@link Installer}, drives them with fake requests and reads what the in-memory SDK received. The
 * advice is resolved through a loader that hides both servlet APIs, as the agent's loader does.
 */
class ServletWeavingTest {

  private static final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private static final InMemoryMetricReader metrics = InMemoryMetricReader.create();

  @BeforeAll
  static void weave() {
    Instrumentation inst = ByteBuddyAgent.install();
    List<String> warnings = new ArrayList<>();
    WeftConfig config =
        new WeftConfig(
            Map.of(
                "otel.instrumentation.http.server.capture-request-headers", "X-Tenant,Authorization",
                "otel.instrumentation.http.server.capture-response-headers", "x-served-by,set-cookie",
                "weft.http.sensitive.query.parameters", "ticket",
                "otel.instrumentation.http.server.emit-experimental-telemetry", "true", // active requests; off: the smoke ITs
                "otel.javaagent.debug", "true"),
            Map.of(),
            line -> {
              System.err.println(line);
              if (!line.startsWith("woven ")) {
                warnings.add(line);
              }
            });
    ServletInstrumentation servlet = new ServletInstrumentation();
    new Installer(config, new ServletApiHidingLoader(ServletWeavingTest.class.getClassLoader()))
        .install(inst, servlet.typeInstrumentations(config), Map.of(), () -> {});
    SpanProcessor processor = SimpleSpanProcessor.create(spans);
    OpenTelemetrySdk sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(processor).build())
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    servlet.start(
        sdk,
        new SpanPipeline(SamplingPolicy.of("parentbased_always_on", 1.0), processor, new TelemetryResource(Resource.getDefault().getAttributes()), SpanLimits.getDefault()),
        config);
    assertTrue(warnings.isEmpty(), warnings.toString());
  }

  @AfterEach
  void reset() {
    spans.reset();
  }

  @Test
  void filtersAndForwardGiveOneServerSpanNamedByRoute() throws Exception {
    FakeExchange x = new FakeExchange("javax.servlet").header("User-Agent", "curl/8").header("X-Tenant", "acme")
        .header("Authorization", "Bearer s3cret");
    x.query = "q=1&ticket=abc&password=pw";
    JavaxFixtures.PassFilter outer = new JavaxFixtures.PassFilter();
    JavaxFixtures.PassFilter inner = new JavaxFixtures.PassFilter();
    JavaxFixtures.ForwardingServlet servlet = new JavaxFixtures.ForwardingServlet();
    outer.doFilter((javax.servlet.ServletRequest) x.request, (javax.servlet.ServletResponse) x.response,
        (rq, rs) -> inner.doFilter(rq, rs, servlet::service));

    SpanData span = onlySpan();
    assertEquals("GET /ctx/hello/*", span.getName());
    assertEquals(SpanKind.SERVER, span.getKind());
    assertEquals("GET", attr(span, "http.request.method"));
    assertEquals("/ctx/hello/*", attr(span, "http.route"));
    assertEquals("/ctx/hello/x", attr(span, "url.path"));
    assertEquals("q=1&ticket=REDACTED&password=REDACTED", attr(span, "url.query"));
    assertEquals("http", attr(span, "url.scheme"));
    assertEquals("localhost", attr(span, "server.address"));
    assertEquals(8080L, span.getAttributes().get(AttributeKey.longKey("server.port")));
    assertEquals("10.0.0.1", attr(span, "client.address"));
    assertEquals("curl/8", attr(span, "user_agent.original"));
    assertEquals("1.1", attr(span, "network.protocol.version"));
    assertEquals(200L, span.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
    assertEquals(List.of("acme"), span.getAttributes().get(AttributeKey.stringArrayKey("http.request.header.x-tenant")));
    assertEquals(List.of("REDACTED"), span.getAttributes().get(AttributeKey.stringArrayKey("http.request.header.authorization")));
    assertEquals(List.of("hello"), span.getAttributes().get(AttributeKey.stringArrayKey("http.response.header.x-served-by")));
    assertEquals(List.of("REDACTED"), span.getAttributes().get(AttributeKey.stringArrayKey("http.response.header.set-cookie")));
    assertEquals(StatusCode.UNSET, span.getStatus().getStatusCode());
  }

  @Test
  void exceptionPassesUnchangedAndMarksTheSpan() {
    FakeExchange x = new FakeExchange("javax.servlet");
    JavaxFixtures.FailingServlet servlet = new JavaxFixtures.FailingServlet();
    IllegalStateException thrown = assertThrows(IllegalStateException.class,
        () -> servlet.service((javax.servlet.ServletRequest) x.request, (javax.servlet.ServletResponse) x.response));
    assertSame(JavaxFixtures.FailingServlet.FAILURE, thrown);
    SpanData span = onlySpan();
    assertEquals(StatusCode.ERROR, span.getStatus().getStatusCode());
    assertEquals(500L, span.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
    assertEquals("java.lang.IllegalStateException", attr(span, "error.type"));
    assertEquals("exception", span.getEvents().get(0).getName());
  }

  @Test
  void clientErrorIsNotAServerError() throws Exception {
    FakeExchange x = new FakeExchange("javax.servlet");
    x.status = 404;
    x.pattern = null;
    x.method = "BREW";
    new JavaxFixtures.PassFilter().doFilter((javax.servlet.ServletRequest) x.request,
        (javax.servlet.ServletResponse) x.response, (rq, rs) -> {});
    SpanData span = onlySpan();
    assertEquals("HTTP", span.getName());
    assertEquals("_OTHER", attr(span, "http.request.method"));
    assertEquals("BREW", attr(span, "http.request.method_original"));
    assertNull(attr(span, "http.route"));
    assertEquals(StatusCode.UNSET, span.getStatus().getStatusCode());
    assertNull(attr(span, "error.type"));
  }

  @Test
  void incomingTraceparentIsContinued() throws Exception {
    FakeExchange x = new FakeExchange("javax.servlet")
        .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    new JavaxFixtures.HelloServlet().service((javax.servlet.ServletRequest) x.request, (javax.servlet.ServletResponse) x.response);
    SpanData span = onlySpan();
    assertEquals("0af7651916cd43dd8448eb211c80319c", span.getTraceId());
    assertEquals("b7ad6b7169203331", span.getParentSpanId());
  }

  @Test
  void asyncRequestEndsWhenTheAsyncCycleCompletes() throws Exception {
    FakeExchange x = new FakeExchange("javax.servlet");
    x.asyncContext = new JavaxFixtures.ThreadAsyncContext(x);
    x.asyncStarted = true;
    new JavaxFixtures.StartingServlet().service((javax.servlet.ServletRequest) x.request, (javax.servlet.ServletResponse) x.response);
    assertTrue(spans.getFinishedSpanItems().isEmpty(), "ended before the async cycle completed");
    assertEquals(1, x.listeners.size());
    assertNotNull(x.attributes.get("io.weft.servlet.ServerRequest"));

    // an async dispatch of the same request: no second span
    x.dispatcherType = "ASYNC";
    x.asyncStarted = false;
    new JavaxFixtures.HelloServlet().service((javax.servlet.ServletRequest) x.request, (javax.servlet.ServletResponse) x.response);
    assertTrue(spans.getFinishedSpanItems().isEmpty());

    x.status = 503;
    Object listener = x.listeners.get(0);
    Method onComplete = Class.forName("javax.servlet.AsyncListener").getMethod("onComplete", Class.forName("javax.servlet.AsyncEvent"));
    onComplete.invoke(listener, x.asyncEvent(null));
    onComplete.invoke(listener, x.asyncEvent(null)); // a second completion ends nothing

    SpanData span = onlySpan();
    assertEquals(503L, span.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
    assertEquals(StatusCode.ERROR, span.getStatus().getStatusCode());
    assertEquals("503", attr(span, "error.type"));
    assertEquals(span.getSpanContext(), JavaxFixtures.StartingServlet.SEEN.get(), "AsyncContext.start task ran in the request's context");
  }

  @Test
  void jakartaFilterChainGivesOneSpan() throws Exception {
    FakeExchange x = new FakeExchange("jakarta.servlet");
    x.contextPath = "";
    x.pattern = "*.do";
    JakartaFixtures.PassFilter filter = new JakartaFixtures.PassFilter();
    JakartaFixtures.ForwardingServlet servlet = new JakartaFixtures.ForwardingServlet();
    x.method = "GET";
    filter.doFilter((jakarta.servlet.ServletRequest) x.request, (jakarta.servlet.ServletResponse) x.response, servlet::service);
    SpanData span = onlySpan();
    assertEquals("GET /*.do", span.getName());
    assertEquals(200L, span.getAttributes().get(AttributeKey.longKey("http.response.status_code")));

    spans.reset();
    FakeExchange y = new FakeExchange("jakarta.servlet");
    y.asyncContext = new JakartaFixtures.ThreadAsyncContext(y);
    new JakartaFixtures.StartingServlet().service((jakarta.servlet.ServletRequest) y.request, (jakarta.servlet.ServletResponse) y.response);
    assertEquals(onlySpan().getSpanContext(), JakartaFixtures.StartingServlet.SEEN.get());
  }

  @Test
  void metricsCarryTheHttpAttributes() throws Exception {
    FakeExchange x = new FakeExchange("javax.servlet");
    new JavaxFixtures.HelloServlet().service((javax.servlet.ServletRequest) x.request, (javax.servlet.ServletResponse) x.response);
    Map<String, MetricData> byName =
        metrics.collectAllMetrics().stream().collect(Collectors.toMap(MetricData::getName, m -> m, (a, b) -> a));
    MetricData duration = byName.get("http.server.request.duration");
    assertNotNull(duration, byName.keySet().toString());
    assertEquals("s", duration.getUnit());
    assertTrue(duration.getHistogramData().getPoints().stream().anyMatch(p ->
        "/ctx/hello/*".equals(p.getAttributes().get(AttributeKey.stringKey("http.route")))
            && Long.valueOf(200).equals(p.getAttributes().get(AttributeKey.longKey("http.response.status_code")))
            && "GET".equals(p.getAttributes().get(AttributeKey.stringKey("http.request.method")))
            && "http".equals(p.getAttributes().get(AttributeKey.stringKey("url.scheme")))
            && "1.1".equals(p.getAttributes().get(AttributeKey.stringKey("network.protocol.version")))
            && p.getBoundaries().size() == 14));
    MetricData active = byName.get("http.server.active_requests");
    assertNotNull(active);
    assertTrue(active.getLongSumData().getPoints().stream().anyMatch(p ->
        p.getAttributes().size() == 2 && "GET".equals(p.getAttributes().get(AttributeKey.stringKey("http.request.method")))));
  }

  @Test
  void tasksOutsideARequestAreNotWrapped() {
    Runnable task = () -> {};
    assertSame(task, ServletBridge.wrap(task));
  }

  private static SpanData onlySpan() {
    List<SpanData> finished = spans.getFinishedSpanItems();
    assertEquals(1, finished.size(), finished.toString());
    return finished.get(0);
  }

  private static String attr(SpanData span, String key) {
    return span.getAttributes().get(AttributeKey.stringKey(key));
  }

  /** Stands in for the agent's loader: everything but the servlet APIs. */
  private static final class ServletApiHidingLoader extends ClassLoader {
    ServletApiHidingLoader(ClassLoader parent) {
      super(parent);
    }

    private static boolean hidden(String name) {
      return name.startsWith("javax.servlet") || name.startsWith("jakarta.servlet")
          || name.startsWith("javax/servlet") || name.startsWith("jakarta/servlet");
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (hidden(name)) {
        throw new ClassNotFoundException(name);
      }
      return super.loadClass(name, resolve);
    }

    @Override
    public URL getResource(String name) {
      return hidden(name) ? null : super.getResource(name);
    }

    @Override
    public InputStream getResourceAsStream(String name) {
      return hidden(name) ? null : super.getResourceAsStream(name);
    }
  }
}
