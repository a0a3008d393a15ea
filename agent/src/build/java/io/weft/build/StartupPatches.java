package io.weft.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Build tool, not part of the agent: rewrites, in the shaded classes about to be packed, what a start runs
 * that costs far more than it needs to. One patch so far: the class initializer of the OpenTelemetry API's
 * {@code ArrayBackedAttributes} makes its key order with {@code Comparator.comparing(AttributeKey::getKey)},
 * which spins two lambda classes, interpreted, the first time any attributes are built: on the SDK build
 * that the first traced call waits for (5 ms of it in interleaved runs; 10-19 ms for that initializer by a
 * probe, its class loading included). The patch makes it read Weft's {@code AttributeKeyByName}
 * (the same order) instead.
 *
 * <p>A patch that no longer finds exactly what it expects fails the build: a new OpenTelemetry version
 * must be looked at, not silently left unpatched or patched wrongly.
 *
 * <p>Argument: the directory of the shaded classes.
 */
public final class StartupPatches {

  static final String ATTRIBUTES = "io/weft/shaded/io/opentelemetry/api/common/ArrayBackedAttributes.class";
  static final String COMPARATOR_OWNER = "io/weft/agent/otel/AttributeKeyByName";

  private StartupPatches() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: StartupPatches CLASSES_DIR");
    }
    Path file = Paths.get(args[0]).resolve(ATTRIBUTES);
    Files.write(file, patchAttributeKeyOrder(Files.readAllBytes(file)));
  }

  /**
   * {@code ArrayBackedAttributes} with its static initializer reading {@link #COMPARATOR_OWNER}'s
   * {@code INSTANCE} where it made {@code Comparator.comparing(AttributeKey::getKey)}.
   */
  static byte[] patchAttributeKeyOrder(byte[] classFile) {
    ClassReader reader = new ClassReader(classFile);
    ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
    int[] patched = new int[1];
    reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
        MethodVisitor visitor = super.visitMethod(access, name, descriptor, signature, exceptions);
        return name.equals("<clinit>") ? new KeyOrder(visitor, patched) : visitor;
      }
    }, 0);
    if (patched[0] != 1) {
      throw new IllegalStateException(reader.getClassName() + ": expected one Comparator.comparing(AttributeKey::getKey) in the "
          + "static initializer, found " + patched[0] + "; the OpenTelemetry API changed, so look at StartupPatches again");
    }
    return writer.toByteArray();
  }

  /** Drops the lambda of {@code AttributeKey::getKey} and turns the {@code comparing} call after it into a field read. */
  private static final class KeyOrder extends MethodVisitor {
    private final int[] patched;
    private boolean keyLambdaDropped;

    KeyOrder(MethodVisitor next, int[] patched) {
      super(Opcodes.ASM9, next);
      this.patched = patched;
    }

    @Override
    public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
      if (bootstrap.getOwner().equals("java/lang/invoke/LambdaMetafactory") && name.equals("apply")
          && descriptor.equals("()Ljava/util/function/Function;") && arguments.length == 3 && arguments[1] instanceof Handle
          && ((Handle) arguments[1]).getOwner().endsWith("/api/common/AttributeKey") && ((Handle) arguments[1]).getName().equals("getKey")) {
        keyLambdaDropped = true;
        return;
      }
      unexpectedAfterLambda();
      super.visitInvokeDynamicInsn(name, descriptor, bootstrap, arguments);
    }

    @Override
    public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
      if (keyLambdaDropped && opcode == Opcodes.INVOKESTATIC && owner.equals("java/util/Comparator") && name.equals("comparing")
          && descriptor.equals("(Ljava/util/function/Function;)Ljava/util/Comparator;")) {
        keyLambdaDropped = false;
        patched[0]++;
        super.visitFieldInsn(Opcodes.GETSTATIC, COMPARATOR_OWNER, "INSTANCE", "Ljava/util/Comparator;");
        return;
      }
      unexpectedAfterLambda();
      super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
    }

    @Override
    public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
      unexpectedAfterLambda();
      super.visitFieldInsn(opcode, owner, name, descriptor);
    }

    @Override
    public void visitInsn(int opcode) {
      unexpectedAfterLambda();
      super.visitInsn(opcode);
    }

    @Override
    public void visitVarInsn(int opcode, int index) {
      unexpectedAfterLambda();
      super.visitVarInsn(opcode, index);
    }

    @Override
    public void visitTypeInsn(int opcode, String type) {
      unexpectedAfterLambda();
      super.visitTypeInsn(opcode, type);
    }

    @Override
    public void visitIntInsn(int opcode, int operand) {
      unexpectedAfterLambda();
      super.visitIntInsn(opcode, operand);
    }

    @Override
    public void visitJumpInsn(int opcode, net.bytebuddy.jar.asm.Label label) {
      unexpectedAfterLambda();
      super.visitJumpInsn(opcode, label);
    }

    @Override
    public void visitLdcInsn(Object value) {
      unexpectedAfterLambda();
      super.visitLdcInsn(value);
    }

    /** The dropped lambda must be consumed by the very next instruction, the {@code comparing} call. */
    private void unexpectedAfterLambda() {
      if (keyLambdaDropped) {
        throw new IllegalStateException("AttributeKey::getKey is not passed straight to Comparator.comparing any more;"
            + " the OpenTelemetry API changed, so look at StartupPatches again");
      }
    }
  }
}
