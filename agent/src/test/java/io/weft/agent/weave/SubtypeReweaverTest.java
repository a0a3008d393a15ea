package io.weft.agent.weave;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.agent.config.WeftConfig;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

/** The classes loaded before a type they inherit from are retransformed, off the caller's thread, and nothing else is. */
class SubtypeReweaverTest {

  @Test
  void retransformsTheLoadedSubclassesAndImplementationsOfTheNamedType() throws Exception {
    Instrumentation inst = ByteBuddyAgent.install();
    Classes loader = new Classes();
    loader.add("com/example/Api", "java/lang/Object", true, new String[0]);
    loader.add("com/example/Impl", "java/lang/Object", false, new String[] {"com/example/Api"});
    loader.add("com/example/SubImpl", "com/example/Impl", false, new String[0]);
    loader.add("com/example/MoreApi", "java/lang/Object", true, new String[] {"com/example/Api"});
    loader.add("com/example/Unrelated", "java/lang/Object", false, new String[0]);
    loader.add("com/example/Excluded", "com/example/Impl", false, new String[0]);
    for (String name : List.of("SubImpl", "MoreApi", "Unrelated", "Excluded")) {
      Class.forName("com.example." + name, false, loader); // SubImpl brings Impl and Api in, after it
    }
    List<String> retransformed = new CopyOnWriteArrayList<>();
    ClassFileTransformer recorder = new ClassFileTransformer() {
      @Override
      public byte[] transform(ClassLoader from, String name, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
        if (from == loader && redefined != null) {
          retransformed.add(name + (Thread.currentThread().getName().equals("weft-reweave") ? "" : " on " + Thread.currentThread().getName()));
        }
        return null;
      }
    };
    inst.addTransformer(recorder, true);
    List<String> debug = new CopyOnWriteArrayList<>();
    try {
      WeftConfig config = new WeftConfig(Map.of("otel.javaagent.debug", "true"), Map.of(), debug::add);
      SubtypeReweaver reweaver = new SubtypeReweaver(inst, new IgnoredNames(List.of("com.example.Excluded")), config);
      reweaver.reweaveSubtypes(loader, "com/example/Api");
      reweaver.reweaveSubtypes(loader, "com/example/NeverLoaded");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (retransformed.size() < 2 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertEquals(List.of("com/example/Impl", "com/example/SubImpl"), sorted(retransformed),
          "classes, not interfaces, that inherit from it; not those the configuration excludes; on the reweaver's own thread");
      assertTrue(debug.stream().anyMatch(line -> line.contains("weaving again 2 class(es)")), debug.toString());

      // asked again (the type woven once more): the same classes are not retransformed twice
      reweaver.reweaveSubtypes(loader, "com/example/Api");
      loader.add("com/example/Later", "com/example/Impl", false, new String[0]);
      Class.forName("com.example.Later", false, loader);
      reweaver.reweaveSubtypes(loader, "com/example/Impl");
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (retransformed.size() < 3 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertEquals(List.of("com/example/Impl", "com/example/Later", "com/example/SubImpl"), sorted(retransformed));
    } finally {
      inst.removeTransformer(recorder);
    }
  }

  private static List<String> sorted(List<String> names) {
    List<String> copy = new ArrayList<>(names);
    copy.sort(null);
    return copy;
  }

  /** Defines classes made here, by name, when asked. */
  private static final class Classes extends ClassLoader {
    private final Map<String, byte[]> classes = new HashMap<>();

    Classes() {
      super(SubtypeReweaverTest.class.getClassLoader());
    }

    void add(String internalName, String superName, boolean isInterface, String[] interfaces) {
      ClassWriter writer = new ClassWriter(0);
      int access = Opcodes.ACC_PUBLIC | (isInterface ? Opcodes.ACC_INTERFACE | Opcodes.ACC_ABSTRACT : 0);
      writer.visit(Opcodes.V11, access, internalName, null, superName, interfaces);
      writer.visitEnd();
      classes.put(internalName.replace('/', '.'), writer.toByteArray());
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
