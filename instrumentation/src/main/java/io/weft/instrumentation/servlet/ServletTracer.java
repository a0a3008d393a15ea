package io.weft.instrumentation.servlet;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.weft.bridge.ServletBridge;
import io.weft.instrumentation.FaultInjection;
import io.weft.instrumentation.InternalErrors;
import io.weft.instrumentation.trace.ExceptionSignal;
import io.weft.instrumentation.trace.LeanSpan;
import io.weft.instrumentation.trace.LeanTracer;
import io.weft.instrumentation.trace.SpanHistogram;
import io.weft.instrumentation.trace.SpanPipeline;
import io.weft.instrumentation.trace.SpanScope;
import io.weft.instrumentation.trace.WeftContextStorage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent-side half of servlet tracing: on the outermost filter or servlet entry of a request it
 * extracts the caller's context, starts the SERVER span and makes it current; on exit, or when the
 * async cycle completes, it records status and error, ends the span and records the HTTP server
 * metrics. Installed behind {@link ServletBridge}; never throws. Agent class loader.
 */
final class ServletTracer implements ServletBridge.Handler {

  static final String INSTRUMENTATION_SCOPE = "io.weft.servlet";
  static final String DURATION_METRIC = "http.server.request.duration";
  static final String ACTIVE_METRIC = "http.server.active_requests";
  static final String REQUEST_BODY_METRIC = "http.server.request.body.size";
  static final String RESPONSE_BODY_METRIC = "http.server.response.body.size";
  static final List<Double> DURATION_BUCKETS =
      Arrays.asList(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0);

  /** Marks a context as inside a traced request: nested entries see it and step aside. */
  static final ContextKey<ServerRequest> REQUEST_KEY = ContextKey.named("weft-servlet-request");

  /**
   * The request attribute where Spring MVC's {@code DispatcherServlet} leaves the pattern of the handler it chose
   * ({@code HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE}): read at the end of a request whose servlet route
   * covers many paths, it makes the route {@code /orders/{id}} rather than {@code /*}.
   */
  static final String SPRING_MVC_PATTERN = "org.springframework.web.servlet.HandlerMapping.bestMatchingPattern";

  /** The request attribute an async request carries, so async and error dispatches find their span. */
  static final String REQUEST_ATTRIBUTE = "io.weft.servlet.ServerRequest";

  static final AttributeKey<String> HTTP_REQUEST_METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> HTTP_REQUEST_METHOD_ORIGINAL = AttributeKey.stringKey("http.request.method_original");
  static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
  static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<String> URL_QUERY = AttributeKey.stringKey("url.query");
  static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
  static final AttributeKey<String> USER_AGENT = AttributeKey.stringKey("user_agent.original");
  static final AttributeKey<String> PROTOCOL_VERSION = AttributeKey.stringKey("network.protocol.version");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<Long> SERVLET_TIMEOUT = AttributeKey.longKey("servlet.timeout");
  static final AttributeKey<Long> REQUEST_BODY_SIZE = AttributeKey.longKey("http.request.body.size");
  static final AttributeKey<Long> RESPONSE_BODY_SIZE = AttributeKey.longKey("http.response.body.size");

  /** What a request appends at most besides captured headers: original method, path, query, server address and
   * port, client address, user agent (method, scheme, route, protocol version, status and error type come shared). */
  static final int EXPECTED_ATTRIBUTES = 7;

  private final LeanTracer tracer;
  /** Controller spans when asked for ({@link ServletSettings#controllerSpans}); null otherwise. */
  private final ControllerSpans controllers;
  /** View spans when asked for ({@link ServletSettings#viewSpans}); null otherwise. */
  private final ControllerSpans views;
  private final TextMapPropagator propagator;
  final DoubleHistogram duration;
  /** Null unless the experimental telemetry is asked for: then two recordings per request. */
  final LongUpDownCounter activeRequests;
  /** Null unless the experimental telemetry is asked for: the bodies' sizes, from their Content-Length headers. */
  private DoubleHistogram requestBodySize;
  private DoubleHistogram responseBodySize;
  private final ServletSettings settings;
  private final RouteCache routes = new RouteCache();
  private final List<AttributeKey<List<String>>> requestHeaderKeys;
  private final List<AttributeKey<List<String>>> responseHeaderKeys;
  private final List<AttributeKey<List<String>>> parameterKeys;
  // http.server.active_requests attributes per method, for http and https: built once each
  private final ConcurrentHashMap<String, Attributes> activeHttp = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Attributes> activeHttps = new ConcurrentHashMap<>();
  private final String[] statusStrings = new String[600];
  // boxed once: a port above 127 set as a Long allocated one per request
  private volatile Long lastPort = 0L;
  static final int MAX_METRIC_ATTRIBUTE_SETS = 4096;
  private final ConcurrentHashMap<String, Attributes> metricAttributeSets = new ConcurrentHashMap<>();
  static final int RECENT_METRIC_SETS = 256; // a power of two
  private final MetricSet[] recentMetricSets = new MetricSet[RECENT_METRIC_SETS];

  ServletTracer(LeanTracer tracer, TextMapPropagator propagator, DoubleHistogram duration, LongUpDownCounter activeRequests,
      ServletSettings settings) {
    this.tracer = tracer;
    this.controllers = settings.controllerSpans ? new ControllerSpans(tracer) : null;
    this.views = settings.viewSpans ? (controllers != null ? controllers : new ControllerSpans(tracer)) : null;
    this.propagator = propagator;
    this.duration = duration;
    this.activeRequests = activeRequests;
    this.settings = settings;
    this.requestHeaderKeys = keys(settings.headers.requestHeaderNames().size(), true);
    this.responseHeaderKeys = keys(settings.headers.responseHeaderNames().size(), false);
    List<AttributeKey<List<String>>> parameters = new ArrayList<>();
    for (String name : settings.parameters) {
      parameters.add(AttributeKey.stringArrayKey(ServletSettings.parameterKey(name)));
    }
    this.parameterKeys = parameters;
  }

  static ServletTracer create(OpenTelemetry openTelemetry, SpanPipeline spans, ServletSettings settings) {
    Meter meter = openTelemetry.getMeter(INSTRUMENTATION_SCOPE);
    DoubleHistogram duration =
        meter
            .histogramBuilder(DURATION_METRIC)
            .setUnit("s")
            .setDescription("Duration of HTTP server requests.")
            .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
            .build();
    // in development in the semantic conventions: only when asked for, as the OpenTelemetry agent does
    LongUpDownCounter active = !settings.experimentalTelemetry ? null
        : meter
            .upDownCounterBuilder(ACTIVE_METRIC)
            .setUnit("{request}")
            .setDescription("Number of active HTTP server requests.")
            .build();
    ServletTracer tracer = new ServletTracer(
        spans.tracer(INSTRUMENTATION_SCOPE, null),
        openTelemetry.getPropagators().getTextMapPropagator(),
        duration,
        active,
        settings);
    if (settings.experimentalTelemetry) {
      tracer.withBodySizes(
          meter.histogramBuilder(REQUEST_BODY_METRIC).setUnit("By").setDescription("Size of HTTP server request bodies.").build(),
          meter.histogramBuilder(RESPONSE_BODY_METRIC).setUnit("By").setDescription("Size of HTTP server response bodies.").build());
    }
    return tracer;
  }

  /** The experimental body-size histograms; called once, before the tracer is installed. */
  ServletTracer withBodySizes(DoubleHistogram request, DoubleHistogram response) {
    this.requestBodySize = request;
    this.responseBodySize = response;
    return this;
  }

  private List<AttributeKey<List<String>>> keys(int count, boolean request) {
    List<AttributeKey<List<String>>> keys = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      keys.add(AttributeKey.stringArrayKey(
          request ? settings.headers.requestAttributeKey(i) : settings.headers.responseAttributeKey(i)));
    }
    return keys;
  }

  @Override
  public Object enter(Object request, Object response) {
    try {
      WeftContextStorage.Slot slot = WeftContextStorage.slot();
      Context current = slot != null ? slot.context() : WeftContextStorage.currentContext();
      if (current.get(REQUEST_KEY) != null) {
        return null; // a filter or servlet inside the request's outermost entry, a forward, an include
      }
      ServletAccessor api = ServletAccessor.forRequest(request);
      if (api == null) {
        return null;
      }
      if (api.dispatcherType(request) != api.requestDispatch) {
        // an async or error dispatch: continue the span of the request, never start a second one
        Object traced = api.attribute(request, REQUEST_ATTRIBUTE);
        return traced instanceof ServerRequest ? ((ServerRequest) traced).resume() : null;
      }
      return start(api, slot, current, request, response);
    } catch (Throwable failure) {
      InternalErrors.report("servlet span start", failure);
      return null;
    }
  }

  private ServerRequest start(ServletAccessor api, WeftContextStorage.Slot slot, Context current, Object request, Object response)
      throws Throwable {
    FaultInjection.spanStart();
    long startNanos = System.nanoTime();
    String rawMethod = api.method(request);
    String method = settings.methods.normalize(rawMethod);
    String scheme = api.scheme(request);
    RouteCache.Route route = routes.route(api.contextPath(request), api.mappingPattern(request));
    String protocolVersion = protocolVersion(api.protocol(request));

    Context parent = propagator.extract(current, request, api);
    LeanSpan lean = tracer.start(route != null ? route.spanName(method) : ServerSpanNaming.spanName(method, null),
        SpanKind.SERVER, Attributes.empty(), parent, startNanos);
    if (lean != null) {
      // only a sampled request's attributes are gathered; appended to the span as they come, never sorted here.
      // Method, scheme, route and protocol version come at the end, with the status, as the set the duration
      // is recorded with (end): one shared object, whose bytes the exporter writes once for all its spans.
      lean.expectAttributes(EXPECTED_ATTRIBUTES + settings.headers.requestHeaderNames().size()
          + settings.headers.responseHeaderNames().size() + parameterKeys.size());
      // each key once, on a span nothing else has written to: no search for an earlier value
      if (method == HttpMethods.OTHER && rawMethod != null) {
        lean.setNewAttribute(HTTP_REQUEST_METHOD_ORIGINAL, rawMethod);
      }
      // a session id in the path (;jsessionid=...) is redacted as in the query
      lean.setNewAttribute(URL_PATH, settings.redactor.redactPath(api.requestUri(request)));
      String query = api.queryString(request);
      if (query != null) {
        lean.setNewAttribute(URL_QUERY, settings.redactor.redact(query));
      }
      String serverName = api.serverName(request);
      if (serverName != null) {
        lean.setNewAttribute(SERVER_ADDRESS, serverName);
        lean.setNewAttribute(SERVER_PORT, port(api.serverPort(request)));
      }
      String client = ClientAddress.resolve(api.header(request, "forwarded"), api.header(request, "x-forwarded-for"),
          api.remoteAddr(request));
      if (client != null) {
        lean.setNewAttribute(CLIENT_ADDRESS, client);
      }
      String userAgent = api.header(request, "user-agent");
      if (userAgent != null) {
        lean.setNewAttribute(USER_AGENT, userAgent);
      }
      List<String> headerNames = settings.headers.requestHeaderNames();
      for (int i = 0; i < headerNames.size(); i++) {
        List<String> values = headerValues(headerNames.get(i), api.headers(request, headerNames.get(i)));
        if (values != null) {
          lean.setAttribute(requestHeaderKeys.get(i), values);
        }
      }
    }
    // not sampled: the caller's context stays current, so everything under this request is not sampled either
    Span span = lean != null ? lean : Span.getInvalid();
    Attributes active = null;
    if (activeRequests != null) {
      active = activeAttributes(method, scheme);
      activeRequests.add(1, active);
    }
    ServerRequest traced =
        new ServerRequest(this, api, request, response, span, method, scheme, route, protocolVersion, active, startNanos);
    traced.ownAttributes = lean != null ? lean.addedCount() : 0;
    traced.scope = slot != null ? SpanScope.makeCurrent(slot, parent, lean, REQUEST_KEY, traced)
        : WeftContextStorage.makeCurrent((lean != null ? parent.with(lean) : parent).with(REQUEST_KEY, traced));
    return traced;
  }

  @Override
  public void route(String template, String ownPath) {
    ServerRequest r = WeftContextStorage.currentContext().get(REQUEST_KEY);
    if (r != null) {
      r.routeTo(template, ownPath);
    }
  }

  @Override
  public void locate(String template, String ownPath) {
    ServerRequest r = WeftContextStorage.currentContext().get(REQUEST_KEY);
    if (r != null) {
      r.locate(template, ownPath);
    }
  }

  @Override
  public Object resource(String template, String ownPath, String function) {
    route(template, ownPath);
    return controllers == null ? null : controllers.startNamed(function);
  }

  @Override
  public Object locator(String template, String ownPath, String function) {
    locate(template, ownPath);
    return controllers == null ? null : controllers.startNamed(function);
  }

  @Override
  public Object controller(Object handler) {
    return controllers == null ? null : controllers.start(handler);
  }

  @Override
  public Object view(Object modelAndView) {
    return views == null ? null : views.startView(modelAndView);
  }

  @Override
  public void controllerExit(Object call, Throwable thrown) {
    ControllerSpans spans = controllers != null ? controllers : views; // the same object when both are on
    if (spans != null) {
      spans.end(call, thrown);
    }
  }

  @Override
  public void exit(Object call, Throwable thrown) {
    try {
      if (call instanceof ServerRequest) {
        ((ServerRequest) call).exit(thrown);
      } else if (call instanceof ServerRequest.Resumed) {
        ((ServerRequest.Resumed) call).exit(thrown);
      }
    } catch (Throwable failure) {
      InternalErrors.report("servlet span end", failure);
    }
  }

  @Override
  public Runnable wrap(Runnable task) {
    try {
      Context current = WeftContextStorage.currentContext();
      return task == null || current.get(REQUEST_KEY) == null ? task : WeftContextStorage.wrap(current, task);
    } catch (Throwable failure) {
      InternalErrors.report("servlet async context", failure);
      return task;
    }
  }

  /**
   * Response headers, error, the attributes the span shares with the duration (method, status, scheme, route,
   * protocol version, error type), end; then the duration and the active count. Called once per request.
   */
  void end(ServerRequest r, int status, Throwable thrown) {
    FaultInjection.spanEnd();
    Span span = r.span;
    LeanSpan lean = span instanceof LeanSpan ? (LeanSpan) span : null;
    // nothing but start set attributes on the span (none of the shared set's): the set can be shared as it is
    boolean onlyOwn = lean != null && lean.addedCount() == r.ownAttributes;
    captureResponseHeaders(r);
    if (lean != null && !parameterKeys.isEmpty()) {
      captureParameters(r);
    }
    long timedOutAfter = r.timedOutAfter;
    if (timedOutAfter >= 0 && settings.experimentalSpanAttributes) {
      span.setAttribute(SERVLET_TIMEOUT, timedOutAfter);
    }
    long requestBytes = -1;
    long responseBytes = -1;
    if (requestBodySize != null) {
      requestBytes = requestBodySize(r);
      responseBytes = responseBodySize(r);
      if (requestBytes >= 0) {
        span.setAttribute(REQUEST_BODY_SIZE, requestBytes);
      }
      if (responseBytes >= 0) {
        span.setAttribute(RESPONSE_BODY_SIZE, responseBytes);
      }
    }
    RouteCache.Route refined = frameworkRoute(r);
    if (refined != null) {
      r.route = refined.route;
      if (lean != null) {
        lean.updateName(refined.spanName(r.method));
      }
    }
    String errorType = null;
    if (thrown != null) {
      thrown = cause(thrown);
      errorType = thrown.getClass().getName();
      ExceptionSignal.record(span, thrown, INSTRUMENTATION_SCOPE, ExceptionSignal.HTTP_SERVER, Severity.ERROR);
      span.setStatus(StatusCode.ERROR);
    } else if (status >= 500) {
      errorType = statusString(status);
      span.setStatus(StatusCode.ERROR); // 4xx is the client's error: unset on a server span
    }
    Attributes common = thrown == null ? metricAttributes(r, status, errorType) : buildMetricAttributes(r, status, errorType);
    if (lean != null) {
      lean.shareAttributes(common, onlyOwn);
    }
    // one clock read for both: the duration recorded is the span's own
    long endNanos = System.nanoTime();
    if (lean != null) {
      lean.endAt(endNanos);
    } else {
      span.end();
    }
    double seconds = (endNanos - r.startNanos) / 1e9;
    SpanHistogram.record(duration, seconds, common, lean);
    if (r.activeAttributes != null) {
      activeRequests.add(-1, r.activeAttributes);
    }
    if (requestBytes >= 0) {
      requestBodySize.record(requestBytes, common);
    }
    if (responseBytes >= 0) {
      responseBodySize.record(responseBytes, common);
    }
  }

  /** The request's {@code Content-Length}; -1 when it has none (a chunked body, a GET) or it cannot be read. */
  private static long requestBodySize(ServerRequest r) {
    try {
      return contentLength(r.api.header(r.request, "Content-Length"));
    } catch (Throwable failure) {
      return -1;
    }
  }

  /**
   * The response's {@code Content-Length} as the application or the container set it by the time the request ends;
   * -1 when there is none yet (a streamed body: the container may add it only as it finishes the response).
   */
  private static long responseBodySize(ServerRequest r) {
    try {
      Collection<String> values = r.api.responseHeaders(r.response, "Content-Length");
      return values == null || values.isEmpty() ? -1 : contentLength(values.iterator().next());
    } catch (Throwable failure) {
      return -1;
    }
  }

  static long contentLength(String value) {
    if (value == null) {
      return -1;
    }
    try {
      long length = Long.parseLong(value.trim());
      return length >= 0 ? length : -1;
    } catch (NumberFormatException notANumber) {
      return -1;
    }
  }

  /**
   * The route a framework refined the servlet route to (a JAX-RS resource method's template, else Spring's {@link
   * #SPRING_MVC_PATTERN}), or null. One attribute
   * read, and only for a servlet route that covers many paths; Spring sets the pattern's text (a {@code String},
   * also where it matched a {@code PathPattern}), and anything else is not taken. Never throws: a container failing
   * the read keeps the servlet route.
   */
  private static RouteCache.Route frameworkRoute(ServerRequest r) {
    RouteCache.Route servlet = r.servletRoute;
    if (servlet == null || !servlet.refinable()) {
      return null;
    }
    String template = r.frameworkTemplate();
    if (template != null) {
      return servlet.refine(template);
    }
    try {
      Object pattern = r.api.attribute(r.request, SPRING_MVC_PATTERN);
      return pattern instanceof String ? servlet.refine((String) pattern) : null;
    } catch (Throwable failure) {
      InternalErrors.report("servlet framework route", failure);
      return null;
    }
  }

  /**
   * What a request failed with, for {@code error.type} and the exception event: a {@code ServletException} (javax
   * or jakarta, or a subclass: Spring MVC wraps every handler failure in one) stands for its cause when it has one,
   * as the OpenTelemetry agent reports it, so the error is {@code IllegalStateException}, not the wrapper.
   */
  static Throwable cause(Throwable thrown) {
    Throwable failure = thrown;
    for (int depth = 0; depth < 8 && isServletException(failure.getClass()); depth++) {
      Throwable cause;
      try {
        cause = failure.getCause(); // an application's subclass may override it, and throw
      } catch (Throwable broken) {
        break;
      }
      if (cause == null || cause == failure) {
        break;
      }
      failure = cause;
    }
    return failure;
  }

  private static boolean isServletException(Class<?> type) {
    for (Class<?> c = type; c != null && c != Throwable.class; c = c.getSuperclass()) {
      String name = c.getName();
      if (name.equals("jakarta.servlet.ServletException") || name.equals("javax.servlet.ServletException")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The duration's attributes for a request that did not throw: a function of method, status, scheme, route
   * and protocol, so each set is built (and sorted) once and then shared; the SDK finds its series by the
   * same object. A request finds its set in a small table hashed from the five parts (strings that keep their
   * hash: the method and version are constants, the route is the route cache's), compared field by field, so
   * it allocates nothing; a slot another set took is refilled from the map. Bounded: past {@value
   * #MAX_METRIC_ATTRIBUTE_SETS} sets, new ones are built each time.
   */
  private Attributes metricAttributes(ServerRequest r, int status, String errorType) {
    int hash = (((Objects.hashCode(r.method) * 31 + status) * 31 + Objects.hashCode(r.scheme)) * 31
        + Objects.hashCode(r.protocolVersion)) * 31 + Objects.hashCode(r.route);
    int slot = (hash ^ (hash >>> 16)) & (RECENT_METRIC_SETS - 1);
    MetricSet recent = recentMetricSets[slot]; // racy read of an immutable entry: whole or absent
    if (recent != null && recent.matches(r, status)) {
      return recent.attributes;
    }
    // NUL separates the parts and SOH stands for an absent one: neither occurs in a method, scheme, version or route
    String key = r.method + '\0' + status + '\0' + r.scheme + '\0' + (r.protocolVersion == null ? "\1" : r.protocolVersion)
        + '\0' + (r.route == null ? "\1" : r.route);
    Attributes cached = metricAttributeSets.get(key);
    if (cached == null) {
      cached = buildMetricAttributes(r, status, errorType);
      if (metricAttributeSets.size() < MAX_METRIC_ATTRIBUTE_SETS) {
        Attributes raced = metricAttributeSets.putIfAbsent(key, cached);
        cached = raced != null ? raced : cached;
      } else {
        return cached; // not shared: keep it out of the table too
      }
    }
    recentMetricSets[slot] = new MetricSet(r, status, cached);
    return cached;
  }

  /** One shared duration attribute set and the request parts it was built from. */
  private static final class MetricSet {
    final String method;
    final int status;
    final String scheme;
    final String protocolVersion;
    final String route;
    final Attributes attributes;

    MetricSet(ServerRequest r, int status, Attributes attributes) {
      this.method = r.method;
      this.status = status;
      this.scheme = r.scheme;
      this.protocolVersion = r.protocolVersion;
      this.route = r.route;
      this.attributes = attributes;
    }

    boolean matches(ServerRequest r, int status) {
      return this.status == status && Objects.equals(method, r.method) && Objects.equals(scheme, r.scheme)
          && Objects.equals(protocolVersion, r.protocolVersion) && Objects.equals(route, r.route);
    }
  }

  private static Attributes buildMetricAttributes(ServerRequest r, int status, String errorType) {
    AttributesBuilder metric =
        Attributes.builder()
            .put(HTTP_REQUEST_METHOD, r.method)
            .put(HTTP_RESPONSE_STATUS_CODE, (long) status)
            .put(URL_SCHEME, r.scheme);
    if (r.route != null) {
      metric.put(HTTP_ROUTE, r.route);
    }
    if (errorType != null) {
      metric.put(ERROR_TYPE, errorType);
    }
    if (r.protocolVersion != null) {
      metric.put(PROTOCOL_VERSION, r.protocolVersion);
    }
    return metric.build();
  }

  /**
   * The configured request parameters, read as the request ends, as the OpenTelemetry agent does: read at its start,
   * a form body would be parsed before the application could read it as a stream. A parameter in the sensitive list
   * ({@code WEFT_HTTP_SENSITIVE_QUERY_PARAMETERS} and the defaults) shows as {@code REDACTED}, value by value.
   */
  private void captureParameters(ServerRequest r) {
    List<String> names = settings.parameters;
    for (int i = 0; i < names.size(); i++) {
      try {
        String[] raw = r.api.parameterValues(r.request, names.get(i));
        if (raw != null && raw.length > 0) {
          boolean redact = settings.redactor.isSensitiveName(names.get(i));
          List<String> values = new ArrayList<>(raw.length);
          for (String value : raw) {
            if (value != null) {
              values.add(redact ? QueryRedactor.REDACTED : value);
            }
          }
          r.span.setAttribute(parameterKeys.get(i), values);
        }
      } catch (Throwable failure) {
        InternalErrors.report("servlet request parameters", failure);
      }
    }
  }

  private void captureResponseHeaders(ServerRequest r) {
    List<String> names = settings.headers.responseHeaderNames();
    for (int i = 0; i < names.size(); i++) {
      try {
        Collection<String> raw = r.api.responseHeaders(r.response, names.get(i));
        if (raw != null && !raw.isEmpty()) {
          List<String> values = new ArrayList<>(raw.size());
          for (String value : raw) {
            values.add(HeaderCapture.valueFor(names.get(i), value));
          }
          r.span.setAttribute(responseHeaderKeys.get(i), values);
        }
      } catch (Throwable failure) {
        InternalErrors.report("servlet response headers", failure);
      }
    }
  }

  private static List<String> headerValues(String name, Enumeration<String> raw) {
    if (raw == null || !raw.hasMoreElements()) {
      return null;
    }
    List<String> values = new ArrayList<>(1);
    while (raw.hasMoreElements()) {
      values.add(HeaderCapture.valueFor(name, raw.nextElement()));
    }
    return values;
  }

  private Attributes activeAttributes(String method, String scheme) {
    ConcurrentHashMap<String, Attributes> cache =
        "http".equals(scheme) ? activeHttp : "https".equals(scheme) ? activeHttps : null;
    Attributes attributes = cache == null ? null : cache.get(method);
    if (attributes == null) {
      attributes = Attributes.of(HTTP_REQUEST_METHOD, method, URL_SCHEME, scheme);
      if (cache != null) {
        cache.putIfAbsent(method, attributes); // methods are the known set or _OTHER: bounded
      }
    }
    return attributes;
  }

  /** A server listens on one port or a few: the last one boxed is kept. */
  private Long port(int port) {
    Long last = lastPort;
    if (last.longValue() != port) {
      last = (long) port;
      lastPort = last;
    }
    return last;
  }

  private String statusString(int status) {
    if (status < 0 || status >= statusStrings.length) {
      return Integer.toString(status);
    }
    String s = statusStrings[status];
    if (s == null) {
      s = Integer.toString(status);
      statusStrings[status] = s; // racy but benign: equal strings
    }
    return s;
  }

  /** {@code network.protocol.version} from {@code getProtocol()}: {@code HTTP/1.1} is {@code 1.1}, HTTP/2 is {@code 2}. */
  static String protocolVersion(String protocol) {
    if (protocol == null) {
      return null;
    }
    if (protocol.equals("HTTP/1.1")) {
      return "1.1"; // nearly every request: no hash of a string the container made for this request
    }
    switch (protocol) {
      case "HTTP/1.0":
        return "1.0";
      case "HTTP/2.0":
      case "HTTP/2":
        return "2";
      case "HTTP/3":
        return "3";
      default:
        return protocol.startsWith("HTTP/") && protocol.length() > 5 ? protocol.substring(5) : null;
    }
  }
}
