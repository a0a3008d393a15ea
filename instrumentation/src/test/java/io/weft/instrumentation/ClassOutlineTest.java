package io.weft.instrumentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.utility.OpenedClassReader;
import org.junit.jupiter.api.Test;

class ClassOutlineTest {

  @Test
  void readsWhatAsmReadsFromEveryClassOfALibrary() throws Exception {
    Path jar = Path.of(ByteBuddy.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    int checked = 0;
    try (JarFile file = new JarFile(jar.toFile())) {
      for (JarEntry entry : Collections.list(file.entries())) {
        if (entry.getName().endsWith(".class") && !entry.getName().contains("module-info")) {
          try (InputStream in = file.getInputStream(entry)) {
            assertAgreesWithAsm(in.readAllBytes());
          }
          checked++;
        }
      }
    }
    assertTrue(checked > 2000, "a real library: " + checked);
  }

  @Test
  void readsCurrentJdkClassFiles() throws Exception {
    // nest members, records, sealed types, condy and indy constants, module-info of the runtime
    for (String name : List.of("java/lang/String", "java/lang/Record", "java/lang/invoke/MethodHandles$Lookup",
        "java/util/concurrent/ConcurrentHashMap", "java/lang/constant/ConstantDescs", "java/lang/runtime/ObjectMethods")) {
      assertAgreesWithAsm(jdkClass(name));
    }
  }

  @Test
  void findsConstantsExactlyOrInside() throws IOException {
    ClassOutline outline = new ClassOutline("java/lang/String", jdkClass("java/lang/String"));
    assertTrue(outline.hasConstant(ClassOutline.encode("java/lang/StringBuilder")));
    assertFalse(outline.hasConstant(ClassOutline.encode("java/lang/StringBuil")), "exact match only");
    assertTrue(outline.hasConstantContaining(ClassOutline.encode("ang/StringBuil")));
    assertFalse(outline.hasConstantContaining(ClassOutline.encode("io/weft/NotThere")));
  }

  @Test
  void findsAnyOfASetOfConstants() throws IOException {
    ClassOutline outline = new ClassOutline("java/lang/String", jdkClass("java/lang/String"));
    // two of the same length as StringBuilder, one shorter, one longer: only the exact one matches
    assertTrue(outline.hasAnyConstant(new ClassOutline.ConstantSet(java.util.List.of(
        "java/lang/StringBuildex", "java/lang/StringBuilder", "io/weft/x", "io/weft/NotThereAtAllLonger"))));
    assertFalse(outline.hasAnyConstant(new ClassOutline.ConstantSet(java.util.List.of(
        "java/lang/StringBuildex", "java/lang/StringBuil", "io/weft/NotThereAtAllLonger"))));
    assertFalse(outline.hasAnyConstant(new ClassOutline.ConstantSet(java.util.List.of())));
  }

  @Test
  void findsDeclaredMethodsByNameFlagsAndDescriptorStart() throws IOException {
    ClassOutline outline = new ClassOutline("java/lang/String", jdkClass("java/lang/String"));
    byte[][] indexOf = {ClassOutline.encode("indexOf")};
    assertTrue(outline.declaresMethod(ClassOutline.PUBLIC, ClassOutline.ABSTRACT, indexOf, new byte[][] {ClassOutline.encode("(Ljava/lang/String;")}));
    assertFalse(outline.declaresMethod(ClassOutline.PUBLIC, ClassOutline.ABSTRACT, indexOf, new byte[][] {ClassOutline.encode("(Ljava/util/List;")}));
    assertFalse(outline.declaresMethod(ClassOutline.NATIVE, 0, indexOf, new byte[][] {ClassOutline.encode("(")}), "no native indexOf");
    // a method it calls but does not declare
    assertFalse(outline.declaresMethod(0, 0, new byte[][] {ClassOutline.encode("arraycopy")}, new byte[][] {ClassOutline.encode("(")}));
  }

  @Test
  void directSuperTypesDecideOnlyWhatTheyCan() throws IOException {
    Set<String> application = Set.of("com/acme/Pricing");
    ClassOutline string = new ClassOutline("java/lang/String", jdkClass("java/lang/String"));
    assertFalse(string.mayInheritFrom(application), "platform super types never lead to an application type");
    assertTrue(string.mayInheritFrom(Set.of("java/lang/CharSequence")), "named directly");
    assertTrue(string.mayInheritFrom(Set.of("java/lang/Iterable")), "a platform super type may lead to another platform type");
    ClassOutline object = new ClassOutline("java/lang/Object", jdkClass("java/lang/Object"));
    assertNull(object.superName());
    assertFalse(object.mayInheritFrom(Set.of("java/lang/Iterable")), "no super type at all");
    ClassOutline own = new ClassOutline("io/weft/instrumentation/ClassOutlineTest", ownClass(ClassOutlineTest.class));
    assertFalse(own.mayInheritFrom(application), "extends Object, implements nothing");
    ClassOutline nested = new ClassOutline("io/weft/instrumentation/ClassOutlineTest$Finder", ownClass(Finder.class));
    assertTrue(nested.mayInheritFrom(application), "an application super class may lead anywhere");
  }

  @Test
  void aBrokenClassFileIsMalformedAndMayMatchAnything() throws IOException {
    byte[] string = jdkClass("java/lang/String");
    for (byte[] broken : List.of(Arrays.copyOf(string, 200), Arrays.copyOf(string, 9), new byte[0], "not a class".getBytes(StandardCharsets.US_ASCII),
        unknownConstantTag(string))) {
      ClassOutline outline = new ClassOutline("x/Broken", broken);
      assertTrue(outline.isMalformed());
      assertTrue(outline.mayInheritFrom(Set.of("com/acme/Pricing")));
      assertTrue(outline.hasConstant(ClassOutline.encode("anything")));
      assertTrue(outline.hasConstantContaining(ClassOutline.encode("anything")));
      assertTrue(outline.declaresMethod(0, 0, new byte[][] {ClassOutline.encode("run")}, new byte[][] {ClassOutline.encode("(")}));
      assertEquals(0, outline.methodCount());
    }
  }

  @Test
  void encodesModifiedUtf8() {
    assertArrayEquals("a/B".getBytes(StandardCharsets.UTF_8), ClassOutline.encode("a/B"));
    assertArrayEquals("Größe".getBytes(StandardCharsets.UTF_8), ClassOutline.encode("Größe"));
    assertArrayEquals(new byte[] {(byte) 0xc0, (byte) 0x80}, ClassOutline.encode("\0"), "NUL takes two bytes");
    // a supplementary character: each surrogate on its own, three bytes each
    assertEquals(6, ClassOutline.encode("\uD83D\uDE00").length);
  }

  private static void assertAgreesWithAsm(byte[] bytes) {
    ClassReader reader = OpenedClassReader.of(bytes);
    Finder asm = new Finder();
    reader.accept(asm, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    ClassOutline outline = new ClassOutline(asm.name, bytes);
    assertFalse(outline.isMalformed(), asm.name);
    assertEquals(asm.name.replace('/', '.'), outline.className());
    assertEquals("java/lang/Object".equals(asm.superName) ? null : asm.superName, outline.superName(), asm.name);
    assertArrayEquals(asm.interfaces, outline.interfaceNames(), asm.name);
    assertEquals((asm.access & 0x0200) != 0, outline.isInterface(), asm.name);
    assertEquals(asm.methods.size(), outline.methodCount(), asm.name);
    for (int i = 0; i < outline.methodCount(); i++) {
      String[] method = asm.methods.get(i);
      assertEquals(method[0], outline.methodName(i), asm.name);
      assertEquals(Integer.parseInt(method[2]), outline.methodAccess(i) & 0xffff, asm.name + "." + method[0]);
      assertTrue(outline.declaresMethod(outline.methodAccess(i), 0, new byte[][] {ClassOutline.encode(method[0])},
          new byte[][] {ClassOutline.encode(method[1])}), asm.name + "." + method[0] + method[1]);
    }
    assertTrue(outline.hasConstant(ClassOutline.encode(asm.name)), "its own name is a constant");
  }

  private static byte[] unknownConstantTag(byte[] classFile) {
    byte[] copy = classFile.clone();
    copy[10] = 99; // the tag of the first constant
    return copy;
  }

  private static byte[] jdkClass(String internalName) throws IOException {
    try (InputStream in = ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
      return in.readAllBytes();
    }
  }

  private static byte[] ownClass(Class<?> type) throws IOException {
    try (InputStream in = type.getResourceAsStream("/" + type.getName().replace('.', '/') + ".class")) {
      return in.readAllBytes();
    }
  }

  /** What ASM reports: name, super, interfaces, access, and each method's name, descriptor and access. */
  private static final class Finder extends ClassVisitor {
    String name;
    String superName;
    String[] interfaces;
    int access;
    final List<String[]> methods = new ArrayList<>();

    Finder() {
      super(OpenedClassReader.ASM_API);
    }

    @Override
    public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
      this.name = name;
      this.superName = superName;
      this.interfaces = interfaces;
      this.access = access;
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
      // ASM adds pseudo flags above the 16 bits a class file stores
      methods.add(new String[] {name, descriptor, String.valueOf(access & 0xffff)});
      return null;
    }
  }
}
