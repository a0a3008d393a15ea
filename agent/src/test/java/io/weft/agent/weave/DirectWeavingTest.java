package io.weft.agent.weave;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.weft.agent.config.WeftConfig;
import io.weft.bridge.MethodBridge;
import io.weft.instrumentation.methods.MethodsInstrumentation;
import io.weft.instrumentation.trace.SamplingPolicy;
import io.weft.instrumentation.trace.SpanPipeline;
import io.weft.instrumentation.trace.TelemetryResource;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Classes an include pattern names are woven without Byte Buddy ({@code DirectMethodWeaver}), through
 * the real {@link Installer} in this JVM: the fixtures are loaded after installing, so the JVM hands
 * their class files to the transformer and verifies what it returns, as under {@code -javaagent}.
 */
class DirectWeavingTest {

  private static final String FIXTURES = "directfixtures.";
  private static final AttributeKey<String> FUNCTION = AttributeKey.stringKey("code.function.name");
  private static final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private static final List<String> log = new CopyOnWriteArrayList<>();
  private static Class<?> shapes;

  @BeforeAll
  static void weave() throws Exception {
    Instrumentation inst = ByteBuddyAgent.install();
    WeftConfig config =
        new WeftConfig(
            Map.of(
                "otel.instrumentation.methods.include",
                FIXTURES + "Shapes[*];" + FIXTURES + "Greeter[greet];" + FIXTURES + "Old[*]",
                "otel.javaagent.debug", "true"),
            Map.of(),
            log::add);
    methods = new MethodsInstrumentation();
    new Installer(config, DirectWeavingTest.class.getClassLoader()).install(inst, methods.typeInstrumentations(config), Map.of(), () -> {});
    startTracing(config);
    shapes = Class.forName(FIXTURES + "Shapes");
  }

  private static MethodsInstrumentation methods;

  /** Installs the real method tracer behind the bridge. */
  private static void startTracing(WeftConfig config) {
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
  void theNamedClassIsWovenWithoutByteBuddy() {
    assertTrue(log.contains("woven " + FIXTURES + "Shapes (20 method(s), directly)"), log.toString());
    // Shapes[*] may also be inherited by any class of this loader, so Byte Buddy is set up here, but never weaves Shapes
    assertTrue(log.stream().noneMatch(line -> line.startsWith("woven " + FIXTURES + "Shapes in")), log.toString());
    assertTrue(log.stream().noneMatch(line -> line.contains("could not weave")), log.toString());
  }

  @Test
  void everyReturnTypeKeepsItsValueAndEndsOneSpan() throws Exception {
    assertEquals(5, call("add", 2, 3));
    assertEquals(2.5, call("half", 5.0));
    assertEquals(1.0f, call("third", 3.0f));
    assertEquals('w', call("initial", "weft"));
    assertEquals(true, call("positive", (short) 3));
    assertEquals((byte) 0x34, call("low", 0x1234L));
    assertArrayEquals(new int[] {1, 2}, (int[]) call("pair", 1, 2));
    assertEquals(null, call("nothing"));
    assertEquals(
        List.of("Shapes.add", "Shapes.half", "Shapes.third", "Shapes.initial", "Shapes.positive", "Shapes.low", "Shapes.pair",
            "Shapes.nothing"),
        names());
    SpanData add = spans.getFinishedSpanItems().get(0);
    assertEquals(SpanKind.INTERNAL, add.getKind());
    assertEquals(FIXTURES + "Shapes.add", add.getAttributes().get(FUNCTION));
    assertEquals(StatusCode.UNSET, add.getStatus().getStatusCode());
    assertTrue(add.getEndEpochNanos() >= add.getStartEpochNanos());
  }

  @Test
  void wovenCodeReadsTheClockOnlyWhenEveryCallIsTimed() throws Exception {
    List<Long> starts = new CopyOnWriteArrayList<>();
    MethodBridge.Handler recording = new MethodBridge.Handler() {
      @Override
      public Object enter(int methodId, long startNanos) {
        starts.add(startNanos);
        return null;
      }

      @Override
      public void exit(Object call, long startNanos, Throwable thrown) {}

      @Override
      public void exitAsync(Object call, long startNanos, Throwable thrown, Object returned) {}
    };
    try {
      long before = System.nanoTime();
      MethodBridge.install(recording, true);
      assertEquals(5, call("add", 2, 3));
      MethodBridge.install(recording, false);
      assertEquals(7, call("add", 3, 4));
      assertEquals(2, starts.size(), starts.toString());
      assertTrue(starts.get(0) - before >= 0, "timed: the start is System.nanoTime() " + starts);
      assertEquals(0L, starts.get(1), "untimed: no clock read, 0 for the tracer to resolve if it samples");
    } finally {
      startTracing(new WeftConfig(Map.of(), Map.of(), log::add));
    }
    assertEquals(9, call("add", 4, 5));
    assertEquals(List.of("Shapes.add"), names(), "the real tracer is back");
  }

  @Test
  void withoutTheMethodMetricASampledCallStillGetsItsTimes() throws Exception {
    try {
      startTracing(new WeftConfig(Map.of("weft.methods.metric.enabled", "false"), Map.of(), log::add));
      long before = System.nanoTime();
      long epochBefore = System.currentTimeMillis() * 1_000_000L;
      assertEquals(5, call("add", 2, 3));
      long epochAfter = (System.currentTimeMillis() + 1) * 1_000_000L;
      SpanData add = spans.getFinishedSpanItems().get(0);
      assertTrue(add.getStartEpochNanos() >= epochBefore - 5_000_000 && add.getEndEpochNanos() <= epochAfter,
          "the span's times are now (read when the span was made): " + add);
      assertTrue(add.getEndEpochNanos() - add.getStartEpochNanos() <= System.nanoTime() - before, add.toString());
    } finally {
      startTracing(new WeftConfig(Map.of(), Map.of(), log::add));
    }
  }

  @Test
  void framesWithWideLocalsLoopsAndMonitorsStillVerify() throws Exception {
    Object instance = shapes.getConstructor().newInstance();
    Method wide = shapes.getMethod("wide", long.class, double.class, int.class);
    assertEquals(10L + 3 + 6 + 12 + 24, wide.invoke(instance, 10L, 3.0, 7));
    Method locked = shapes.getMethod("locked", Object.class);
    assertEquals(2, locked.invoke(instance, new Object()));
    assertEquals(List.of("Shapes.wide", "Shapes.locked"), names());
    assertEquals(List.of(), spanNamed("Shapes.<init>"), "constructors are not woven");
  }

  @Test
  void earlyReturnsEachEndTheSpanOnce() throws Exception {
    assertEquals("negative", call("early", -1));
    assertEquals("zero", call("early", 0));
    assertEquals("one", call("early", 1));
    assertEquals("many", call("early", 9));
    assertEquals(List.of("Shapes.early", "Shapes.early", "Shapes.early", "Shapes.early"), names());
  }

  @Test
  void theMethodsOwnHandlerCatchesFirstAndTheSpanStaysClean() throws Exception {
    assertEquals("caught empty", call("ownHandler", ""));
    assertEquals("kept x", call("ownHandler", "x"));
    assertEquals(2, spans.getFinishedSpanItems().size());
    for (SpanData span : spans.getFinishedSpanItems()) {
      assertEquals(StatusCode.UNSET, span.getStatus().getStatusCode(), span.toString());
      assertEquals(List.of(), span.getEvents());
    }
  }

  @Test
  void anExceptionPassesUnchangedAndMarksTheSpan() throws Exception {
    InvocationTargetException thrown =
        assertThrows(InvocationTargetException.class, () -> shapes.getMethod("fails", String.class).invoke(null, "boom"));
    assertEquals(IllegalStateException.class, thrown.getCause().getClass());
    assertEquals("boom", thrown.getCause().getMessage());
    StackTraceElement top = thrown.getCause().getStackTrace()[0];
    assertEquals(FIXTURES + "Shapes", top.getClassName());
    assertEquals("fails", top.getMethodName(), "no frame of Weft's on top of the application's");
    SpanData span = single("Shapes.fails");
    assertEquals(StatusCode.ERROR, span.getStatus().getStatusCode());
    assertEquals("java.lang.IllegalStateException", span.getAttributes().get(AttributeKey.stringKey("error.type")));
    List<EventData> events = span.getEvents();
    assertEquals(1, events.size());
    assertEquals("exception", events.get(0).getName());
    assertEquals("boom", events.get(0).getAttributes().get(AttributeKey.stringKey("exception.message")));
  }

  @Test
  void aReturnedStageEndsTheSpanWhenItCompletes() throws Exception {
    CompletableFuture<String> future = new CompletableFuture<>();
    Object returned = shapes.getMethod("later", CompletableFuture.class).invoke(null, future);
    assertSame(future, returned);
    assertEquals(List.of(), names(), "still running");
    future.complete("done");
    assertEquals(List.of("Shapes.later"), names());

    CompletableFuture<String> failing = new CompletableFuture<>();
    ((CompletionStage<?>) shapes.getMethod("later", CompletableFuture.class).invoke(null, failing)).toCompletableFuture();
    failing.completeExceptionally(new IllegalArgumentException("late"));
    SpanData failed = spans.getFinishedSpanItems().get(1);
    assertEquals(StatusCode.ERROR, failed.getStatus().getStatusCode());
  }

  @Test
  void aStageDeclaredAsObjectEndsOnReturn() throws Exception {
    CompletableFuture<String> future = new CompletableFuture<>();
    assertSame(future, shapes.getMethod("plainObject", CompletableFuture.class).invoke(null, future));
    assertEquals(List.of("Shapes.plainObject"), names(), "like the Byte Buddy path: by declared type");
  }

  @Test
  void nestedCallsAreParentAndChild() throws Exception {
    assertEquals(7, call("outer", 3));
    SpanData inner = single("Shapes.inner");
    SpanData outer = single("Shapes.outer");
    assertEquals(outer.getSpanContext().getTraceId(), inner.getSpanContext().getTraceId());
    assertEquals(outer.getSpanContext().getSpanId(), inner.getParentSpanContext().getSpanId());
    assertFalse(outer.getParentSpanContext().isValid());
  }

  @Test
  void withSpanGivesTheNameAndKind() throws Exception {
    assertEquals(42, call("annotated"));
    SpanData span = single("custom name");
    assertEquals(SpanKind.CLIENT, span.getKind());
    assertEquals(FIXTURES + "Shapes.annotated", span.getAttributes().get(FUNCTION));
  }

  @Test
  void lambdaBodiesAreNotWovenByName() throws Exception {
    assertEquals(8, call("viaLambda", 4));
    assertEquals(List.of("Shapes.viaLambda"), names());
  }

  @Test
  void aDefaultMethodOfANamedInterfaceIsWoven() throws Exception {
    Object greets = Class.forName(FIXTURES + "Greets").getConstructor().newInstance();
    assertEquals("hello you", greets.getClass().getMethod("greet", String.class).invoke(greets, "you"));
    assertEquals(FIXTURES + "Greeter.greet", single("Greeter.greet").getAttributes().get(FUNCTION));
  }

  @Test
  void anImplementationOfANamedInterfaceIsWovenThroughItsHierarchy() throws Exception {
    Object polite = Class.forName(FIXTURES + "Polite").getConstructor().newInstance();
    assertEquals("good day you", polite.getClass().getMethod("greet", String.class).invoke(polite, "you"));
    assertEquals("not configured", polite.getClass().getMethod("other").invoke(polite));
    assertEquals(List.of("Polite.greet"), names());
    assertEquals(FIXTURES + "Polite.greet", single("Polite.greet").getAttributes().get(FUNCTION));
  }

  @Test
  void anAnnotatedMethodOfAnUnnamedClassIsWovenAndItsNeighboursAreNot() throws Exception {
    Object marked = Class.forName(FIXTURES + "Marked").getConstructor().newInstance();
    assertEquals(1, marked.getClass().getMethod("mark").invoke(marked));
    assertEquals(2, marked.getClass().getMethod("plain").invoke(marked));
    assertEquals(List.of("marked"), names());
  }

  @Test
  void aMethodSelectedTwiceIsWovenOnce() throws Exception {
    Object both = Class.forName(FIXTURES + "Both").getConstructor().newInstance();
    assertEquals("both me", both.getClass().getMethod("greet", String.class).invoke(both, "me"));
    assertEquals(List.of("both greet"), names(), "inherited and annotated: one span, the annotation's name");
  }

  @Test
  void aClassFileWithoutStackMapFramesIsWovenWithoutThem() throws Exception {
    byte[] old = oldClassFile();
    Class<?> type = new ClassLoader(DirectWeavingTest.class.getClassLoader()) {
      Class<?> define() {
        return defineClass(FIXTURES + "Old", old, 0, old.length);
      }
    }.define();
    Method abs = type.getMethod("abs", int.class);
    assertEquals(5, abs.invoke(null, -5));
    assertEquals(6, abs.invoke(null, 6));
    assertEquals(List.of("Old.abs", "Old.abs"), names());
  }

  /** A Java 5 class file (version 49, no StackMapTable): {@code public static int abs(int x)} with a branch. */
  private static byte[] oldClassFile() {
    ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    writer.visit(Opcodes.V1_5, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, "directfixtures/Old", null, "java/lang/Object", null);
    MethodVisitor abs = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "abs", "(I)I", null, null);
    abs.visitCode();
    Label positive = new Label();
    abs.visitVarInsn(Opcodes.ILOAD, 0);
    abs.visitJumpInsn(Opcodes.IFGE, positive);
    abs.visitVarInsn(Opcodes.ILOAD, 0);
    abs.visitInsn(Opcodes.INEG);
    abs.visitInsn(Opcodes.IRETURN);
    abs.visitLabel(positive);
    abs.visitVarInsn(Opcodes.ILOAD, 0);
    abs.visitInsn(Opcodes.IRETURN);
    abs.visitMaxs(0, 0);
    abs.visitEnd();
    writer.visitEnd();
    return writer.toByteArray();
  }

  private static Object call(String name, Object... args) throws Exception {
    for (Method method : shapes.getMethods()) {
      if (method.getName().equals(name) && method.getParameterCount() == args.length) {
        return method.invoke(null, args);
      }
    }
    throw new AssertionError("no method " + name);
  }

  private static List<String> names() {
    List<String> names = new ArrayList<>();
    for (SpanData span : spans.getFinishedSpanItems()) {
      names.add(span.getName());
    }
    return names;
  }

  private static List<SpanData> spanNamed(String name) {
    List<SpanData> found = new ArrayList<>();
    for (SpanData span : spans.getFinishedSpanItems()) {
      if (span.getName().equals(name)) {
        found.add(span);
      }
    }
    return found;
  }

  private static SpanData single(String name) {
    List<SpanData> found = spanNamed(name);
    assertEquals(1, found.size(), name + " in " + names());
    return found.get(0);
  }
}
