package io.weft.instrumentation.methods;

import io.opentelemetry.api.trace.SpanKind;
import io.weft.instrumentation.DirectAdvice;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Weaves the bridge calls into the configured methods of a class (named by an include pattern,
 * inheriting a method an include pattern names on an exactly named super type, or annotated
 * {@code @WithSpan}), on the class file with ASM alone: no Byte Buddy type model, no class loading, about 30 ASM classes on first
 * use instead of Byte Buddy's 800. Each selected method becomes
 *
 * <pre>
 *   long start = MethodBridge.clock();   // System.nanoTime(), or 0 when only sampled calls are timed
 *   Object call = MethodBridge.begin(id, start);
 *   try {
 *     ...original body; before each return: MethodBridge.end(call, start)
 *       (or MethodBridge.endReturning(value, call, start) where the value may be a CompletionStage)
 *   } catch (Throwable t) {
 *     MethodBridge.endThrowing(t, call, start);
 *     throw t;
 *   }
 * </pre>
 *
 * The two locals go after the method's own ({@code max_locals}, read in a first pass over the selected
 * methods only), so the original code keeps its slots and every stack map frame is the original one
 * plus the two locals; the bridge methods never throw. Nothing is added to the class but code, so a
 * class loaded before the agent can be retransformed the same way. Only real code is woven: no
 * constructors, abstract, native, bridge or synthetic methods. Agent class loader.
 */
final class DirectMethodWeaver {

  private static final String BRIDGE = "io/weft/bridge/MethodBridge";
  private static final String WITH_SPAN_DESCRIPTOR =
      "L" + MethodIdMapping.WITH_SPAN.replace('.', '/') + ";";

  private final MethodSelection selection;
  private final MethodRegistry registry;
  private final Consumer<String> debug;
  private final Set<String> externalDescriptors = new HashSet<>();
  private final MethodSelection externalExcluded;
  private final MethodSelection withSpanExcluded;

  DirectMethodWeaver(MethodSelection selection, MethodRegistry registry, Consumer<String> debug) {
    this(selection, registry, debug, Collections.<String>emptyList(), new MethodSelection(Collections.<MethodPattern>emptyList(),
        Collections.<MethodPattern>emptyList()), new MethodSelection(Collections.<MethodPattern>emptyList(), Collections.<MethodPattern>emptyList()));
  }

  /**
   * {@code externalAnnotations}: other agents' annotations whose methods are traced as {@code @WithSpan}'s are (named
   * {@code Class.method}, INTERNAL), but for the methods {@code externalExcluded} names; {@code withSpanExcluded}: the
   * {@code @WithSpan} methods left alone.
   */
  DirectMethodWeaver(MethodSelection selection, MethodRegistry registry, Consumer<String> debug, List<String> externalAnnotations,
      MethodSelection externalExcluded, MethodSelection withSpanExcluded) {
    this.selection = selection;
    this.registry = registry;
    this.debug = debug;
    for (String annotation : externalAnnotations) {
      externalDescriptors.add("L" + annotation.replace('.', '/') + ";");
    }
    this.externalExcluded = externalExcluded;
    this.withSpanExcluded = withSpanExcluded;
  }

  /**
   * The class file with its selected methods woven; {@code null} when none is selected or the class
   * cannot be woven (a class file ASM cannot read, a method that would grow past 64 KB), in which case
   * the class stays as it is and debug logging says why. A method is selected when the class is named
   * by a pattern that names the method ({@code named}), when a pattern names it on one of {@code
   * inheritedFrom} (exactly named super types, internal names) and no exclusion removes it, or when it
   * carries {@code @WithSpan} and {@code annotated}; each selected method is woven once.
   */
  byte[] weave(String internalName, byte[] classFile, boolean named, List<String> inheritedFrom, boolean annotated) {
    String className = internalName.replace('/', '.');
    try {
      ClassReader reader = new ClassReader(classFile);
      Survey survey = new Survey(externalDescriptors);
      reader.accept(survey, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
      for (Iterator<Map.Entry<String, Plan>> plans = survey.plans.entrySet().iterator(); plans.hasNext(); ) {
        Plan plan = plans.next().getValue();
        if (!(named && selection.selectsNamed(className, plan.name)
            || inherits(className, plan.name, inheritedFrom)
            || annotated && plan.withSpan && !withSpanExcluded.selectsNamed(className, plan.name)
            || annotated && plan.external && !externalExcluded.selectsNamed(className, plan.name))) {
          plans.remove();
        }
      }
      if (survey.plans.isEmpty()) {
        return null;
      }
      ClassWriter writer = new ClassWriter(reader, 0);
      reader.accept(new Weaving(writer, className, survey), ClassReader.EXPAND_FRAMES);
      byte[] woven = writer.toByteArray();
      debug.accept("woven " + className + " (" + survey.plans.size() + " method(s), directly)");
      return woven;
    } catch (RuntimeException | LinkageError e) {
      debug.accept("could not weave " + className + ": " + e);
      return null;
    }
  }

  /** Whether a pattern names this method on one of the class's exactly named super types, and no exclusion removes it. */
  private boolean inherits(String className, String methodName, List<String> inheritedFrom) {
    if (inheritedFrom.isEmpty() || selection.isExcluded(className, methodName)) {
      return false;
    }
    for (String superType : inheritedFrom) {
      if (selection.selectsNamed(superType.replace('/', '.'), methodName)) {
        return true;
      }
    }
    return false;
  }

  /** What the first pass found out about one method that has code. */
  private static final class Plan {
    String name;
    int maxLocals = -1;
    int maxStack;
    boolean withSpan;
    boolean external; // one of the other agents' annotations (its values are not read)
    String spanName; // from @WithSpan("...")
    SpanKind kind = SpanKind.INTERNAL;
  }

  /** First pass: every method with code, its {@code max_locals} and its {@code @WithSpan}. */
  private static final class Survey extends ClassVisitor {
    final Map<String, Plan> plans = new HashMap<>();
    private final Set<String> externalDescriptors;
    int version;

    Survey(Set<String> externalDescriptors) {
      super(Opcodes.ASM9);
      this.externalDescriptors = externalDescriptors;
    }

    @Override
    public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
      this.version = version & 0xFFFF;
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
      if (!DirectAdvice.isCode(access, name)) {
        return null;
      }
      Plan plan = new Plan();
      plan.name = name;
      plans.put(name + descriptor, plan);
      return new MethodVisitor(Opcodes.ASM9) {
        @Override
        public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
          if (externalDescriptors.contains(annotation)) {
            plan.external = true;
            return null;
          }
          if (!WITH_SPAN_DESCRIPTOR.equals(annotation)) {
            return null;
          }
          plan.withSpan = true;
          return new WithSpanValues(plan);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
          plan.maxStack = maxStack;
          plan.maxLocals = maxLocals;
        }
      };
    }
  }

  /** Reads {@code value} and {@code kind} of a {@code @WithSpan} on a selected method. */
  private static final class WithSpanValues extends AnnotationVisitor {
    private final Plan plan;

    WithSpanValues(Plan plan) {
      super(Opcodes.ASM9);
      this.plan = plan;
    }

    @Override
    public void visit(String name, Object value) {
      if ("value".equals(name) && value instanceof String && !((String) value).isEmpty()) {
        plan.spanName = (String) value;
      }
    }

    @Override
    public void visitEnum(String name, String descriptor, String value) {
      if ("kind".equals(name)) {
        try {
          plan.kind = SpanKind.valueOf(value);
        } catch (IllegalArgumentException unknown) {
          plan.kind = SpanKind.INTERNAL;
        }
      }
    }
  }

  /** Second pass: copies the class, weaving the planned methods. */
  private final class Weaving extends ClassVisitor {
    private final String className;
    private final Survey survey;

    Weaving(ClassWriter writer, String className, Survey survey) {
      super(Opcodes.ASM9, writer);
      this.className = className;
      this.survey = survey;
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
      MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
      Plan plan = survey.plans.get(name + descriptor);
      if (plan == null || plan.maxLocals < 0 || !DirectAdvice.isCode(access, name)) {
        return next;
      }
      String simpleName = className.substring(className.lastIndexOf('.') + 1);
      String spanName = plan.spanName != null ? plan.spanName : simpleName + "." + name;
      int id = registry.register(className + "#" + name + descriptor, spanName, className + "." + name, plan.kind);
      debug.accept("weaving " + className + "." + name + descriptor + " as span '" + spanName + "'");
      return new WovenMethod(next, id, plan, survey.version >= Opcodes.V1_6, mayReturnStage(descriptor));
    }
  }

  /**
   * Whether a method with this descriptor may return a {@code CompletionStage}, whose completion
   * then ends the call: the two JDK stage types, and any non-JDK class or interface (whether the
   * returned object is a stage is checked when it returns, so no type is looked up here).
   */
  static boolean mayReturnStage(String descriptor) {
    int close = descriptor.lastIndexOf(')');
    if (descriptor.charAt(close + 1) != 'L') {
      return false; // void, a primitive or an array
    }
    String type = descriptor.substring(close + 2, descriptor.length() - 1);
    return type.equals("java/util/concurrent/CompletionStage")
        || type.equals("java/util/concurrent/CompletableFuture")
        || !type.startsWith("java/");
  }

  /** One woven method: the bridge calls around the original code, frames extended by the two locals. */
  private static final class WovenMethod extends MethodVisitor {
    private final int id;
    private final int originalLocals;
    private final int originalStack;
    private final boolean frames;
    private final boolean mayReturnStage;
    private final int startSlot;
    private final int callSlot;
    private final Label bodyStart = new Label();
    private final Label handler = new Label();

    WovenMethod(MethodVisitor next, int id, Plan plan, boolean frames, boolean mayReturnStage) {
      super(Opcodes.ASM9, next);
      this.id = id;
      this.originalLocals = plan.maxLocals;
      this.originalStack = plan.maxStack;
      this.frames = frames;
      this.mayReturnStage = mayReturnStage;
      this.startSlot = plan.maxLocals;
      this.callSlot = plan.maxLocals + 2;
    }

    @Override
    public void visitCode() {
      super.visitCode();
      super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "clock", "()J", false);
      super.visitVarInsn(Opcodes.LSTORE, startSlot);
      pushInt(id);
      super.visitVarInsn(Opcodes.LLOAD, startSlot);
      super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "begin", "(IJ)Ljava/lang/Object;", false);
      super.visitVarInsn(Opcodes.ASTORE, callSlot);
      super.visitLabel(bodyStart);
    }

    @Override
    public void visitInsn(int opcode) {
      if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
        if (opcode == Opcodes.ARETURN && mayReturnStage) {
          super.visitInsn(Opcodes.DUP);
          super.visitVarInsn(Opcodes.ALOAD, callSlot);
          super.visitVarInsn(Opcodes.LLOAD, startSlot);
          super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "endReturning", "(Ljava/lang/Object;Ljava/lang/Object;J)V", false);
        } else {
          super.visitVarInsn(Opcodes.ALOAD, callSlot);
          super.visitVarInsn(Opcodes.LLOAD, startSlot);
          super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "end", "(Ljava/lang/Object;J)V", false);
        }
      }
      super.visitInsn(opcode);
    }

    @Override
    public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
      if (type != Opcodes.F_NEW) { // EXPAND_FRAMES gives only these; anything else cannot be extended
        throw new IllegalStateException("unexpanded stack map frame");
      }
      Object[] locals = withOurLocals(numLocal, local);
      super.visitFrame(Opcodes.F_NEW, locals.length, locals, numStack, stack);
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
      super.visitLabel(handler);
      if (frames) {
        Object[] locals = withOurLocals(0, new Object[0]);
        super.visitFrame(Opcodes.F_NEW, locals.length, locals, 1, new Object[] {"java/lang/Throwable"});
      }
      super.visitInsn(Opcodes.DUP);
      super.visitVarInsn(Opcodes.ALOAD, callSlot);
      super.visitVarInsn(Opcodes.LLOAD, startSlot);
      super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "endThrowing", "(Ljava/lang/Throwable;Ljava/lang/Object;J)V", false);
      super.visitInsn(Opcodes.ATHROW);
      // last in the exception table: the method's own handlers keep precedence
      super.visitTryCatchBlock(bodyStart, handler, handler, "java/lang/Throwable");
      // entry: 3 slots; before a return: up to 4 more over what the method had; handler: 5
      super.visitMaxs(Math.max(originalStack + 4, 5), originalLocals + 3);
    }

    /** A frame's locals padded with TOP to the method's own max_locals, then our long and Object. */
    private Object[] withOurLocals(int numLocal, Object[] local) {
      return DirectAdvice.extendLocals(numLocal, local, originalLocals, Opcodes.LONG, "java/lang/Object");
    }

    private void pushInt(int value) {
      if (value <= 5) {
        super.visitInsn(Opcodes.ICONST_0 + value);
      } else if (value <= Byte.MAX_VALUE) {
        super.visitIntInsn(Opcodes.BIPUSH, value);
      } else if (value <= Short.MAX_VALUE) {
        super.visitIntInsn(Opcodes.SIPUSH, value);
      } else {
        super.visitLdcInsn(value);
      }
    }
  }
}
