package io.weft.instrumentation.methods;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import net.bytebuddy.utility.OpenedClassReader;

/**
 * Finds, in one class file, the lambda bodies that implement a named functional interface: javac
 * compiles {@code Pricing p = a -> a * 2} to an {@code invokedynamic} bootstrapped by {@code
 * LambdaMetafactory} whose descriptor returns {@code Pricing} and whose second bootstrap argument is
 * a handle to a synthetic method of the same class ({@code lambda$main$0}). Method references to
 * ordinary methods ({@code Prices::triple}) are left out on purpose. A constant-pool look rejects
 * almost every class before any method is parsed. Pure; agent class loader.
 */
final class LambdaCallSites {

  static final String METAFACTORY = "java/lang/invoke/LambdaMetafactory";

  /** In the name of every lambda body javac (and Kotlin) generates. */
  static final String LAMBDA_BODY_MARKER = "lambda$";

  private static final byte[] METAFACTORY_UTF8 = METAFACTORY.getBytes(StandardCharsets.UTF_8);
  private static final int CONSTANT_UTF8 = 1;

  /** The interface method a lambda body implements, e.g. {@code io.weft.smoke.app.Pricing.apply}. */
  static final class Implemented {
    final String interfaceName;
    final String methodName;

    Implemented(String interfaceName, String methodName) {
      this.interfaceName = interfaceName;
      this.methodName = methodName;
    }

    @Override
    public String toString() {
      return interfaceName + "." + methodName;
    }
  }

  private final Map<String, String> interfaces = new HashMap<>(); // internal name -> binary name
  private final byte[][] interfaceUtf8;
  private final BiPredicate<String, String> selects;

  /**
   * @param interfaceNames exactly named types ({@code a.b.Pricing}); any of them may be a lambda's
   * @param selects whether a method of one of them is configured (includes less excludes)
   */
  LambdaCallSites(Collection<String> interfaceNames, BiPredicate<String, String> selects) {
    this.selects = selects;
    this.interfaceUtf8 = new byte[interfaceNames.size()][];
    int i = 0;
    for (String name : interfaceNames) {
      String internal = name.replace('.', '/');
      interfaces.put(internal, name);
      // modified UTF-8 equals UTF-8 here: class names hold no NUL and, in practice, no supplementary characters
      interfaceUtf8[i++] = internal.getBytes(StandardCharsets.UTF_8);
    }
  }

  /**
   * The lambda bodies of this class file that implement a configured interface method, keyed by
   * method name plus descriptor; empty for almost every class. Throws on a malformed class file.
   */
  Map<String, Implemented> scan(byte[] classFile) {
    ClassReader reader = OpenedClassReader.of(classFile);
    if (!mayDeclareLambdas(reader, classFile)) {
      return Map.of();
    }
    Finder finder = new Finder();
    reader.accept(finder, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    finder.bodies.keySet().retainAll(finder.synthetic);
    return finder.bodies.isEmpty() ? Map.of() : finder.bodies;
  }

  /**
   * Whether the constant pool names the lambda factory and mentions a configured type (as a class or
   * inside a descriptor: an indy's {@code ()Lio/weft/smoke/app/Pricing;}). Reads raw UTF-8 entries
   * at the offsets ClassReader already computed; decodes no string.
   */
  boolean mayDeclareLambdas(ClassReader reader, byte[] classFile) {
    boolean factory = false;
    boolean type = false;
    for (int item = 1; item < reader.getItemCount() && !(factory && type); item++) {
      int offset = reader.getItem(item);
      if (offset == 0 || classFile[offset - 1] != CONSTANT_UTF8) {
        continue; // 0: the unusable slot after a long or double
      }
      int length = reader.readUnsignedShort(offset);
      int start = offset + 2;
      if (!factory && length == METAFACTORY_UTF8.length && regionEquals(classFile, start, METAFACTORY_UTF8)) {
        factory = true;
      } else if (!type) {
        for (byte[] name : interfaceUtf8) {
          if (contains(classFile, start, length, name)) {
            type = true;
            break;
          }
        }
      }
    }
    return factory && type;
  }

  private static boolean contains(byte[] data, int start, int length, byte[] needle) {
    for (int i = start, last = start + length - needle.length; i <= last; i++) {
      if (regionEquals(data, i, needle)) {
        return true;
      }
    }
    return false;
  }

  private static boolean regionEquals(byte[] data, int start, byte[] needle) {
    for (int j = 0; j < needle.length; j++) {
      if (data[start + j] != needle[j]) {
        return false;
      }
    }
    return true;
  }

  /** Collects lambda call sites of configured interfaces and the class's synthetic methods. */
  private final class Finder extends ClassVisitor {
    final Map<String, Implemented> bodies = new HashMap<>();
    final Set<String> synthetic = new HashSet<>();
    private String className;

    Finder() {
      super(OpenedClassReader.ASM_API);
    }

    @Override
    public void visit(int version, int access, String name, String signature, String superName, String[] interfaceNames) {
      className = name;
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
      // javac names lambda bodies lambda$<method>$<n>, Kotlin <method>$lambda$<n>; the agent lets
      // Byte Buddy's method matchers see synthetic methods with such names only
      if ((access & Opcodes.ACC_SYNTHETIC) != 0
          && (access & (Opcodes.ACC_BRIDGE | Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0
          && name.contains(LAMBDA_BODY_MARKER)) {
        synthetic.add(name + descriptor);
      }
      return new MethodVisitor(OpenedClassReader.ASM_API) {
        @Override
        public void visitInvokeDynamicInsn(String samName, String descriptor, Handle bootstrap, Object... arguments) {
          found(samName, descriptor, bootstrap, arguments);
        }
      };
    }

    private void found(String samName, String descriptor, Handle bootstrap, Object[] arguments) {
      // metafactory and altMetafactory share the first three arguments: erased SAM type, body, instantiated type
      if (!METAFACTORY.equals(bootstrap.getOwner()) || arguments.length < 3 || !(arguments[1] instanceof Handle)) {
        return;
      }
      Type produced = Type.getReturnType(descriptor);
      String interfaceName = produced.getSort() == Type.OBJECT ? interfaces.get(produced.getInternalName()) : null;
      Handle body = (Handle) arguments[1];
      if (interfaceName != null && body.getOwner().equals(className) && selects.test(interfaceName, samName)) {
        bodies.put(body.getName() + body.getDesc(), new Implemented(interfaceName, samName));
      }
    }
  }
}
