package io.weft.agent.weave;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.instrumentation.ClassOutline;
import io.weft.instrumentation.TypeInstrumentation;
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
import java.util.function.Predicate;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.junit.jupiter.api.Test;
import prefilterfixtures.PrefilterFixtures.AlsoMarked;
import prefilterfixtures.PrefilterFixtures.AlsoPlain;
import prefilterfixtures.PrefilterFixtures.Marked;
import prefilterfixtures.PrefilterFixtures.Plain;

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
