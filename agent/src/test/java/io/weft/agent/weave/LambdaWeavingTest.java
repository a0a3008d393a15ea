package io.weft.agent.weave;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.weft.agent.config.WeftConfig;
import io.weft.bridge.MethodBridge;
import io.weft.instrumentation.methods.MethodsInstrumentation;
import io.weft.instrumentation.trace.SamplingPolicy;
import io.weft.instrumentation.trace.SpanPipeline;
import io.weft.instrumentation.trace.TelemetryResource;
import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Weaves lambda bodies of a named functional interface in this JVM with the real {@link Installer}:
 * fixture classes are loaded by name after installing, so the JVM hands their class files to the
 * transformer, as it does for application classes under {@code -javaagent}.
 */
class LambdaWeavingTest {

  private static final String FIXTURES = "lambdafixtures.";
  private static final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private static final List<String> log = new CopyOnWriteArrayList<>();
  private static int earlyBeforeInstall;

  @BeforeAll
  static void weave() throws Exception {
    earlyBeforeInstall = fixture("Early").getAsInt();
    Instrumentation inst = ByteBuddyAgent.install();
    WeftConfig config =
        new WeftConfig(
            Map.of("otel.instrumentation.methods.include", FIXTURES + "Pricing[apply]", "otel.javaagent.debug", "true"),
            Map.of(),
            log::add);
    MethodsInstrumentation methods = new MethodsInstrumentation();
    new Installer(config, LambdaWeavingTest.class.getClassLoader()).install(inst, methods.typeInstrumentations(config), Map.of(), () -> {});
    SpanProcessor processor = SimpleSpanProcessor.create(spans);
    methods.start(
        OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(processor).build())
            .build(),
        new SpanPipeline(SamplingPolicy.of("parentbased_always_on", 1.0), processor, new TelemetryResource(Resource.getDefault().getAttributes()), SpanLimits.getDefault()),
        config);
  }

  @AfterEach
  void reset() {
    spans.reset();
  }

  @AfterAll
  static void uninstall() {
    MethodBridge.install(MethodBridge.Handler.NOOP, true);
  }

  @Test
  void aCapturingLambdaGivesOneSpanNamedAfterTheInterfaceMethod() throws Exception {
    assertEquals(7, fixture("Priced").getAsInt(), "the return value is untouched");
    List<SpanData> finished = spans.getFinishedSpanItems();
    assertEquals(1, finished.size(), finished.toString());
    SpanData span = finished.get(0);
    assertEquals("Pricing.apply", span.getName());
    assertEquals(SpanKind.INTERNAL, span.getKind());
    assertEquals(FIXTURES + "Pricing.apply", span.getAttributes().get(AttributeKey.stringKey("code.function.name")));
  }

  @Test
  void theLambdasExceptionPassesUnchangedAndMarksTheSpan() throws Exception {
    IntSupplier failing = fixture("Failing");
    assertSame(lambdafixtures.Failing.FAILURE, assertThrows(IllegalStateException.class, failing::getAsInt));
    SpanData span = spans.getFinishedSpanItems().get(0);
    assertEquals(StatusCode.ERROR, span.getStatus().getStatusCode());
    assertEquals("java.lang.IllegalStateException", span.getAttributes().get(AttributeKey.stringKey("error.type")));
  }

  @Test
  void aClassWhoseLambdasImplementOtherInterfacesIsNotRewritten() throws Exception {
    assertEquals(10, fixture("Unrelated").getAsInt());
    assertEquals(List.of(), spans.getFinishedSpanItems());
    assertTrue(log.stream().noneMatch(line -> line.contains("woven " + FIXTURES + "Unrelated")), log.toString());
  }

  @Test
  void lambdasOfClassesLoadedBeforeInstallingAreNotWoven() throws Exception {
    assertEquals(10, earlyBeforeInstall);
    assertEquals(10, fixture("Early").getAsInt());
    assertEquals(List.of(), spans.getFinishedSpanItems(), "a documented limit of attaching");
  }

  private static IntSupplier fixture(String simpleName) throws Exception {
    return (IntSupplier) Class.forName(FIXTURES + simpleName).getConstructor().newInstance();
  }
}
