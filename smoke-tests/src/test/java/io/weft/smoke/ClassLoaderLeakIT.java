package io.weft.smoke;

import static io.weft.receiver.SpanMatchers.childOf;
import static io.weft.receiver.SpanMatchers.kind;
import static io.weft.receiver.SpanMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.weft.receiver.OtlpReceiver;
import io.weft.receiver.ReceivedSpan;
import io.weft.smoke.app.safety.WarRedeployApp;
import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.Jdk;
import io.weft.smoke.support.Jdks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent keeps no webapp alive: a WAR is deployed in Tomcat 11, called (a traced method of its own and
 * a JDBC statement, inside the server span) and undeployed four times in one child JVM with the agent;
 * afterwards every webapp class loader is collected. The same check on a WAR that leaks its loader on
 * purpose finds all four alive, so the check can fail.
 */
class ClassLoaderLeakIT {

  private static final int ROUNDS = 4;

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void undeployedWebappsAreCollected(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = redeploy(ChildJvm.withAgent(jdk, otlp), "keep")) {
      assertEquals(0, app.awaitExit(Duration.ofSeconds(120)), app::describe);
      String out = app.output();
      for (int round = 1; round <= ROUNDS; round++) {
        assertTrue(out.contains("round " + round + ": 200 ParallelWebappClassLoader visits " + round + " work true"), app.describe());
      }
      assertTrue(out.contains("webapp class loaders alive after undeploy: 0 of " + ROUNDS), app.describe());
      // the agent did work inside every webapp: otherwise there would be nothing for it to leak
      for (int round = 1; round <= ROUNDS; round++) {
        ReceivedSpan server = otlp.awaitSpan(kind(SpanKind.SPAN_KIND_SERVER).and(named("GET /war" + round + "/visit")));
        otlp.awaitSpan(named("Work.compute").and(childOf(server)));
        otlp.awaitSpan(named("INSERT visits").and(childOf(server)));
      }
      assertTrue(out.lines().noneMatch(l -> l.startsWith("[weft]") && !l.startsWith("[weft] Weft ")), app.describe());
    }
  }

  @Test
  void aWebappThatLeaksItsLoaderIsDetected() {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = redeploy(ChildJvm.withAgent(Jdks.current(), otlp), "leak")) {
      assertEquals(0, app.awaitExit(Duration.ofSeconds(120)), app::describe);
      assertTrue(app.output().contains("webapp class loaders alive after undeploy: " + ROUNDS + " of " + ROUNDS), app.describe());
    }
  }

  private static ChildJvm redeploy(ChildJvm.Builder builder, String mode) {
    Path h2 = ChildJvm.libs("jdbc").stream().filter(p -> p.getFileName().toString().startsWith("h2-")).findFirst().orElseThrow();
    return builder
        .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.app.servlet.Work[compute]")
        .libs("tomcat11")
        .classpath(h2)
        .jvmArg("-Xmx256m")
        .jvmArg("-XX:TieredStopAtLevel=1")
        .start(WarRedeployApp.class, war().toString(), String.valueOf(ROUNDS), mode);
  }

  /** The WAR: a web.xml, the servlet and its own copy of the traced Work class; LeakHolder stays outside. */
  private static Path war() {
    try {
      Path war = Files.createTempFile("weft-leak-", ".war");
      war.toFile().deleteOnExit();
      Path classes = ChildJvm.testClasses();
      try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(war))) {
        put(zip, "WEB-INF/web.xml", WEB_XML.getBytes(StandardCharsets.UTF_8));
        for (String entry : List.of("io/weft/smoke/app/safety/war/LeakCheckServlet.class", "io/weft/smoke/app/servlet/Work.class")) {
          put(zip, "WEB-INF/classes/" + entry, Files.readAllBytes(classes.resolve(entry)));
        }
      }
      return war;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(bytes);
    zip.closeEntry();
  }

  private static final String WEB_XML =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          + "<web-app xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"6.0\" metadata-complete=\"true\">\n"
          + "  <servlet><servlet-name>visit</servlet-name>"
          + "<servlet-class>io.weft.smoke.app.safety.war.LeakCheckServlet</servlet-class></servlet>\n"
          + "  <servlet-mapping><servlet-name>visit</servlet-name><url-pattern>/visit</url-pattern></servlet-mapping>\n"
          + "</web-app>\n";
}
