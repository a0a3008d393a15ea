package io.weft.smoke.support;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ConstantDynamic;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Type;
import net.bytebuddy.utility.OpenedClassReader;

/**
 * The classes a class file's code can make the JVM resolve: super types, field and method
 * descriptors, declared exceptions, and every operand of its instructions (types, owners and
 * descriptors of fields and methods, class and method-handle constants, bootstrap arguments, catch
 * types). Annotations, generic signatures and nesting attributes are left out: running code never
 * resolves them. Internal names ({@code a/b/C}).
 */
public final class CodeReferences extends ClassVisitor {

  private final Set<String> found = new HashSet<>();

  private CodeReferences() {
    super(OpenedClassReader.ASM_API);
  }

  public static Set<String> of(byte[] classFile) {
    CodeReferences references = new CodeReferences();
    OpenedClassReader.of(classFile).accept(references, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    return references.found;
  }

  @Override
  public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
    if (superName != null) {
      found.add(superName);
    }
    if (interfaces != null) {
      found.addAll(Arrays.asList(interfaces));
    }
  }

  @Override
  public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
    descriptor(descriptor);
    return null;
  }

  @Override
  public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
    descriptor(descriptor);
    if (exceptions != null) {
      found.addAll(Arrays.asList(exceptions));
    }
    return new MethodVisitor(OpenedClassReader.ASM_API) {
      @Override
      public void visitTypeInsn(int opcode, String type) {
        owner(type);
      }

      @Override
      public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
        owner(owner);
        descriptor(descriptor);
      }

      @Override
      public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
        owner(owner);
        descriptor(descriptor);
      }

      @Override
      public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
        descriptor(descriptor);
        constant(bootstrap);
        for (Object argument : arguments) {
          constant(argument);
        }
      }

      @Override
      public void visitLdcInsn(Object value) {
        constant(value);
      }

      @Override
      public void visitMultiANewArrayInsn(String descriptor, int dimensions) {
        descriptor(descriptor);
      }

      @Override
      public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
        if (type != null) {
          found.add(type);
        }
      }
    };
  }

  private void owner(String internalNameOrArray) {
    if (internalNameOrArray.startsWith("[")) {
      descriptor(internalNameOrArray);
    } else {
      found.add(internalNameOrArray);
    }
  }

  private void descriptor(String descriptor) {
    type(descriptor.startsWith("(") ? Type.getMethodType(descriptor) : Type.getType(descriptor));
  }

  private void type(Type type) {
    if (type.getSort() == Type.ARRAY) {
      type(type.getElementType());
    } else if (type.getSort() == Type.OBJECT) {
      found.add(type.getInternalName());
    } else if (type.getSort() == Type.METHOD) {
      type(type.getReturnType());
      for (Type argument : type.getArgumentTypes()) {
        type(argument);
      }
    }
  }

  private void constant(Object value) {
    if (value instanceof Type) {
      type((Type) value);
    } else if (value instanceof Handle) {
      Handle handle = (Handle) value;
      owner(handle.getOwner());
      descriptor(handle.getDesc());
    } else if (value instanceof ConstantDynamic) {
      ConstantDynamic dynamic = (ConstantDynamic) value;
      descriptor(dynamic.getDescriptor());
      constant(dynamic.getBootstrapMethod());
      for (int i = 0; i < dynamic.getBootstrapMethodArgumentCount(); i++) {
        constant(dynamic.getBootstrapMethodArgument(i));
      }
    }
  }
}
