package io.weft.instrumentation.executors;

import io.weft.instrumentation.DirectAdvice;
import java.util.Set;
import java.util.function.Consumer;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * Weaves {@link io.weft.bridge.ContextBridge} into the JDK classes that take tasks. Where the application can
 * never see the task object again, wrapping it changes nothing the application observes, so it is wrapped:
 *
 * <ul>
 *   <li>{@code FutureTask}'s two constructors: at their end, {@code this.callable =
 *       ContextBridge.futureTask(this.callable, this)}. Every {@code ExecutorService.submit}, {@code invokeAll}
 *       and {@code invokeAny} of an {@code AbstractExecutorService} (thread pools, the virtual-thread executor),
 *       {@code ScheduledExecutorService.schedule} and Spring's {@code @Async} make one; the callable is
 *       private, shown only by {@code toString}, which the wrapper passes on;
 *   <li>{@code CompletableFuture}'s public {@code *Async} methods: each task argument ({@code Supplier},
 *       {@code Runnable}, {@code Function}, {@code Consumer}, {@code BiFunction}, {@code BiConsumer}) is
 *       replaced on entry by {@code ContextBridge.<shape>(argument)};
 *   <li>the constructors of {@code ForkJoinTask}'s adapters of plain tasks ({@code ForkJoinPool.submit},
 *       {@code execute}, {@code invoke} and {@code ForkJoinTask.adapt}) and of the virtual-thread executor's
 *       {@code TaskRunner} ({@code execute}): each {@code Runnable} or {@code Callable} argument of a class not the
 *       JDK's own, on entry (the JDK schedules virtual threads through the same adapters).
 * </ul>
 *
 * <p>A {@code ForkJoinTask} forked ({@code fork()}: parallel streams, an application's {@code RecursiveTask}) or
 * given to a pool as it is ({@code ForkJoinPool.invoke}, {@code submit}, {@code execute} of a {@code ForkJoinTask})
 * moves between queues and is joined by the application, so it is not wrapped either: those methods call {@code
 * ContextBridge.fork(task)} on entry, which remembers the context beside it, and {@code ForkJoinTask.doExec()}, where
 * any fork-join task runs, is woven around with {@code forkedEnter} and {@code forkedExit}.
 *
 * <p>{@code ThreadPoolExecutor.execute}'s {@code Runnable} is the queue's element, handed back by {@code
 * shutdownNow}, {@code getQueue}, {@code remove} and {@code beforeExecute}/{@code afterExecute}, so it is not
 * wrapped: {@code execute} remembers the context beside the task ({@code ContextBridge.execute}, a weak identity
 * map in the agent), and {@code runWorker}'s one {@code task.run()} becomes {@code ContextBridge.runWorkerTask(task)},
 * which runs it under that context.
 *
 * <p>Only code is added, so a class loaded before the agent is retransformed the same way; a class whose shape
 * is not the expected one (another JDK) is left alone, method by method. Methods the weaving does not touch
 * are copied as they are. Agent class loader.
 */
public final class TaskWeaver {

  static final String BRIDGE = "io/weft/bridge/ContextBridge";
  static final String FUTURE_TASK = TaskClasses.FUTURE_TASK;
  static final String COMPLETABLE_FUTURE = TaskClasses.COMPLETABLE_FUTURE;
  static final String THREAD_POOL_EXECUTOR = TaskClasses.THREAD_POOL_EXECUTOR;
  static final String FORK_JOIN_TASK = TaskClasses.FORK_JOIN_TASK;
  static final String FORK_JOIN_POOL = TaskClasses.FORK_JOIN_POOL;
  private static final String FORK_JOIN_TASK_TYPE = "L" + FORK_JOIN_TASK + ";";
  /** {@code ContextBridge.fork(task)} on entry: the context is remembered beside the task. */
  private static final DirectAdvice FORK = DirectAdvice.onEntry(BRIDGE, "fork", "(Ljava/lang/Object;)V", DirectAdvice.THIS);
  private static final DirectAdvice POOL_SUBMIT = DirectAdvice.onEntry(BRIDGE, "fork", "(Ljava/lang/Object;)V", 0);
  /** Around {@code doExec}: the remembered context is current while the task runs. */
  private static final DirectAdvice RUN_FORKED = DirectAdvice.around(BRIDGE, "forkedEnter",
      "(Ljava/lang/Object;)Ljava/lang/Object;", "forkedExit", DirectAdvice.THIS);
  private static final String RUN_WORKER = "(Ljava/util/concurrent/ThreadPoolExecutor$Worker;)V";
  private static final String CALLABLE = "Ljava/util/concurrent/Callable;";
  private static final String RUNNABLE = "Ljava/lang/Runnable;";

  private TaskWeaver() {}

  /** Whether {@link #weave} may change the class with this internal name ({@link TaskClasses#weaves}). */
  public static boolean weaves(String internalName) {
    return TaskClasses.weaves(internalName);
  }

  /** Every class {@link #weaves}, by binary name ({@link TaskClasses#classNames}). */
  public static Set<String> classNames() {
    return TaskClasses.classNames();
  }

  /**
   * The class file with the bridge calls woven in; {@code null} when the class is not one of those {@link
   * #weaves} names, nothing in it has the expected shape, or it cannot be read (then {@code debug} says why).
   */
  public static byte[] weave(String internalName, byte[] classFile, Consumer<String> debug) {
    if (!weaves(internalName)) {
      return null;
    }
    if (internalName.equals(FORK_JOIN_TASK) || internalName.equals(FORK_JOIN_POOL)) {
      // method by method: fork() and doExec() (int on JDK 17, void on 25) of the task, the pool's three ways in
      return DirectAdvice.weave(internalName, classFile, internalName.equals(FORK_JOIN_TASK) ? TASK : POOL, debug);
    }
    try {
      ClassReader reader = new ClassReader(classFile);
      boolean futureTask = internalName.equals(FUTURE_TASK);
      if (futureTask && !has(reader, false, "callable", CALLABLE)) {
        debug.accept("not woven " + internalName.replace('/', '.') + ": it has no field callable");
        return null;
      }
      if (internalName.equals(THREAD_POOL_EXECUTOR) && !has(reader, true, "runWorker", RUN_WORKER)) {
        // execute would remember contexts no worker ever takes
        debug.accept("not woven " + internalName.replace('/', '.') + ": it has no method runWorker" + RUN_WORKER);
        return null;
      }
      ClassWriter writer = new ClassWriter(reader, 0);
      Weaving weaving = new Weaving(writer, internalName, futureTask);
      reader.accept(weaving, 0);
      if (weaving.woven == 0) {
        return null;
      }
      debug.accept("woven " + internalName.replace('/', '.') + " (" + weaving.woven + " method(s)): tasks carry the context");
      return writer.toByteArray();
    } catch (RuntimeException | LinkageError e) {
      debug.accept("could not weave " + internalName.replace('/', '.') + ": " + e);
      return null;
    }
  }

  /** {@code ForkJoinTask}: {@code fork()} remembers, {@code doExec()} runs under what was remembered. */
  private static final DirectAdvice.Selector TASK = new DirectAdvice.Selector() {
    @Override
    public DirectAdvice select(int access, String name, String descriptor) {
      if ((access & Opcodes.ACC_STATIC) != 0) {
        return null;
      }
      if (name.equals("fork") && descriptor.equals("()" + FORK_JOIN_TASK_TYPE)) {
        return FORK;
      }
      return name.equals("doExec") && descriptor.startsWith("()") ? RUN_FORKED : null;
    }
  };

  /** {@code ForkJoinPool.invoke}, {@code submit} and {@code execute} of a {@code ForkJoinTask}: remember it. */
  private static final DirectAdvice.Selector POOL = new DirectAdvice.Selector() {
    @Override
    public DirectAdvice select(int access, String name, String descriptor) {
      boolean entry = (access & (Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC)) == Opcodes.ACC_PUBLIC
          && (name.equals("invoke") || name.equals("submit") || name.equals("execute"));
      return entry && descriptor.startsWith("(" + FORK_JOIN_TASK_TYPE + ")") ? POOL_SUBMIT : null;
    }
  };

  /** Whether the class declares a non-static method (or field) with this name and descriptor. */
  private static boolean has(ClassReader reader, boolean method, String name, String descriptor) {
    boolean[] found = {false};
    reader.accept(new ClassVisitor(Opcodes.ASM9) {
      @Override
      public FieldVisitor visitField(int access, String fieldName, String fieldDescriptor, String signature, Object value) {
        found[0] |= !method && fieldName.equals(name) && fieldDescriptor.equals(descriptor) && (access & Opcodes.ACC_STATIC) == 0;
        return null;
      }

      @Override
      public MethodVisitor visitMethod(int access, String methodName, String methodDescriptor, String signature, String[] exceptions) {
        found[0] |= method && methodName.equals(name) && methodDescriptor.equals(descriptor) && (access & Opcodes.ACC_STATIC) == 0;
        return null;
      }
    }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    return found[0];
  }

  /**
   * The bridge method that wraps an argument of this type descriptor ({@code ContextBridge.<name>}, taking and
   * returning that type); {@code null} for a type that is not a task.
   */
  static String wrapperFor(String descriptor) {
    switch (descriptor) {
      case RUNNABLE:
        return "runnable";
      case CALLABLE:
        return "callable";
      case "Ljava/util/function/Supplier;":
        return "supplier";
      case "Ljava/util/function/Function;":
        return "function";
      case "Ljava/util/function/Consumer;":
        return "consumer";
      case "Ljava/util/function/BiFunction;":
        return "biFunction";
      case "Ljava/util/function/BiConsumer;":
        return "biConsumer";
      default:
        return null;
    }
  }

  /** For the adapters' constructors: their {@code Runnable} and {@code Callable} arguments; the rest stay. */
  static String adapterWrapperFor(String descriptor) {
    return descriptor.equals(RUNNABLE) ? "adaptedRunnable" : descriptor.equals(CALLABLE) ? "adaptedCallable" : null;
  }

  private static final class Weaving extends ClassVisitor {
    private final String owner;
    private final boolean futureTask;
    int woven;

    Weaving(ClassWriter writer, String owner, boolean futureTask) {
      super(Opcodes.ASM9, writer);
      this.owner = owner;
      this.futureTask = futureTask;
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
      MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
      if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE | Opcodes.ACC_BRIDGE | Opcodes.ACC_SYNTHETIC)) != 0) {
        return next;
      }
      boolean constructor = name.equals("<init>");
      if (owner.equals(THREAD_POOL_EXECUTOR)) {
        if (name.equals("execute") && descriptor.equals("(" + RUNNABLE + ")V") && (access & Opcodes.ACC_STATIC) == 0) {
          woven++;
          return new RememberOnEntry(next);
        }
        if (name.equals("runWorker") && descriptor.equals(RUN_WORKER)) {
          woven++;
          return new RunThroughBridge(next);
        }
        return next;
      }
      if (futureTask) {
        if (constructor && (descriptor.equals("(" + CALLABLE + ")V") || descriptor.equals("(" + RUNNABLE + "Ljava/lang/Object;)V"))) {
          woven++;
          return new CallableAtEnd(next, owner);
        }
        return next;
      }
      boolean wanted = owner.equals(COMPLETABLE_FUTURE)
          ? (access & Opcodes.ACC_PUBLIC) != 0 && name.endsWith("Async")
          : constructor;
      if (!wanted) {
        return next;
      }
      Type[] arguments = Type.getArgumentTypes(descriptor);
      int slot = (access & Opcodes.ACC_STATIC) != 0 ? 0 : 1;
      int[] slots = new int[arguments.length];
      String[] wrappers = new String[arguments.length];
      boolean any = false;
      for (int i = 0; i < arguments.length; i++) {
        String descriptorOf = arguments[i].getDescriptor();
        String wrapper = owner.equals(COMPLETABLE_FUTURE) ? wrapperFor(descriptorOf) : adapterWrapperFor(descriptorOf);
        if (wrapper != null) {
          wrappers[i] = wrapper;
          any = true;
        }
        slots[i] = slot;
        slot += arguments[i].getSize();
      }
      if (!any) {
        return next;
      }
      woven++;
      return new ArgumentsOnEntry(next, arguments, slots, wrappers);
    }
  }

  /** {@code argument = ContextBridge.<shape>(argument)} for each task argument, before the method's own code. */
  private static final class ArgumentsOnEntry extends MethodVisitor {
    private final Type[] arguments;
    private final int[] slots;
    private final String[] wrappers;

    ArgumentsOnEntry(MethodVisitor next, Type[] arguments, int[] slots, String[] wrappers) {
      super(Opcodes.ASM9, next);
      this.arguments = arguments;
      this.slots = slots;
      this.wrappers = wrappers;
    }

    @Override
    public void visitCode() {
      super.visitCode();
      for (int i = 0; i < arguments.length; i++) {
        if (wrappers[i] != null) {
          String type = arguments[i].getDescriptor();
          // before a constructor's super call too: only the argument's slot is touched, never this
          super.visitVarInsn(Opcodes.ALOAD, slots[i]);
          super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, wrappers[i], "(" + type + ")" + type, false);
          super.visitVarInsn(Opcodes.ASTORE, slots[i]);
        }
      }
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
      super.visitMaxs(Math.max(maxStack, 1), maxLocals);
    }
  }

  /** {@code ContextBridge.execute(task)} first, in {@code ThreadPoolExecutor.execute}: the task is not replaced. */
  private static final class RememberOnEntry extends MethodVisitor {
    RememberOnEntry(MethodVisitor next) {
      super(Opcodes.ASM9, next);
    }

    @Override
    public void visitCode() {
      super.visitCode();
      super.visitVarInsn(Opcodes.ALOAD, 1);
      super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "execute", "(" + RUNNABLE + ")V", false);
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
      super.visitMaxs(Math.max(maxStack, 1), maxLocals);
    }
  }

  /**
   * In {@code ThreadPoolExecutor.runWorker}: {@code task.run()} becomes {@code ContextBridge.runWorkerTask(task)},
   * the same stack in and out, so the worker's {@code beforeExecute}, {@code afterExecute} and exception handling
   * around it see the same task and the same exception.
   */
  private static final class RunThroughBridge extends MethodVisitor {
    RunThroughBridge(MethodVisitor next) {
      super(Opcodes.ASM9, next);
    }

    @Override
    public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
      if (opcode == Opcodes.INVOKEINTERFACE && owner.equals("java/lang/Runnable") && name.equals("run") && descriptor.equals("()V")) {
        super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "runWorkerTask", "(" + RUNNABLE + ")V", false);
        return;
      }
      super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
    }
  }

  /** {@code this.callable = ContextBridge.futureTask(this.callable, this)} before each return of a constructor. */
  private static final class CallableAtEnd extends MethodVisitor {
    private final String owner;

    CallableAtEnd(MethodVisitor next, String owner) {
      super(Opcodes.ASM9, next);
      this.owner = owner;
    }

    @Override
    public void visitInsn(int opcode) {
      if (opcode == Opcodes.RETURN) {
        super.visitVarInsn(Opcodes.ALOAD, 0);
        super.visitInsn(Opcodes.DUP);
        super.visitFieldInsn(Opcodes.GETFIELD, owner, "callable", CALLABLE);
        super.visitVarInsn(Opcodes.ALOAD, 0);
        super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "futureTask", "(" + CALLABLE + "Ljava/lang/Object;)" + CALLABLE, false);
        super.visitFieldInsn(Opcodes.PUTFIELD, owner, "callable", CALLABLE);
      }
      super.visitInsn(opcode);
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
      super.visitMaxs(maxStack + 3, maxLocals); // the stack is empty at a constructor's return
    }
  }
}
