package io.weft.instrumentation;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * Bridge calls woven straight into a class file with ASM, for the servlet and JDBC instrumentations:
 * the shapes their advice has, without Byte Buddy. One {@code DirectAdvice} says what to call around
 * or after one method:
 *
 * <ul>
 *   <li>{@link #around}: {@code call = Bridge.enter(this|arguments...)} first, {@code Bridge.exit(call,
 *       null)} before each return and {@code Bridge.exit(call, thrown)} when the method throws (which
 *       it then rethrows); {@code call} lives in a local after the method's own, so every stack map
 *       frame is the original plus that local;
 *   <li>{@link #afterReturn}: {@code Bridge.after(returned|this|arguments...)} before each return;
 *   <li>{@link #replaceArgument}: {@code argument = Bridge.replace(argument)} first.
 * </ul>
 *
 * Bridge methods are static, on bootstrap classes, and never throw. A {@link Selector} picks the advice
 * per method of a class; {@link #weave} applies it. Agent class loader.
 */
public final class DirectAdvice {

  /** Loads the instance ({@code this}) as an argument of a bridge call. */
  public static final int THIS = -1;
  /** Loads the method's return value (after-return advice only). */
  public static final int RETURNED = -2;
  /** Loads {@code null}. */
  public static final int NULL = -3;
  /** Loads the advice's first constant string ({@link #withConstants}); {@code constant(i)} loads the i-th. */
  public static final int CONSTANT = -4;
  /** Marks a load of {@link #boxed}: the argument as an {@code Object}, a primitive one boxed. */
  private static final int BOXED = 1 << 20;

  private static final int AROUND = 0;
  private static final int AFTER_RETURN = 1;
  private static final int REPLACE_ARGUMENT = 2;
  private static final int ON_ENTRY = 3;
  private static final int AROUND_RETURNING = 4;
  /** The field (and the accessors' name) a state carrier gets; {@code $} keeps it apart from Java names. */
  public static final String STATE_FIELD = "weft$state";
  private static final int NOT_CODE = Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE | Opcodes.ACC_BRIDGE | Opcodes.ACC_SYNTHETIC;

  private final int kind;
  private final String bridge;
  private final String first;
  private final String firstDescriptor;
  private final int[] loads;
  private final String exit;
  private final String[] constants; // what constant(i) loads: fixed when a class is woven; null loads null

  private DirectAdvice(int kind, String bridge, String first, String firstDescriptor, int[] loads, String exit) {
    this(kind, bridge, first, firstDescriptor, loads, exit, new String[0]);
  }

  private DirectAdvice(int kind, String bridge, String first, String firstDescriptor, int[] loads, String exit, String[] constants) {
    this.constants = constants;
    this.kind = kind;
    this.bridge = bridge;
    this.first = first;
    this.firstDescriptor = firstDescriptor;
    this.loads = loads;
    this.exit = exit;
  }

  /**
   * {@code enter(loads...)} returning an {@code Object} call, then {@code exit(Object call, Throwable
   * thrown)} on every way out. {@code bridge} is an internal name; {@code enterDescriptor} the enter
   * method's descriptor; {@code loads} {@link #THIS} or argument indexes.
   */
  public static DirectAdvice around(String bridge, String enter, String enterDescriptor, String exit, int... loads) {
    return new DirectAdvice(AROUND, bridge, enter, enterDescriptor, loads, exit);
  }

  /**
   * As {@link #around}, but the exit also receives what the method returned: {@code exit(Object call, Object
   * returned, Throwable thrown)}, {@code returned} null when it threw or returns no reference.
   */
  public static DirectAdvice aroundReturning(String bridge, String enter, String enterDescriptor, String exit, int... loads) {
    return new DirectAdvice(AROUND_RETURNING, bridge, enter, enterDescriptor, loads, exit);
  }

  /** The load of constant {@code i} ({@link #withConstants}); {@code constant(0)} is {@link #CONSTANT}. */
  public static int constant(int i) {
    return CONSTANT - i;
  }

  /**
   * This advice with {@code constants} as what {@link #constant}{@code (i)} loads: strings fixed when the class is woven
   * (a route template read from its annotations, say), so the call passes them without any work at run time; a null one,
   * or one not given, loads {@code null}.
   */
  public DirectAdvice withConstants(String... constants) {
    return new DirectAdvice(kind, bridge, first, firstDescriptor, loads, exit, constants.clone());
  }

  private boolean isAround() {
    return kind == AROUND || kind == AROUND_RETURNING;
  }

  /**
   * A load of argument {@code argument} as an {@code Object}: a reference as it is, a primitive boxed with its
   * wrapper's {@code valueOf} (small integers and booleans come from the wrappers' caches; others allocate).
   */
  public static int boxed(int argument) {
    return BOXED | argument;
  }

  /** {@code method(loads...)} before each normal return; {@code loads} may include {@link #RETURNED}. */
  public static DirectAdvice afterReturn(String bridge, String method, String descriptor, int... loads) {
    return new DirectAdvice(AFTER_RETURN, bridge, method, descriptor, loads, null);
  }

  /** {@code method(loads...)} first, before the method's own code; {@code method} returns nothing. */
  public static DirectAdvice onEntry(String bridge, String method, String descriptor, int... loads) {
    return new DirectAdvice(ON_ENTRY, bridge, method, descriptor, loads, null);
  }

  /** {@code argument = method(argument)} on entry; the method takes and returns the argument's type. */
  public static DirectAdvice replaceArgument(String bridge, String method, String descriptor, int argument) {
    return new DirectAdvice(REPLACE_ARGUMENT, bridge, method, descriptor, new int[] {argument}, null);
  }

  /**
   * The locals of an expanded stack map frame ({@code F_NEW}: a long or double is one entry for two
   * slots) padded with {@code TOP} up to slot {@code firstFree}, the method's own {@code max_locals},
   * then {@code appended}: the frame as it is once a woven method keeps its own locals after the
   * method's.
   */
  public static Object[] extendLocals(int numLocal, Object[] local, int firstFree, Object... appended) {
    int used = 0;
    for (int i = 0; i < numLocal; i++) {
      used += Opcodes.LONG.equals(local[i]) || Opcodes.DOUBLE.equals(local[i]) ? 2 : 1;
    }
    if (used > firstFree) {
      throw new IllegalStateException("stack map frame wider than max_locals");
    }
    Object[] result = new Object[numLocal + (firstFree - used) + appended.length];
    System.arraycopy(local, 0, result, 0, numLocal);
    int at = numLocal;
    for (int i = used; i < firstFree; i++) {
      result[at++] = Opcodes.TOP;
    }
    System.arraycopy(appended, 0, result, at, appended.length);
    return result;
  }

  /** Picks the advice for one method of the class being woven; {@code null} leaves it alone. */
  public interface Selector {
    DirectAdvice select(int access, String name, String descriptor);

    /** Whether bridge methods (a generic method's erased form, which calls the real one) are offered too. Default: no. */
    default boolean selectsBridges() {
      return false;
    }
  }

  /** A compiler's bridge method: code, but only a call on to the method it bridges. */
  public static boolean isBridge(int access, String name) {
    return (access & Opcodes.ACC_BRIDGE) != 0 && (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0 && name.charAt(0) != '<';
  }

  /** Whether a method has code the advice may wrap: no abstract, native, bridge or synthetic ones, no constructors. */
  public static boolean isCode(int access, String name) {
    return (access & NOT_CODE) == 0 && name.charAt(0) != '<';
  }

  /**
   * The class file with the selected advice woven in; {@code null} when no method was selected or the
   * class cannot be woven (then {@code debug} says why and the class stays as it is).
   */
  public static byte[] weave(String internalName, byte[] classFile, Selector selector, Consumer<String> debug) {
    return weave(internalName, classFile, selector, null, debug);
  }

  /**
   * As {@link #weave(String, byte[], Selector, Consumer)}, and when {@code carrier} is not {@code null}
   * the class also implements that interface (internal name; {@link io.weft.bridge.StateCarrier}'s
   * shape) with a private transient field {@value #STATE_FIELD} behind its getter and setter. Only for
   * a class being defined: a loaded class's shape cannot change. Nothing is added to a class that
   * already names the interface or has the field.
   */
  public static byte[] weave(String internalName, byte[] classFile, Selector selector, String carrier, Consumer<String> debug) {
    try {
      ClassReader reader = new ClassReader(classFile);
      // first pass, selected methods only: the advice, and max_locals (the slot after it holds the call)
      Map<String, DirectAdvice> selected = new HashMap<>();
      Map<String, Integer> maxLocals = new HashMap<>();
      boolean[] hasState = {false};
      reader.accept(new ClassVisitor(Opcodes.ASM9) {
        @Override
        public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
          hasState[0] |= name.equals(STATE_FIELD);
          return null;
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
          DirectAdvice advice = isCode(access, name) || selector.selectsBridges() && isBridge(access, name)
              ? selector.select(access, name, descriptor) : null;
          if (advice == null) {
            return null;
          }
          String key = name + descriptor;
          selected.put(key, advice);
          return new MethodVisitor(Opcodes.ASM9) {
            @Override
            public void visitMaxs(int maxStack, int locals) {
              maxLocals.put(key, locals);
            }
          };
        }
      }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
      if (selected.isEmpty()) {
        return null;
      }
      ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
      Weaving weaving = new Weaving(writer, selected, maxLocals, hasState[0] ? null : carrier);
      reader.accept(weaving, ClassReader.EXPAND_FRAMES);
      if (weaving.woven == 0) {
        return null;
      }
      byte[] woven = writer.toByteArray();
      debug.accept("woven " + internalName.replace('/', '.') + " (" + weaving.woven + " method(s), directly"
          + (weaving.carries ? ", carries state)" : ")"));
      return woven;
    } catch (RuntimeException | LinkageError e) {
      debug.accept("could not weave " + internalName.replace('/', '.') + ": " + e);
      return null;
    }
  }

  private static final class Weaving extends ClassVisitor {
    private final Map<String, DirectAdvice> selected;
    private final Map<String, Integer> maxLocals;
    private final String carrier;
    private String owner;
    private boolean frames;
    boolean carries;
    int woven;

    Weaving(ClassWriter writer, Map<String, DirectAdvice> selected, Map<String, Integer> maxLocals, String carrier) {
      super(Opcodes.ASM9, writer);
      this.selected = selected;
      this.maxLocals = maxLocals;
      this.carrier = carrier;
    }

    @Override
    public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
      frames = (version & 0xFFFF) >= Opcodes.V1_6;
      owner = name;
      String[] implemented = interfaces == null ? new String[0] : interfaces;
      if (carrier != null && !Arrays.asList(implemented).contains(carrier)) {
        carries = true;
        implemented = Arrays.copyOf(implemented, implemented.length + 1);
        implemented[implemented.length - 1] = carrier;
        if (signature != null) {
          signature = signature + "L" + carrier + ";"; // a generic class's signature lists its interfaces too
        }
      }
      super.visit(version, access, name, signature, superName, implemented);
    }

    @Override
    public void visitEnd() {
      if (carries) {
        int synthetic = Opcodes.ACC_SYNTHETIC;
        cv.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_TRANSIENT | synthetic, STATE_FIELD, "Ljava/lang/Object;", null, null).visitEnd();
        MethodVisitor get = cv.visitMethod(Opcodes.ACC_PUBLIC | synthetic, STATE_FIELD, "()Ljava/lang/Object;", null, null);
        get.visitCode();
        get.visitVarInsn(Opcodes.ALOAD, 0);
        get.visitFieldInsn(Opcodes.GETFIELD, owner, STATE_FIELD, "Ljava/lang/Object;");
        get.visitInsn(Opcodes.ARETURN);
        get.visitMaxs(1, 1);
        get.visitEnd();
        MethodVisitor set = cv.visitMethod(Opcodes.ACC_PUBLIC | synthetic, STATE_FIELD, "(Ljava/lang/Object;)V", null, null);
        set.visitCode();
        set.visitVarInsn(Opcodes.ALOAD, 0);
        set.visitVarInsn(Opcodes.ALOAD, 1);
        set.visitFieldInsn(Opcodes.PUTFIELD, owner, STATE_FIELD, "Ljava/lang/Object;");
        set.visitInsn(Opcodes.RETURN);
        set.visitMaxs(2, 2);
        set.visitEnd();
      }
      super.visitEnd();
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
      MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
      DirectAdvice advice = isCode(access, name) || isBridge(access, name) ? selected.get(name + descriptor) : null; // as selected
      Integer locals = maxLocals.get(name + descriptor);
      if (advice == null || locals == null) {
        return next;
      }
      woven++;
      return new Woven(next, advice, access, descriptor, frames, locals);
    }
  }

  private static final String RETURNING_EXIT = "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Throwable;)V";

  /** One method with its advice. */
  private static final class Woven extends MethodVisitor {
    private final DirectAdvice advice;
    private final boolean isStatic;
    private final Type[] arguments;
    private final int[] slots;
    private final boolean frames;
    private final Label bodyStart = new Label();
    private final Label handler = new Label();
    private final int callSlot; // the method's own max_locals: the first slot none of its code uses
    private final boolean returnsReference;

    Woven(MethodVisitor next, DirectAdvice advice, int access, String descriptor, boolean frames, int maxLocals) {
      super(Opcodes.ASM9, next);
      this.advice = advice;
      this.isStatic = (access & Opcodes.ACC_STATIC) != 0;
      this.arguments = Type.getArgumentTypes(descriptor);
      this.slots = new int[arguments.length];
      int slot = isStatic ? 0 : 1;
      for (int i = 0; i < arguments.length; i++) {
        slots[i] = slot;
        slot += arguments[i].getSize();
      }
      this.frames = frames;
      this.callSlot = maxLocals;
      this.returnsReference = Type.getReturnType(descriptor).getSort() >= Type.ARRAY;
    }

    @Override
    public void visitCode() {
      super.visitCode();
      if (advice.kind == REPLACE_ARGUMENT) {
        int argument = advice.loads[0];
        super.visitVarInsn(Opcodes.ALOAD, slots[argument]);
        super.visitMethodInsn(Opcodes.INVOKESTATIC, advice.bridge, advice.first, advice.firstDescriptor, false);
        super.visitTypeInsn(Opcodes.CHECKCAST, arguments[argument].getInternalName());
        super.visitVarInsn(Opcodes.ASTORE, slots[argument]);
      } else if (advice.isAround()) {
        load(advice.loads);
        super.visitMethodInsn(Opcodes.INVOKESTATIC, advice.bridge, advice.first, advice.firstDescriptor, false);
        super.visitVarInsn(Opcodes.ASTORE, callSlot);
        super.visitLabel(bodyStart);
      } else if (advice.kind == ON_ENTRY) {
        load(advice.loads);
        super.visitMethodInsn(Opcodes.INVOKESTATIC, advice.bridge, advice.first, advice.firstDescriptor, false);
      }
    }

    @Override
    public void visitInsn(int opcode) {
      if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
        if (advice.kind == AROUND) {
          super.visitVarInsn(Opcodes.ALOAD, callSlot);
          super.visitInsn(Opcodes.ACONST_NULL);
          super.visitMethodInsn(Opcodes.INVOKESTATIC, advice.bridge, advice.exit, "(Ljava/lang/Object;Ljava/lang/Throwable;)V", false);
        } else if (advice.kind == AROUND_RETURNING) {
          // exit(call, returned, null), the returned reference left on the stack for the return
          super.visitInsn(returnsReference && opcode == Opcodes.ARETURN ? Opcodes.DUP : Opcodes.ACONST_NULL);
          super.visitVarInsn(Opcodes.ALOAD, callSlot);
          super.visitInsn(Opcodes.SWAP);
          super.visitInsn(Opcodes.ACONST_NULL);
          super.visitMethodInsn(Opcodes.INVOKESTATIC, advice.bridge, advice.exit, RETURNING_EXIT, false);
        } else if (advice.kind == AFTER_RETURN) {
          for (int load : advice.loads) {
            if (load == RETURNED) {
              // a returned reference is passed on; a method returning anything else passes null
              super.visitInsn(returnsReference && opcode == Opcodes.ARETURN ? Opcodes.DUP : Opcodes.ACONST_NULL);
            } else {
              load(new int[] {load});
            }
          }
          super.visitMethodInsn(Opcodes.INVOKESTATIC, advice.bridge, advice.first, advice.firstDescriptor, false);
        }
      }
      super.visitInsn(opcode);
    }

    @Override
    public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
      if (!advice.isAround()) {
        super.visitFrame(type, numLocal, local, numStack, stack);
        return;
      }
      if (type != Opcodes.F_NEW) {
        throw new IllegalStateException("unexpanded stack map frame");
      }
      Object[] locals = withCall(numLocal, local);
      super.visitFrame(Opcodes.F_NEW, locals.length, locals, numStack, stack);
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
      if (advice.isAround()) {
        super.visitLabel(handler);
        if (frames) {
          Object[] locals = withCall(0, new Object[0]);
          super.visitFrame(Opcodes.F_NEW, locals.length, locals, 1, new Object[] {"java/lang/Throwable"});
        }
        super.visitInsn(Opcodes.DUP);
        super.visitVarInsn(Opcodes.ALOAD, callSlot);
        super.visitInsn(Opcodes.SWAP);
        if (advice.kind == AROUND_RETURNING) {
          super.visitInsn(Opcodes.ACONST_NULL); // nothing returned
          super.visitInsn(Opcodes.SWAP);
          super.visitMethodInsn(Opcodes.INVOKESTATIC, advice.bridge, advice.exit, RETURNING_EXIT, false);
        } else {
          super.visitMethodInsn(Opcodes.INVOKESTATIC, advice.bridge, advice.exit, "(Ljava/lang/Object;Ljava/lang/Throwable;)V", false);
        }
        super.visitInsn(Opcodes.ATHROW);
        // last in the exception table: the method's own handlers keep precedence
        super.visitTryCatchBlock(bodyStart, handler, handler, "java/lang/Throwable");
      }
      super.visitMaxs(maxStack, maxLocals); // recomputed (COMPUTE_MAXS)
    }

    /** A frame's locals padded with TOP up to the call's slot, then the call. */
    private Object[] withCall(int numLocal, Object[] local) {
      return extendLocals(numLocal, local, callSlot, "java/lang/Object");
    }

    private void load(int[] loads) {
      for (int load : loads) {
        if (load == THIS) {
          super.visitVarInsn(Opcodes.ALOAD, 0);
        } else if (load <= CONSTANT && load > CONSTANT - advice.constants.length && advice.constants[CONSTANT - load] != null) {
          super.visitLdcInsn(advice.constants[CONSTANT - load]);
        } else if (load > 0 && (load & BOXED) != 0 && (load & ~BOXED) < arguments.length) {
          int argument = load & ~BOXED;
          Type type = arguments[argument];
          super.visitVarInsn(type.getOpcode(Opcodes.ILOAD), slots[argument]);
          if (type.getSort() < Type.ARRAY) {
            String wrapper = wrapper(type);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, wrapper, "valueOf", "(" + type.getDescriptor() + ")L" + wrapper + ";", false);
          }
        } else if (load >= 0 && load < arguments.length && arguments[load].getSort() >= Type.ARRAY) {
          super.visitVarInsn(Opcodes.ALOAD, slots[load]);
        } else {
          super.visitInsn(Opcodes.ACONST_NULL); // NULL, or an argument the method does not have as a reference
        }
      }
    }

    private static String wrapper(Type primitive) {
      switch (primitive.getSort()) {
        case Type.BOOLEAN:
          return "java/lang/Boolean";
        case Type.CHAR:
          return "java/lang/Character";
        case Type.BYTE:
          return "java/lang/Byte";
        case Type.SHORT:
          return "java/lang/Short";
        case Type.INT:
          return "java/lang/Integer";
        case Type.FLOAT:
          return "java/lang/Float";
        case Type.LONG:
          return "java/lang/Long";
        default:
          return "java/lang/Double";
      }
    }
  }
}
