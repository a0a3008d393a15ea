package io.weft.smoke.servlet;

import io.weft.receiver.OtlpReceiver;
import io.weft.receiver.ReceivedSpan;
import io.weft.smoke.app.servlet.ServletContainers;
import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.Jdk;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * One servlet container in a child JVM with the agent, exporting to its own receiver, shared by all
 * scenarios of one container and JDK and started on first use. Every request carries a unique {@code
 * rid} query parameter, so a scenario finds its server span by {@code url.query} and the last one can
 * count server spans per request.
 */
final class ServletApp implements AutoCloseable {

  static final String METHODS_INCLUDE = "io.weft.smoke.app.servlet.Work[compute]";

  final ServletContainer container;
  final Jdk jdk;
  final List<String> rids = new ArrayList<>();
  private OtlpReceiver otlp;
  private ChildJvm child;
  private URI base;
  private RuntimeException startFailure;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

  ServletApp(ServletContainer container, Jdk jdk) {
    this.container = container;
    this.jdk = jdk;
  }

  synchronized OtlpReceiver otlp() {
    start();
    return otlp;
  }

  synchronized ChildJvm child() {
    start();
    return child;
  }

  /** Every propagator Weft has, for the containers that test them; the others keep the default W3C pair. */
  static final String OTHER_PROPAGATORS = "tracecontext,baggage,b3,b3multi,jaeger,ottrace,xray";

  private void start() {
    if (startFailure != null) {
      throw startFailure;
    }
    if (child != null) {
      return;
    }
    try {
      otlp = OtlpReceiver.start().withTimeout(Duration.ofSeconds(30));
      List<String> args = new ArrayList<>(List.of(container.kind, container.initializer));
      if (container.war) {
        args.add(war().toString());
      }
      ChildJvm.Builder builder = ChildJvm.withAgent(jdk, otlp).env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", METHODS_INCLUDE);
      if (container.otherPropagators) {
        builder.env("OTEL_PROPAGATORS", OTHER_PROPAGATORS);
      }
      if (container.experimentalTelemetry) {
        builder.env("OTEL_INSTRUMENTATION_HTTP_SERVER_EMIT_EXPERIMENTAL_TELEMETRY", "true")
            .env("OTEL_INSTRUMENTATION_SERVLET_EXPERIMENTAL_SPAN_ATTRIBUTES", "true");
      }
      builder.libs(container.jaxRsLibs());
      child =
          builder
              .libs(container.libs)
              .env("OTEL_INSTRUMENTATION_HTTP_SERVER_CAPTURE_REQUEST_HEADERS", "X-Tenant,Authorization")
              .env("OTEL_INSTRUMENTATION_HTTP_SERVER_CAPTURE_RESPONSE_HEADERS", "X-Served-By,Set-Cookie")
              .env("WEFT_HTTP_SENSITIVE_QUERY_PARAMETERS", "ticket")
              .env("OTEL_INSTRUMENTATION_SERVLET_EXPERIMENTAL_CAPTURE_REQUEST_PARAMETERS", "tenant, Page,password,ticket")
              .env("OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN", container.exceptionSignal)
              .jvmArg("-Xmx256m")
              .jvmArg("-XX:TieredStopAtLevel=1")
              .start(ServletContainers.class, args.toArray(new String[0]));
      String ready = child.awaitOutput("READY ").output();
      int at = ready.indexOf("READY ") + 6;
      int port = Integer.parseInt(ready.substring(at, ready.indexOf('\n', at)).trim());
      base = URI.create("http://127.0.0.1:" + port);
    } catch (RuntimeException | Error | IOException e) {
      startFailure = new IllegalStateException(container + " on JDK " + jdk + " did not start: " + e, e);
      close();
      throw startFailure;
    }
  }

  /** A new request id, remembered for the one-span-per-request check. */
  synchronized String rid() {
    String rid = UUID.randomUUID().toString().substring(0, 8);
    rids.add(rid);
    return rid;
  }

  HttpResponse<String> get(String pathAndQuery, String... headers) {
    start();
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(20));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try {
      return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("GET " + pathAndQuery + " failed: " + e + "\n" + child.describe(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  HttpResponse<String> post(String pathAndQuery, String body, String... headers) {
    start();
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("POST " + pathAndQuery + " failed: " + e + "\n" + child.describe(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The server span of the request with this rid. */
  ReceivedSpan serverSpan(String rid) {
    return otlp().awaitSpan(server(rid));
  }

  static Predicate<ReceivedSpan> server(String rid) {
    return s -> s.kind() == io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER
        && s.stringAttr("url.query") != null
        && s.stringAttr("url.query").contains("rid=" + rid);
  }

  /** A WAR with a web.xml-declared servlet and its own copy of the configured Work class. */
  private static Path war() throws IOException {
    Path war = Files.createTempFile("weft-smoke-", ".war");
    war.toFile().deleteOnExit();
    Path classes = ChildJvm.testClasses();
    String[] entries = {"io/weft/smoke/app/servlet/war/WarServlet.class", "io/weft/smoke/app/servlet/Work.class"};
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(war))) {
      put(zip, "WEB-INF/web.xml", WEB_XML.getBytes(StandardCharsets.UTF_8));
      for (String entry : entries) {
        put(zip, "WEB-INF/classes/" + entry, Files.readAllBytes(classes.resolve(entry)));
      }
    }
    return war;
  }

  private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    OutputStream out = zip;
    out.write(bytes);
    zip.closeEntry();
  }

  private static final String WEB_XML =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          + "<web-app xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"6.0\" metadata-complete=\"true\">\n"
          + "  <servlet><servlet-name>war</servlet-name>"
          + "<servlet-class>io.weft.smoke.app.servlet.war.WarServlet</servlet-class></servlet>\n"
          + "  <servlet-mapping><servlet-name>war</servlet-name><url-pattern>/orders/*</url-pattern></servlet-mapping>\n"
          + "</web-app>\n";

  @Override
  public synchronized void close() {
    if (child != null) {
      child.close();
    }
    if (otlp != null) {
      otlp.close();
    }
  }

  @Override
  public String toString() {
    return container + " on JDK " + jdk;
  }
}
