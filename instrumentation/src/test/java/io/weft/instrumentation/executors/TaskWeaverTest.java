package io.weft.instrumentation.executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.bridge.ContextBridge;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.RunnableFuture;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.SimpleRemapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The weaving of the running JDK's own task classes: which methods get which bridge call, and, for {@code
 * FutureTask}, the woven class itself run (renamed out of {@code java.}, so that a test may define it, and
 * verified by the JVM as it is defined).
 */
class TaskWeaverTest {

  private final List<String> debug = new ArrayList<>();

  @AfterEach
  void uninstall() {
    ContextBridge.install(null);
  }

  @Test
  void onlyTheTaskClassesAreWoven() {
    assertTrue(TaskWeaver.weaves("java/util/concurrent/FutureTask"));
    assertTrue(TaskWeaver.weaves("java/util/concurrent/CompletableFuture"));
    assertTrue(TaskWeaver.weaves("java/util/concurrent/ForkJoinTask$AdaptedCallable"));
    assertTrue(TaskWeaver.weaves("java/util/concurrent/ThreadPoolExecutor"));
    assertFalse(TaskWeaver.weaves("java/util/concurrent/ScheduledThreadPoolExecutor"), "its tasks are FutureTasks");
    assertFalse(TaskWeaver.weaves("java/util/concurrent/FutureTask$WaitNode"));
    assertFalse(TaskWeaver.weaves("com/example/FutureTask"));
    assertNull(TaskWeaver.weave("java/util/concurrent/Executors", jdkClass("java/util/concurrent/Executors"), debug::add));
    assertTrue(TaskWeaver.classNames().contains("java.util.concurrent.FutureTask"));
  }

  @Test
  void futureTaskWrapsItsCallableAtTheEndOfBothConstructors() {
    Map<String, List<String>> calls = bridgeCalls(weave("java/util/concurrent/FutureTask"));
    assertEquals(Map.of(
        "<init>(Ljava/util/concurrent/Callable;)V", List.of("futureTask"),
        "<init>(Ljava/lang/Runnable;Ljava/lang/Object;)V", List.of("futureTask")), calls);
  }

  @Test
  void completableFutureWrapsTheTaskArgumentsOfItsAsyncMethodsOnly() {
    Map<String, List<String>> calls = bridgeCalls(weave("java/util/concurrent/CompletableFuture"));
    String cf = "Ljava/util/concurrent/CompletableFuture;";
    String executor = "Ljava/util/concurrent/Executor;";
    String stage = "Ljava/util/concurrent/CompletionStage;";
    assertEquals(List.of("supplier"), calls.get("supplyAsync(Ljava/util/function/Supplier;)" + cf));
    assertEquals(List.of("supplier"), calls.get("supplyAsync(Ljava/util/function/Supplier;" + executor + ")" + cf));
    assertEquals(List.of("runnable"), calls.get("runAsync(Ljava/lang/Runnable;" + executor + ")" + cf));
    assertEquals(List.of("function"), calls.get("thenApplyAsync(Ljava/util/function/Function;)" + cf));
    assertEquals(List.of("consumer"), calls.get("thenAcceptAsync(Ljava/util/function/Consumer;" + executor + ")" + cf));
    assertEquals(List.of("biFunction"), calls.get("thenCombineAsync(" + stage + "Ljava/util/function/BiFunction;)" + cf));
    assertEquals(List.of("biConsumer"), calls.get("whenCompleteAsync(Ljava/util/function/BiConsumer;)" + cf));
    assertEquals(List.of("runnable"), calls.get("runAfterBothAsync(" + stage + "Ljava/lang/Runnable;" + executor + ")" + cf));
    assertEquals(List.of("supplier"), calls.get("completeAsync(Ljava/util/function/Supplier;)" + cf));
    for (Map.Entry<String, List<String>> method : calls.entrySet()) {
      assertTrue(method.getKey().contains("Async("), "only *Async methods are woven: " + method.getKey());
      assertEquals(1, method.getValue().size(), "one task argument each: " + method);
    }
    assertNull(calls.get("thenApply(Ljava/util/function/Function;)" + cf), "a synchronous stage runs on a known thread");
  }

  @Test
  void threadPoolExecutorRemembersOnExecuteAndRunsTheWorkersTaskThroughTheBridge() {
    byte[] woven = weave("java/util/concurrent/ThreadPoolExecutor");
    assertEquals(Map.of(
        "execute(Ljava/lang/Runnable;)V", List.of("execute"),
        "runWorker(Ljava/util/concurrent/ThreadPoolExecutor$Worker;)V", List.of("runWorkerTask")), bridgeCalls(woven));
    assertEquals(List.of(), calls(woven, "runWorker", "java/lang/Runnable", "run"), "no task.run() left in runWorker");
    assertEquals(List.of("run"), calls(jdkClass("java/util/concurrent/ThreadPoolExecutor"), "runWorker", "java/lang/Runnable", "run"),
        "the JDK's runWorker has the one task.run() that is replaced");
  }

  @Test
  void forkJoinAdaptersWrapTheirTaskArgumentOnEntry() {
    assertEquals(Map.of("<init>(Ljava/util/concurrent/Callable;)V", List.of("adaptedCallable")),
        bridgeCalls(weave("java/util/concurrent/ForkJoinTask$AdaptedCallable")));
    assertEquals(Map.of("<init>(Ljava/lang/Runnable;Ljava/lang/Object;)V", List.of("adaptedRunnable")),
        bridgeCalls(weave("java/util/concurrent/ForkJoinTask$AdaptedRunnable")));
    assertEquals(Map.of("<init>(Ljava/lang/Runnable;)V", List.of("adaptedRunnable")),
        bridgeCalls(weave("java/util/concurrent/ForkJoinTask$RunnableExecuteAction")));
  }

  @Test
  void forkJoinTasksRememberWhereTheyAreForkedOrSubmittedAndRunUnderIt() {
    String task = "Ljava/util/concurrent/ForkJoinTask;";
    Map<String, List<String>> taskCalls = bridgeCalls(weave("java/util/concurrent/ForkJoinTask"));
    String doExec = taskCalls.keySet().stream().filter(k -> k.startsWith("doExec()")).findFirst().orElseThrow();
    assertEquals(Map.of("fork()" + task, List.of("fork"), doExec, List.of("forkedEnter", "forkedExit", "forkedExit")),
        taskCalls, "doExec: enter, exit on return, exit on a throw");
    Map<String, List<String>> poolCalls = bridgeCalls(weave("java/util/concurrent/ForkJoinPool"));
    assertEquals(List.of("fork"), poolCalls.get("invoke(" + task + ")Ljava/lang/Object;"));
    assertEquals(List.of("fork"), poolCalls.get("submit(" + task + ")" + task));
    assertEquals(List.of("fork"), poolCalls.get("execute(" + task + ")V"));
    assertEquals(3, poolCalls.size(), "the Runnable and Callable ways in are the adapters': " + poolCalls);
    assertTrue(TaskWeaver.classNames().contains("java.util.concurrent.ForkJoinTask"));
    assertTrue(TaskWeaver.classNames().contains("java.util.concurrent.ForkJoinPool"));
  }

  @Test
  void aClassWithoutTheExpectedShapeIsLeftAlone() {
    byte[] renamed = rename(jdkClass("java/util/concurrent/FutureTask$WaitNode"),
        Map.of("java/util/concurrent/FutureTask$WaitNode", "java/util/concurrent/FutureTask"));
    assertNull(TaskWeaver.weave("java/util/concurrent/FutureTask", renamed, debug::add));
    assertTrue(debug.get(debug.size() - 1).contains("no field callable"), debug.toString());
    assertNull(TaskWeaver.weave("java/util/concurrent/FutureTask", new byte[] {1, 2, 3}, debug::add), "unreadable: left alone");
    byte[] noWorker = rename(jdkClass("java/util/concurrent/ForkJoinTask$AdaptedRunnable"),
        Map.of("java/util/concurrent/ForkJoinTask$AdaptedRunnable", "java/util/concurrent/ThreadPoolExecutor"));
    assertNull(TaskWeaver.weave("java/util/concurrent/ThreadPoolExecutor", noWorker, debug::add),
        "a pool without the runWorker that takes the contexts back does not remember them either");
    assertTrue(debug.get(debug.size() - 1).contains("no method runWorker"), debug.toString());
  }

  @Test
  @SuppressWarnings("unchecked")
  void theWovenFutureTaskRunsItsCallableUnderTheContextOfItsMaking() throws Exception {
    Map<String, String> names = Map.of(
        "java/util/concurrent/FutureTask", "weftfixture/FutureTask",
        "java/util/concurrent/FutureTask$WaitNode", "weftfixture/FutureTask$WaitNode");
    Map<String, byte[]> classes = new HashMap<>();
    classes.put("weftfixture.FutureTask", rename(weave("java/util/concurrent/FutureTask"), names));
    classes.put("weftfixture.FutureTask$WaitNode", rename(jdkClass("java/util/concurrent/FutureTask$WaitNode"), names));
    Class<?> futureTask = new FixtureLoader(classes).loadClass("weftfixture.FutureTask");

    String[] current = {null};
    List<String> log = new ArrayList<>();
    ContextBridge.install(new ContextBridge.Handler() {
      @Override
      public Object capture() {
        return current[0];
      }

      @Override
      public Object attach(Object context) {
        log.add("attach " + context);
        String before = current[0];
        current[0] = (String) context;
        return new String[] {before};
      }

      @Override
      public void restore(Object scope) {
        current[0] = ((String[]) scope)[0];
        log.add("restore " + current[0]);
      }

      @Override
      public void remember(Object task) {}

      @Override
      public Object recall(Object task) {
        return null;
      }
    });

    current[0] = "request";
    RunnableFuture<String> ofCallable = (RunnableFuture<String>) futureTask.getConstructor(Callable.class)
        .newInstance((Callable<String>) () -> "callable in " + current[0]);
    String[] ranIn = {null};
    RunnableFuture<String> ofRunnable = (RunnableFuture<String>) futureTask.getConstructor(Runnable.class, Object.class)
        .newInstance((Runnable) () -> ranIn[0] = current[0], "result");
    current[0] = null; // made in the request, run elsewhere
    ofCallable.run();
    ofRunnable.run();
    assertEquals("callable in request", ofCallable.get());
    assertEquals("result", ofRunnable.get());
    assertEquals("request", ranIn[0]);
    assertNull(current[0]);
    assertEquals(List.of("attach request", "restore null", "attach request", "restore null"), log);

    // made where only the root is current: the callable is the application's own, unwrapped
    Callable<String> plain = () -> "plain";
    Future<String> unwrapped = (Future<String>) futureTask.getConstructor(Callable.class).newInstance(plain);
    assertTrue(unwrapped.toString().contains(String.valueOf(plain)), unwrapped.toString());
    ((RunnableFuture<String>) unwrapped).run();
    assertEquals("plain", unwrapped.get());
    assertEquals(4, log.size(), "nothing attached for it");
  }

  private byte[] weave(String internalName) {
    byte[] woven = TaskWeaver.weave(internalName, jdkClass(internalName), debug::add);
    assertNotNull(woven, internalName + " was not woven: " + debug);
    return woven;
  }

  private static byte[] jdkClass(String internalName) {
    try (InputStream in = ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
      assertNotNull(in, internalName);
      return in.readAllBytes();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] rename(byte[] classFile, Map<String, String> names) {
    ClassWriter writer = new ClassWriter(0);
    new ClassReader(classFile).accept(new ClassRemapper(writer, new SimpleRemapper(names)), 0);
    return writer.toByteArray();
  }

  /** Per method ({@code name + descriptor}) with any, the {@code ContextBridge} methods it calls, in order. */
  private static Map<String, List<String>> bridgeCalls(byte[] classFile) {
    Map<String, List<String>> calls = new TreeMap<>();
    new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
        return new MethodVisitor(Opcodes.ASM9) {
          @Override
          public void visitMethodInsn(int opcode, String owner, String method, String methodDescriptor, boolean isInterface) {
            if (owner.equals(TaskWeaver.BRIDGE)) {
              calls.computeIfAbsent(name + descriptor, k -> new ArrayList<>()).add(method);
            }
          }
        };
      }
    }, 0);
    return calls;
  }

  /** The calls from {@code method} (by name) to {@code owner.name}. */
  private static List<String> calls(byte[] classFile, String method, String owner, String name) {
    List<String> calls = new ArrayList<>();
    new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
      @Override
      public MethodVisitor visitMethod(int access, String methodName, String descriptor, String signature, String[] exceptions) {
        if (!methodName.equals(method)) {
          return null;
        }
        return new MethodVisitor(Opcodes.ASM9) {
          @Override
          public void visitMethodInsn(int opcode, String calledOwner, String calledName, String calledDescriptor, boolean isInterface) {
            if (calledOwner.equals(owner) && calledName.equals(name)) {
              calls.add(calledName);
            }
          }
        };
      }
    }, 0);
    return calls;
  }

  private static final class FixtureLoader extends ClassLoader {
    private final Map<String, byte[]> classes;

    FixtureLoader(Map<String, byte[]> classes) {
      super(TaskWeaverTest.class.getClassLoader());
      this.classes = classes;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      byte[] bytes = classes.get(name);
      if (bytes == null) {
        throw new ClassNotFoundException(name);
      }
      return defineClass(name, bytes, 0, bytes.length);
    }
  }
}
