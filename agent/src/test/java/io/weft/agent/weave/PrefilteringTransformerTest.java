package io.weft.agent.weave;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.OpenTelemetry;
import io.weft.instrumentation.ClassOutline;
import io.weft.instrumentation.InstrumentationConfig;
import io.weft.instrumentation.Sieve;
import io.weft.instrumentation.TypeInstrumentation;
import io.weft.instrumentation.WeftInstrumentation;
import io.weft.instrumentation.trace.SpanPipeline;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.instrument.ClassFileTransformer;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.junit.jupiter.api.Test;
import prefilterfixtures.PrefilterFixtures.AlsoMarked;
import prefilterfixtures.PrefilterFixtures.AlsoPlain;
import prefilterfixtures.PrefilterFixtures.Marked;
import prefilterfixtures.PrefilterFixtures.Plain;
import prefilterfixtures.PrefilterFixtures.Serving;

/**
 * The first filter on real class files, without a JVM agent: which classes reach the weaver, when the
 * weaver is made (once, on the first class that needs it, never for the others), and that a failing
 * filter or weaver never reaches the JVM.
 */
class PrefilteringTransformerTest {

  private static final byte[] WOVEN = {1, 2, 3};

  private final List<String> asked = new ArrayList<>();
  private final List<String> made = new ArrayList<>();
  private final List<String> woven = new ArrayList<>();

  @Test
  void classesNoInstrumentationMayWeaveNeverMakeTheWeaver() throws IOException {
    PrefilteringTransformer filter = filter(outline -> outline.hasConstant(ClassOutline.encode("weave-me")));
    assertNull(transform(filter, Plain.class));
    assertNull(transform(filter, AlsoPlain.class));
    assertEquals(List.of(internal(Plain.class), internal(AlsoPlain.class)), asked);
    assertEquals(List.of(), made, "no class needed weaving: no Byte Buddy");
  }

  @Test
  void theFirstClassThatMayBeWovenMakesTheWeaverOnceAndLaterOnesReuseIt() throws IOException {
    PrefilteringTransformer filter = filter(outline -> outline.hasConstant(ClassOutline.encode("weave-me")));
    assertNull(transform(filter, Plain.class));
    assertArrayEquals(WOVEN, transform(filter, Marked.class));
    assertArrayEquals(WOVEN, transform(filter, AlsoMarked.class));
    assertEquals(List.of(internal(Marked.class)), made, "made once, for the first class that needed it");
    assertEquals(List.of(internal(Marked.class), internal(AlsoMarked.class)), woven);
  }

  @Test
  void ignoredNamesNeverReachTheInstrumentations() throws IOException {
    PrefilteringTransformer filter =
        new PrefilteringTransformer(new IgnoredNames(List.of("prefilterfixtures.PrefilterFixtures$Also*")),
            List.of(instrumentation(outline -> true)), Map.of(), factory(), () -> {});
    assertNull(transform(filter, AlsoMarked.class));
    assertNull(filter.transform(null, null, "java/util/ArrayList", null, null, bytes(ArrayList.class)));
    assertNull(filter.transform(null, null, "io/weft/shaded/net/bytebuddy/ByteBuddy", null, null, new byte[0]));
    assertEquals(List.of(), asked);
    assertEquals(List.of(), made);
  }

  @Test
  void classesOfAnExcludedClassLoaderNeverReachTheInstrumentations() throws IOException {
    ClassLoader loader = Marked.class.getClassLoader(); // the application class loader
    String loaderName = loader.getClass().getName();
    for (List<String> excluded : List.of(List.of(loaderName), List.of(loaderName.substring(0, 10) + "*"))) {
      PrefilteringTransformer filter = new PrefilteringTransformer(new IgnoredNames(List.of(), excluded),
          List.of(instrumentation(outline -> true)), Map.of(), factory(), () -> {});
      assertNull(transform(filter, Marked.class), excluded::toString);
    }
    assertEquals(List.of(), asked);
    PrefilteringTransformer other = new PrefilteringTransformer(new IgnoredNames(List.of(), List.of("com.acme.PluginLoader", "org.other*")),
        List.of(instrumentation(outline -> true)), Map.of(), factory(), () -> {});
    assertArrayEquals(WOVEN, transform(other, Marked.class), "another loader's name excludes nothing else");
    assertTrue(!new IgnoredNames(List.of(), List.of(loaderName)).ignoresLoader(null), "the boot loader is not excluded by name");
  }

  @Test
  void aFilterThatThrowsCountsAsMaybeAndAWeaverThatCannotBeMadeTurnsWeavingOffWithOneLine() throws IOException {
    PrefilteringTransformer throwing = filter(outline -> {
      throw new IllegalStateException("filter bug");
    });
    assertArrayEquals(WOVEN, transform(throwing, Plain.class), "in doubt, Byte Buddy decides");

    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      PrefilteringTransformer broken =
          new PrefilteringTransformer(new IgnoredNames(List.of()), List.of(instrumentation(outline -> true)), Map.of(), name -> {
            throw new LinkageError("no Byte Buddy");
          }, () -> {});
      assertNull(transform(broken, Plain.class));
      assertNull(transform(broken, Marked.class));
    } finally {
      System.setErr(stderr);
    }
    List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(1, lines.size(), lines.toString());
    assertTrue(lines.get(0).startsWith("[weft] weaving is off") && lines.get(0).contains("no Byte Buddy"), lines.get(0));
  }

  /**
   * What the agent starts an instrumentation with: called after each class an instrumentation wove, before
   * the class goes back to the JVM, and never for a class it left alone.
   */
  @Test
  void eachWovenClassRunsItsInstrumentationsCallbackBeforeItIsHandedBack() throws IOException {
    List<String> calls = new ArrayList<>();
    TypeInstrumentation direct = directly(outline -> !outline.internalName().endsWith("$Plain"),
        outline -> outline.hasConstant(ClassOutline.encode("weave-me")));
    TypeInstrumentation viaByteBuddy = instrumentation(outline -> outline.internalName().endsWith("AlsoMarked"));
    PrefilteringTransformer filter = new PrefilteringTransformer(new IgnoredNames(List.of()), List.of(direct, viaByteBuddy),
        Map.of(direct, () -> calls.add("direct " + woven.size()), viaByteBuddy, () -> calls.add("byte buddy " + woven.size())),
        factory(), () -> calls.add("before the first"));

    assertNull(transform(filter, Plain.class));
    assertEquals(List.of(), calls, "nothing woven, nothing started");
    assertArrayEquals(WOVEN, transform(filter, Marked.class));
    assertEquals(List.of("before the first", "direct 0"), calls);
    assertArrayEquals(WOVEN, transform(filter, AlsoMarked.class));
    assertEquals(List.of("before the first", "direct 0", "direct 0", "byte buddy 1"), calls,
        "woven directly, then by Byte Buddy: each callback after its own weaving");
  }

  @Test
  void aCallbackThatFailsIsReportedAndTheClassStillGoesBackWoven() throws IOException {
    TypeInstrumentation direct = directly(outline -> true, outline -> true);
    PrefilteringTransformer filter = new PrefilteringTransformer(new IgnoredNames(List.of()), List.of(direct),
        Map.of(direct, () -> {
          throw new IllegalStateException("start failed");
        }), factory(), () -> {});
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertArrayEquals(WOVEN, transform(filter, Plain.class));
    } finally {
      System.setErr(stderr);
    }
    String line = captured.toString(StandardCharsets.UTF_8).trim();
    assertTrue(line.startsWith("[weft] internal error in starting an instrumentation") && line.contains("start failed"), line);
  }

  /**
   * An instrumentation with a sieve: its type instrumentations are made on the first class the sieve passes, which they
   * then weave, and never before; classes after it go to them whether or not they pass (the sieve only says when to make).
   */
  @Test
  void deferredTypeInstrumentationsAreMadeOnTheFirstClassTheirSievePassesWhichTheyWeave() throws IOException {
    List<String> calls = new ArrayList<>();
    TypeInstrumentation direct = directly(outline -> true, outline -> !outline.internalName().endsWith("$Plain"));
    Deferred servlet = new Deferred("servlet", Sieve.of(new String[0], new String[] {"serve"}, List.of()), List.of(direct));
    PrefilteringTransformer filter = new PrefilteringTransformer(new IgnoredNames(List.of()), List.of(), Map.of(),
        List.of(servlet.waiting(() -> calls.add("woven " + servlet.made))), factory(), () -> calls.add("before the first"));

    assertNull(transform(filter, Plain.class));
    assertNull(transform(filter, Marked.class));
    assertEquals(0, servlet.made, "no class its sieve passes: nothing made");
    assertArrayEquals(WOVEN, transform(filter, Serving.class));
    assertEquals(1, servlet.made);
    assertEquals(List.of("before the first", "woven 1"), calls, "made, then the class that passed woven by what was made");
    assertArrayEquals(WOVEN, transform(filter, AlsoMarked.class));
    assertNull(transform(filter, Plain.class));
    assertEquals(1, servlet.made, "made once");
    assertEquals(List.of("before the first", "woven 1", "woven 1"), calls);
    assertEquals(List.of(), made, "woven directly: no Byte Buddy");
  }

  @Test
  void aSieveNoClassPassesMakesNothingAndAnotherInstrumentationsSieveMakesOnlyItsOwn() throws IOException {
    TypeInstrumentation logging = directly(outline -> true, outline -> true);
    TypeInstrumentation jdbc = directly(outline -> true, outline -> true);
    Deferred logs = new Deferred("logging", Sieve.classes("ch/qos/logback/classic/Logger"), List.of(logging));
    Deferred statements = new Deferred("jdbc", Sieve.classes(internal(AlsoPlain.class)), List.of(jdbc));
    PrefilteringTransformer filter = new PrefilteringTransformer(new IgnoredNames(List.of()), List.of(), Map.of(),
        List.of(logs.waiting(() -> {}), statements.waiting(() -> {})), factory(), () -> {});

    assertNull(transform(filter, Plain.class));
    assertArrayEquals(WOVEN, transform(filter, AlsoPlain.class));
    assertArrayEquals(WOVEN, transform(filter, Serving.class));
    assertEquals(0, logs.made);
    assertEquals(1, statements.made);
  }

  /** Two threads whose classes both pass the sieve at once: one makes, the other waits for it and weaves with what it made. */
  @Test
  void twoThreadsPassingTheSieveAtOnceMakeTheTypeInstrumentationsOnce() throws Exception {
    TypeInstrumentation direct = directly(outline -> true, outline -> true);
    CountDownLatch making = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Deferred servlet = new Deferred("servlet", Sieve.of(new String[] {internal(Marked.class), internal(AlsoMarked.class)},
        new String[0], List.of()), List.of(direct)) {
      @Override
      public List<TypeInstrumentation> typeInstrumentations(InstrumentationConfig config) {
        making.countDown();
        await(release);
        return super.typeInstrumentations(config);
      }
    };
    PrefilteringTransformer filter = new PrefilteringTransformer(new IgnoredNames(List.of()), List.of(), Map.of(),
        List.of(servlet.waiting(() -> {})), factory(), () -> {});
    List<Thread> started = new java.util.concurrent.CopyOnWriteArrayList<>();
    ExecutorService threads = Executors.newFixedThreadPool(2, task -> {
      Thread thread = new Thread(task);
      started.add(thread);
      return thread;
    });
    try {
      Future<byte[]> first = threads.submit(() -> transform(filter, Marked.class));
      assertTrue(making.await(10, TimeUnit.SECONDS));
      Future<byte[]> second = threads.submit(() -> transform(filter, AlsoMarked.class));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (started.size() < 2 || started.get(1).getState() != Thread.State.BLOCKED) {
        assertTrue(System.nanoTime() < deadline, "the second thread never waited for the first one's making");
        Thread.onSpinWait();
      }
      release.countDown();
      assertArrayEquals(WOVEN, first.get(10, TimeUnit.SECONDS));
      assertArrayEquals(WOVEN, second.get(10, TimeUnit.SECONDS));
    } finally {
      threads.shutdownNow();
    }
    assertEquals(1, servlet.made);
  }

  /** Making fails: one line, the class is left as it is, and the instrumentation is not made again on every class. */
  @Test
  void typeInstrumentationsThatCannotBeMadeAreReportedOnceAndTheClassIsLeftAlone() throws IOException {
    Deferred broken = new Deferred("servlet", Sieve.of(new String[0], new String[] {"serve"}, List.of()), List.of()) {
      @Override
      public List<TypeInstrumentation> typeInstrumentations(InstrumentationConfig config) {
        made++;
        throw new IllegalStateException("no servlet API here");
      }
    };
    TypeInstrumentation viaByteBuddy = instrumentation(outline -> false);
    Deferred notDirect = new Deferred("jdbc", Sieve.of(new String[0], new String[] {"serve"}, List.of()), List.of(viaByteBuddy));
    PrefilteringTransformer filter = new PrefilteringTransformer(new IgnoredNames(List.of()), List.of(), Map.of(),
        List.of(broken.waiting(() -> {}), notDirect.waiting(() -> {})), factory(), () -> {});
    String lines = stderrOf(() -> {
      assertNull(transform(filter, Serving.class));
      assertNull(transform(filter, Serving.class));
    });
    assertEquals(1, broken.made);
    assertEquals(1, notDirect.made);
    List<String> reported = lines.lines().collect(java.util.stream.Collectors.toList());
    assertEquals(2, reported.size(), lines);
    assertTrue(reported.get(0).startsWith("[weft] internal error in making the type instrumentations of servlet")
        && reported.get(0).contains("no servlet API here"), lines);
    assertTrue(reported.get(1).startsWith("[weft] internal error in making the type instrumentations of jdbc")
        && reported.get(1).contains("does not weave directly"), lines);
    assertEquals(List.of(), asked, "a type instrumentation that does not weave directly is not asked either");
  }

  /** A {@link WeftInstrumentation} with a sieve, counting how often its type instrumentations are made. */
  private static class Deferred implements WeftInstrumentation {
    final String name;
    final Sieve sieve;
    final List<TypeInstrumentation> types;
    int made;

    Deferred(String name, Sieve sieve, List<TypeInstrumentation> types) {
      this.name = name;
      this.sieve = sieve;
      this.types = types;
    }

    DeferredTypes waiting(Runnable onWoven) {
      return new DeferredTypes(this, sieve, new io.weft.agent.config.WeftConfig(Map.of(), Map.of(), line -> {}), onWoven);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations(InstrumentationConfig config) {
      made++;
      return types;
    }

    @Override
    public Sieve sieve(InstrumentationConfig config) {
      return sieve;
    }

    @Override
    public void start(OpenTelemetry openTelemetry, SpanPipeline spans, InstrumentationConfig config) {}
  }

  private static void await(CountDownLatch latch) {
    try {
      assertTrue(latch.await(10, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private interface IoAction {
    void run() throws IOException;
  }

  private static String stderrOf(IoAction action) throws IOException {
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(stderr);
    }
    return captured.toString(StandardCharsets.UTF_8).trim();
  }

  /** A type instrumentation that weaves directly, a class it {@code weaves} into {@link #WOVEN}. */
  private static TypeInstrumentation directly(Predicate<ClassOutline> mayWeave, Predicate<ClassOutline> weaves) {
    return new TypeInstrumentation() {
      @Override
      public boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
        return mayWeave.test(classFile);
      }

      @Override
      public boolean weavesDirectly() {
        return true;
      }

      @Override
      public byte[] weaveDirectly(ClassLoader loader, ClassOutline classFile, byte[] bytes) {
        return weaves.test(classFile) ? WOVEN : null;
      }

      @Override
      public ElementMatcher<? super TypeDescription> typeMatcher() {
        throw new AssertionError("woven directly");
      }

      @Override
      public void transform(Advisor advisor) {
        throw new AssertionError("woven directly");
      }
    };
  }

  private PrefilteringTransformer filter(Predicate<ClassOutline> mayWeave) {
    return new PrefilteringTransformer(new IgnoredNames(List.of()), List.of(instrumentation(mayWeave)), Map.of(), factory(), () -> {});
  }

  private PrefilteringTransformer.WeaverFactory factory() {
    return firstClass -> {
      made.add(firstClass);
      return new ClassFileTransformer() {
        @Override
        public byte[] transform(Module module, ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
          woven.add(name);
          return WOVEN;
        }
      };
    };
  }

  private TypeInstrumentation instrumentation(Predicate<ClassOutline> mayWeave) {
    return new TypeInstrumentation() {
      @Override
      public boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
        asked.add(classFile.internalName());
        return mayWeave.test(classFile);
      }

      @Override
      public ElementMatcher<? super TypeDescription> typeMatcher() {
        throw new AssertionError("not a Byte Buddy test");
      }

      @Override
      public void transform(Advisor advisor) {
        throw new AssertionError("not a Byte Buddy test");
      }
    };
  }

  private static byte[] transform(PrefilteringTransformer filter, Class<?> type) throws IOException {
    return filter.transform(null, type.getClassLoader(), internal(type), null, null, bytes(type));
  }

  private static String internal(Class<?> type) {
    return type.getName().replace('.', '/');
  }

  private static byte[] bytes(Class<?> type) throws IOException {
    try (InputStream in = type.getResourceAsStream("/" + internal(type) + ".class")) {
      return in.readAllBytes();
    }
  }

}
