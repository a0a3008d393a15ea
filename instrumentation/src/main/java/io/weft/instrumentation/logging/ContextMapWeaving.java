package io.weft.instrumentation.logging;

import static net.bytebuddy.matcher.ElementMatchers.named;

import io.weft.instrumentation.ClassOutline;
import io.weft.instrumentation.InstrumentationConfig;
import io.weft.instrumentation.TypeInstrumentation;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * One logging library's class, by its exact name (one string comparison for every other class), whose no-argument
 * methods returning an event's context map are woven: in one returning a {@code java.util.Map}, each {@code return
 * map;} becomes {@code map = LogBridge.withSpan(map); [this.field = map;] return map;}; in one returning another type
 * (Log4j's {@code StringMap}), {@code return (T) LogBridge.withSpan(map, this);}. The field store, where a field is
 * named and the class has it, keeps the result in the event, so what another thread reads later is what the
 * logging thread saw. Only code is added, so a class loaded before an attach is retransformed the same way. Agent
 * class loader.
 */
final class ContextMapWeaving implements TypeInstrumentation {
  private static final String MAP = "Ljava/util/Map;";
  private static final String BRIDGE = "io/weft/bridge/LogBridge";

  private final String internalName;
  private final String[] methods; // name, descriptor, name, descriptor...
  private final String field; // null: none
  private final InstrumentationConfig config;

  /**
   * {@code methods}: names and descriptors, in pairs, of no-argument instance methods returning an object.
   */
  ContextMapWeaving(String internalName, String[] methods, String field, InstrumentationConfig config) {
    this.internalName = internalName;
    this.methods = methods;
    this.field = field;
    this.config = config;
  }

  @Override
  public boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
    return classFile.internalName().equals(internalName);
  }

  @Override
  public boolean weavesDirectly() {
    return true;
  }

  @Override
  public byte[] weaveDirectly(ClassLoader loader, ClassOutline classFile, byte[] bytes) {
    return weave(bytes);
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named(internalName.replace('/', '.'));
  }

  @Override
  public void transform(Advisor advisor) {
    // woven directly, also when retransformed at an attach
  }

  private boolean advised(String name, String descriptor) {
    for (int i = 0; i < methods.length; i += 2) {
      if (methods[i].equals(name) && methods[i + 1].equals(descriptor) && descriptor.startsWith("()L")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The woven class file; {@code null} when the method is not there or the class cannot be read. The weaving is
   * {@link Weaver}'s: this class is made at premain for every logging library, and verifying ASM's visitors in its
   * own methods loaded them there, in JVMs that never load the library.
   */
  byte[] weave(byte[] classFile) {
    return Weaver.weave(this, classFile);
  }

  /** The weaving, loaded with ASM's visitors the first time a library's class is woven. */
  private static final class Weaver {
    private Weaver() {}

    static byte[] weave(ContextMapWeaving w, byte[] classFile) {
      String internalName = w.internalName;
      String field = w.field;
      String[] methods = w.methods;
      InstrumentationConfig config = w.config;
      String name = internalName.replace('/', '.');
      try {
        ClassReader reader = new ClassReader(classFile);
        boolean[] hasField = new boolean[1];
        if (field != null) {
          reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public FieldVisitor visitField(int access, String fieldName, String descriptor, String signature, Object value) {
              hasField[0] |= fieldName.equals(field) && descriptor.equals(MAP) && (access & (Opcodes.ACC_STATIC | Opcodes.ACC_FINAL)) == 0;
              return null;
            }
          }, ClassReader.SKIP_CODE);
        }
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        int[] woven = new int[1];
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
          @Override
          public MethodVisitor visitMethod(int access, String methodName, String descriptor, String signature, String[] exceptions) {
            MethodVisitor target = super.visitMethod(access, methodName, descriptor, signature, exceptions);
            if ((access & (Opcodes.ACC_STATIC | Opcodes.ACC_ABSTRACT)) != 0 || !w.advised(methodName, descriptor)) {
              return target;
            }
            woven[0]++;
            String returned = descriptor.substring(3, descriptor.length() - 1); // ()Lx/y/Z; -> x/y/Z
            boolean map = descriptor.equals("()" + MAP);
            return new MethodVisitor(Opcodes.ASM9, target) {
              @Override
              public void visitInsn(int opcode) {
                if (opcode == Opcodes.ARETURN && !map) {
                  super.visitVarInsn(Opcodes.ALOAD, 0);
                  super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "withSpan", "(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;", false);
                  super.visitTypeInsn(Opcodes.CHECKCAST, returned);
                } else if (opcode == Opcodes.ARETURN) {
                  super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "withSpan", "(Ljava/util/Map;)Ljava/util/Map;", false);
                  if (hasField[0]) {
                    super.visitInsn(Opcodes.DUP);
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitInsn(Opcodes.SWAP);
                    super.visitFieldInsn(Opcodes.PUTFIELD, internalName, field, MAP);
                  }
                }
                super.visitInsn(opcode);
              }
            };
          }
        }, 0);
        if (woven[0] == 0) {
          config.debug("not woven " + name + ": it has none of the methods " + String.join(" ", methods));
          return null;
        }
        config.debug("woven " + name + " (" + woven[0] + " method(s)): log events name the current span"
            + (field == null || hasField[0] ? "" : " (no field " + field + ": an appender on another thread may not see the ids)"));
        return writer.toByteArray();
      } catch (RuntimeException | LinkageError e) {
        config.debug("could not weave " + name + ": " + e);
        return null;
      }
    }
  }
}
