package io.weft.instrumentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.bridge.StateCarrier;
import io.weft.instrumentation.directfixtures.Recorder;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The servlet and JDBC instrumentations' direct weaving: each advice shape on a real class file,
 * defined and run in its own loader (so the JVM verifies the result), with a recording stand-in for the
 * bridge; and the super type look-ups that decide which classes get it.
 */
class DirectAdviceTest {

  private static final String RECORDER = "io/weft/instrumentation/directfixtures/Recorder";
  private static final String TARGET = "io.weft.instrumentation.directfixtures.Target";
  private static final DirectAdvice AROUND =
      DirectAdvice.around(RECORDER, "enter", "(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;", "exit", DirectAdvice.THIS, 0);
  private final List<String> debug = new ArrayList<>();

  @BeforeEach
  void clear() {
    Recorder.calls.clear();
  }

  @Test
  void aroundAdviceSeesEveryReturnAndEveryThrowAndChangesNothing() throws Exception {
    Class<?> target = woven((access, name, descriptor) -> name.equals("echo") || name.equals("fails") || name.equals("caughtInside") ? AROUND : null, 3);
    Object instance = target.getConstructor().newInstance();

    assertEquals("a13x", target.getMethod("echo", String.class, long.class, Object.class).invoke(instance, "a", 10L, "x"));
    assertEquals("none", target.getMethod("echo", String.class, long.class, Object.class).invoke(instance, null, 10L, "x"));
    assertEquals(List.of("enter Target a", "exit call#1 -", "enter Target null", "exit call#3 -"), Recorder.calls);

    Recorder.calls.clear();
    InvocationTargetException thrown =
        assertThrows(InvocationTargetException.class, () -> target.getMethod("fails", String.class).invoke(instance, "boom"));
    assertEquals("boom", thrown.getCause().getMessage());
    assertEquals("fails", thrown.getCause().getStackTrace()[0].getMethodName(), "the application's frame stays on top");
    assertEquals(List.of("enter Target boom", "exit call#1 IllegalStateException:boom"), Recorder.calls);

    Recorder.calls.clear();
    assertEquals("text", target.getMethod("caughtInside", String.class).invoke(instance, "abc"));
    assertEquals(List.of("enter Target abc", "exit call#1 -"), Recorder.calls, "the method's own handler came first");
  }

  @Test
  void aroundReturningAdviceGetsWhatEachReturnGaveAndEveryThrow() throws Exception {
    DirectAdvice returning = DirectAdvice.aroundReturning(RECORDER, "enter", "(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;",
        "exitReturning", DirectAdvice.THIS, 0);
    Class<?> target = woven((access, name, descriptor) -> name.equals("echo") || name.equals("fails") || name.equals("made")
        || name.equals("set") || name.equals("caughtInside") ? returning : null, 5);
    Object instance = target.getConstructor().newInstance();

    assertEquals("a13x", target.getMethod("echo", String.class, long.class, Object.class).invoke(instance, "a", 10L, "x"));
    assertEquals("none", target.getMethod("echo", String.class, long.class, Object.class).invoke(instance, null, 10L, "x"));
    assertEquals("lqs", target.getMethod("made", String.class).invoke(instance, "sql"));
    assertEquals("text", target.getMethod("caughtInside", String.class).invoke(instance, "abc"));
    assertEquals(List.of("enter Target a", "exit call#1 returned a13x -", "enter Target null", "exit call#3 returned none -",
        "enter Target sql", "exit call#5 returned lqs -", "enter Target abc", "exit call#7 returned text -"), Recorder.calls);

    Recorder.calls.clear();
    InvocationTargetException thrown =
        assertThrows(InvocationTargetException.class, () -> target.getMethod("fails", String.class).invoke(instance, "boom"));
    assertEquals("boom", thrown.getCause().getMessage());
    assertEquals(List.of("enter Target boom", "exit call#1 returned null IllegalStateException:boom"), Recorder.calls);

    Recorder.calls.clear(); // a method returning nothing, or a primitive, hands over null
    target.getMethod("set", int.class, long.class, boolean.class, double.class, char.class, byte.class, short.class, float.class,
        Object.class).invoke(instance, 1, 2L, true, 3.0, 'c', (byte) 4, (short) 5, 6f, "v");
    assertEquals(List.of("enter Target null", "exit call#1 returned null -"), Recorder.calls); // its first argument is no reference
  }

  @Test
  void afterReturnAdviceGetsTheReturnedValueAndTheArgument() throws Exception {
    DirectAdvice after = DirectAdvice.afterReturn(RECORDER, "after", "(Ljava/lang/Object;Ljava/lang/String;)V", DirectAdvice.RETURNED, 0);
    Class<?> target = woven((access, name, descriptor) -> name.equals("made") ? after : null, 1);
    Object instance = target.getConstructor().newInstance();
    assertEquals("cba", target.getMethod("made", String.class).invoke(instance, "abc"));
    assertEquals(List.of("after cba abc"), Recorder.calls);
  }

  @Test
  void boxedLoadsPassEveryPrimitiveAsItsWrapperAndReferencesAsTheyAre() throws Exception {
    DirectAdvice boxed = DirectAdvice.afterReturn(RECORDER, "boxed", "(" + "Ljava/lang/Object;".repeat(10) + ")V",
        DirectAdvice.THIS, DirectAdvice.boxed(0), DirectAdvice.boxed(1), DirectAdvice.boxed(2), DirectAdvice.boxed(3),
        DirectAdvice.boxed(4), DirectAdvice.boxed(5), DirectAdvice.boxed(6), DirectAdvice.boxed(7), DirectAdvice.boxed(8));
    Class<?> target = woven((access, name, descriptor) -> name.equals("set") ? boxed : null, 1);
    Object instance = target.getConstructor().newInstance();
    Method set = target.getMethod("set", int.class, long.class, boolean.class, double.class, char.class, byte.class,
        short.class, float.class, Object.class);
    set.invoke(instance, 3, 1L << 40, true, 2.5, 'q', (byte) -1, (short) 300, 1.5f, "text");
    set.invoke(instance, 1, 0L, false, 0.0, 'a', (byte) 0, (short) 0, 0f, null);
    assertEquals(List.of(
        "boxed Integer:3 Long:1099511627776 Boolean:true Double:2.5 Character:q Byte:-1 Short:300 Float:1.5 String:text",
        "boxed Integer:1 Long:0 Boolean:false Double:0.0 Character:a Byte:0 Short:0 Float:0.0 null"), Recorder.calls);
    Recorder.calls.clear();
    assertThrows(InvocationTargetException.class, () -> set.invoke(instance, -1, 0L, false, 0.0, 'a', (byte) 0,
        (short) 0, 0f, null));
    assertEquals(List.of(), Recorder.calls, "after-return: not on a throw");
  }

  @Test
  void aReplacedArgumentIsWhatTheMethodUses() throws Exception {
    DirectAdvice replace = DirectAdvice.replaceArgument(RECORDER, "replace", "(Ljava/lang/Runnable;)Ljava/lang/Runnable;", 0);
    Class<?> target = woven((access, name, descriptor) -> name.equals("run") ? replace : null, 1);
    AtomicInteger ran = new AtomicInteger();
    target.getMethod("run", Runnable.class).invoke(target.getConstructor().newInstance(), (Runnable) ran::incrementAndGet);
    assertEquals(1, ran.get());
    assertEquals(List.of("wrapped"), Recorder.calls);
  }

  @Test
  void nothingSelectedLeavesTheClassFileAlone() throws IOException {
    assertNull(DirectAdvice.weave("x/Target", bytes(TARGET), (access, name, descriptor) -> null, debug::add));
    assertNull(DirectAdvice.weave("x/Broken", new byte[] {1, 2, 3}, (access, name, descriptor) -> AROUND, debug::add));
    assertTrue(debug.get(0).startsWith("could not weave x.Broken"), debug.toString());
  }

  @Test
  void constructorsAndStaticInitializersAreNeverOffered() throws IOException {
    List<String> offered = new ArrayList<>();
    DirectAdvice.weave("x/Target", bytes(TARGET), (access, name, descriptor) -> {
      offered.add(name);
      return null;
    }, debug::add);
    assertFalse(offered.contains("<init>"), offered.toString());
    assertTrue(offered.contains("echo") && offered.contains("untouched"), offered.toString());
  }

  @Test
  void aClassFileWithoutStackMapFramesGetsNone() throws Exception {
    ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    writer.visit(Opcodes.V1_5, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, "old/Statement", null, "java/lang/Object", null);
    MethodVisitor init = writer.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
    init.visitCode();
    init.visitVarInsn(Opcodes.ALOAD, 0);
    init.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
    init.visitInsn(Opcodes.RETURN);
    init.visitMaxs(0, 0);
    init.visitEnd();
    MethodVisitor execute = writer.visitMethod(Opcodes.ACC_PUBLIC, "execute", "(Ljava/lang/String;)Z", null, null);
    execute.visitCode();
    Label empty = new Label();
    execute.visitVarInsn(Opcodes.ALOAD, 1);
    execute.visitJumpInsn(Opcodes.IFNULL, empty);
    execute.visitInsn(Opcodes.ICONST_1);
    execute.visitInsn(Opcodes.IRETURN);
    execute.visitLabel(empty);
    execute.visitInsn(Opcodes.ICONST_0);
    execute.visitInsn(Opcodes.IRETURN);
    execute.visitMaxs(0, 0);
    execute.visitEnd();
    writer.visitEnd();
    byte[] woven = DirectAdvice.weave("old/Statement", writer.toByteArray(), (access, name, descriptor) -> name.equals("execute") ? AROUND : null, debug::add);
    Class<?> type = define("old.Statement", woven);
    Method method = type.getMethod("execute", String.class);
    Object instance = type.getConstructor().newInstance();
    assertEquals(true, method.invoke(instance, "select 1"));
    assertEquals(false, method.invoke(instance, (Object) null));
    assertEquals(List.of("enter Statement select 1", "exit call#1 -", "enter Statement null", "exit call#3 -"), Recorder.calls);
  }

  @Test
  void superTypesAreReadFromTheLoadersClassFilesAndCached() throws IOException {
    CountingLoader loader = new CountingLoader();
    SuperTypes superTypes = new SuperTypes();
    ClassOutline target = new ClassOutline("io/weft/instrumentation/directfixtures/Target", bytes(TARGET));
    assertTrue(superTypes.reaches(loader, target, List.of("io/weft/instrumentation/directfixtures/Deeper")), "two interfaces up");
    assertTrue(superTypes.reaches(loader, target, List.of("io/weft/instrumentation/directfixtures/Target")), "the class itself");
    assertFalse(superTypes.reaches(loader, target, List.of("java/sql/Statement")));
    assertFalse(superTypes.reaches(loader, target, List.of("java/lang/Runnable")), "java.* types are not walked");
    assertEquals(List.of("io/weft/instrumentation/directfixtures/Marker.class", "io/weft/instrumentation/directfixtures/Deeper.class"),
        loader.asked, "each class file read once; Object never");

    List<String> reached = superTypes.reachedOf(loader, target, List.of("io/weft/instrumentation/directfixtures/Target",
        "io/weft/instrumentation/directfixtures/Deeper", "io/weft/instrumentation/directfixtures/Marker", "java/lang/Runnable"));
    assertEquals(List.of("io/weft/instrumentation/directfixtures/Marker", "io/weft/instrumentation/directfixtures/Deeper"), reached,
        "every wanted super type, the class itself not counted");

    ClassOutline orphan = new ClassOutline("x/Orphan", orphanClassFile());
    assertFalse(superTypes.reaches(loader, orphan, List.of("java/sql/Statement")), "a super type without a class file ends the walk");
  }

  private static byte[] orphanClassFile() {
    ClassWriter writer = new ClassWriter(0);
    writer.visit(Opcodes.V11, Opcodes.ACC_PUBLIC, "x/Orphan", null, "x/Missing", new String[] {"x/AlsoMissing"});
    writer.visitEnd();
    return writer.toByteArray();
  }

  @Test
  void aCarrierGetsTheInterfaceAndAPrivateTransientFieldBehindItsAccessors() throws Exception {
    String carrier = StateCarrier.class.getName().replace('.', '/');
    DirectAdvice.Selector selector = (access, name, descriptor) -> name.equals("echo") ? AROUND : null;
    byte[] woven = DirectAdvice.weave(TARGET.replace('.', '/'), bytes(TARGET), selector, carrier, debug::add);
    assertEquals(List.of("woven " + TARGET + " (1 method(s), directly, carries state)"), debug);
    Class<?> type = define(TARGET, woven);
    assertTrue(StateCarrier.class.isAssignableFrom(type));
    Field field = type.getDeclaredField(DirectAdvice.STATE_FIELD);
    int modifiers = field.getModifiers();
    assertTrue(Modifier.isPrivate(modifiers) && Modifier.isTransient(modifiers) && field.isSynthetic(), Modifier.toString(modifiers));
    for (Method accessor : type.getDeclaredMethods()) {
      if (accessor.getName().equals(DirectAdvice.STATE_FIELD)) {
        assertTrue(accessor.isSynthetic(), accessor + " is the agent's, and says so to reflection");
      }
    }

    StateCarrier instance = (StateCarrier) type.getConstructor().newInstance();
    assertNull(instance.weft$state());
    instance.weft$state("kept");
    assertEquals("kept", instance.weft$state());
    assertEquals("a13x", type.getMethod("echo", String.class, long.class, Object.class).invoke(instance, "a", 10L, "x"),
        "the woven method works as before");

    debug.clear();
    byte[] again = DirectAdvice.weave(TARGET.replace('.', '/'), woven, selector, carrier, debug::add);
    StateCarrier twice = (StateCarrier) define(TARGET, again).getConstructor().newInstance();
    twice.weft$state("once");
    assertEquals(List.of("woven " + TARGET + " (1 method(s), directly)"), debug, "a class that has the field gets no second one");
  }

  /** Records which class files super type look-ups read. */
  private static final class CountingLoader extends ClassLoader {
    final List<String> asked = new ArrayList<>();

    CountingLoader() {
      super(DirectAdviceTest.class.getClassLoader());
    }

    @Override
    public InputStream getResourceAsStream(String name) {
      asked.add(name);
      return super.getResourceAsStream(name);
    }
  }

  private Class<?> woven(DirectAdvice.Selector selector, int expectedMethods) throws Exception {
    byte[] woven = DirectAdvice.weave(TARGET.replace('.', '/'), bytes(TARGET), selector, debug::add);
    assertEquals(List.of("woven " + TARGET + " (" + expectedMethods + " method(s), directly)"), debug);
    Class<?> type = define(TARGET, woven);
    assertSame(Recorder.class, Class.forName(Recorder.class.getName(), false, type.getClassLoader()), "the stand-in bridge is shared");
    return type;
  }

  /** Defines the class alone in a loader of its own; everything else comes from the test's loader. */
  private static Class<?> define(String name, byte[] classFile) throws ClassNotFoundException {
    return new ClassLoader(DirectAdviceTest.class.getClassLoader()) {
      @Override
      protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
        if (className.equals(name)) {
          synchronized (getClassLoadingLock(className)) {
            Class<?> loaded = findLoadedClass(className);
            return loaded != null ? loaded : defineClass(className, classFile, 0, classFile.length);
          }
        }
        return super.loadClass(className, resolve);
      }
    }.loadClass(name, false);
  }

  private static byte[] bytes(String className) throws IOException {
    try (InputStream in = DirectAdviceTest.class.getClassLoader().getResourceAsStream(className.replace('.', '/') + ".class")) {
      return in.readAllBytes();
    }
  }
}
