package io.weft.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.agent.otel.AttributeKeyByName;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

/** The build's patch of the OpenTelemetry API, applied here to the unshaded API classes on the test class path. */
class StartupPatchesTest {

  private static final String ATTRIBUTES = "io/opentelemetry/api/common/ArrayBackedAttributes";

  @Test
  void theKeyOrderIsReadFromWeftsComparatorAndNoLambdaIsLeftInTheInitializer() {
    byte[] patched = StartupPatches.patchAttributeKeyOrder(classFile(ATTRIBUTES));

    List<String> initializer = new ArrayList<>();
    new ClassReader(patched).accept(new ClassVisitor(Opcodes.ASM9) {
      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
        if (!name.equals("<clinit>")) {
          return null;
        }
        return new MethodVisitor(Opcodes.ASM9) {
          @Override
          public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
            initializer.add("invokedynamic " + name);
          }

          @Override
          public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
            initializer.add((opcode == Opcodes.GETSTATIC ? "get " : "put ") + owner + "." + name);
          }

          @Override
          public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            initializer.add("call " + owner + "." + name);
          }
        };
      }
    }, 0);
    assertEquals(List.of("get io/weft/agent/otel/AttributeKeyByName.INSTANCE", "put " + ATTRIBUTES + ".KEY_COMPARATOR_FOR_CONSTRUCTION",
        "call io/opentelemetry/api/common/Attributes.builder", "call io/opentelemetry/api/common/AttributesBuilder.build",
        "put " + ATTRIBUTES + ".EMPTY"), initializer);
  }

  /** The API's own classes, with the patched one, in a loader of their own: attributes are still sorted and deduplicated by name. */
  @Test
  void thePatchedApiSortsAndDeduplicatesKeysByName() throws Exception {
    byte[] patched = StartupPatches.patchAttributeKeyOrder(classFile(ATTRIBUTES));
    ClassLoader api = new ClassLoader(StartupPatchesTest.class.getClassLoader()) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith("io.opentelemetry.api.") && !name.equals(AttributeKeyByName.class.getName())) {
          return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
          Class<?> loaded = findLoadedClass(name);
          if (loaded == null) {
            byte[] bytes = name.replace('.', '/').equals(ATTRIBUTES) ? patched : classFile(name.replace('.', '/'));
            loaded = defineClass(name, bytes, 0, bytes.length);
          }
          return loaded;
        }
      }
    };
    Class<?> attributes = api.loadClass("io.opentelemetry.api.common.Attributes");
    Object builder = attributes.getMethod("builder").invoke(null);
    Class<?> builderType = api.loadClass("io.opentelemetry.api.common.AttributesBuilder");
    for (String[] pair : new String[][] {{"zeta", "1"}, {"alpha", "2"}, {"mid", "3"}, {"alpha", "4"}}) {
      builderType.getMethod("put", String.class, String.class).invoke(builder, pair[0], pair[1]);
    }
    Object built = builderType.getMethod("build").invoke(builder);
    assertEquals(api, built.getClass().getClassLoader(), "built by the patched classes");
    assertEquals("{alpha=\"4\", mid=\"3\", zeta=\"1\"}", built.toString(), "sorted by name, the last value of a key kept");
  }

  @Test
  void aClassWithoutThePatternFailsTheBuild() {
    IllegalStateException failure = assertThrows(IllegalStateException.class,
        () -> StartupPatches.patchAttributeKeyOrder(classFile("io/opentelemetry/api/common/AttributeKey")));
    assertTrue(failure.getMessage().contains("look at StartupPatches again"), failure.getMessage());
  }

  private static byte[] classFile(String internalName) {
    try (InputStream in = StartupPatchesTest.class.getClassLoader().getResourceAsStream(internalName + ".class")) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
