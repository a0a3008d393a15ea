package io.weft.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.build.AgentJarWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The class pack, written by the build's AgentJarWriter and read by AgentClassLoader. */
class AgentClassLoaderTest {

  @TempDir
  Path dir;

  /** Loaded from the pack by a test; refers to JDK types only, which the agent loader's parent sees. */
  public static final class Packed implements Supplier<String> {
    @Override
    public String get() {
      return "from the pack, loaded by " + getClass().getClassLoader().getName();
    }
  }

  /** Packed with its super class: defining it loads the super class from the pack while its own bytes are being defined. */
  public static class PackedParent implements Supplier<String> {
    @Override
    public String get() {
      return "parent";
    }
  }

  public static final class PackedChild extends PackedParent {
    @Override
    public String get() {
      return "child of " + super.get();
    }
  }

  /** The pack is read in place, at the offset the zip's directory gives, and found there by its header. */
  @Test
  void thePackIsReadInPlaceWhereTheZipDirectorySaysItIs() throws Exception {
    Path jar = writeJar();
    try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(jar.toFile(), "r")) {
      long at = AgentClassLoader.storedDataOffset(file, "inst/classes.pack");
      assertTrue(at > 0, "found: " + at);
      byte[] magic = new byte[4];
      file.seek(at);
      file.readFully(magic);
      assertEquals("WFPK", new String(magic, StandardCharsets.ISO_8859_1));
      assertEquals(-1, AgentClassLoader.storedDataOffset(file, "inst/io/weft/agent/note.txt"), "deflated: not read in place");
      assertEquals(-1, AgentClassLoader.storedDataOffset(file, "inst/missing"));
    }
    AgentClassLoader loader = new AgentClassLoader(jar.toFile());
    assertTrue(loader.readsInPlace());
    @SuppressWarnings("unchecked")
    Supplier<String> child = (Supplier<String>) loader.loadClass(PackedChild.class.getName()).getConstructor().newInstance();
    assertEquals("child of parent", child.get());
    assertEquals(loader, loader.loadClass(PackedParent.class.getName()).getClassLoader(), "the super class came from the pack too");
  }

  /**
   * Bytes before the zip (a launcher script, say) move every entry: the directory's offsets no longer say where the pack
   * is, its header is not found there, and the classes are read through zip streams instead, as the JDK reads such a jar.
   */
  @Test
  void aJarWithBytesBeforeItIsReadThroughZipStreams() throws Exception {
    Path jar = writeJar();
    Path prefixed = dir.resolve("prefixed.jar");
    byte[] script = "#!/bin/sh\nexec java -jar \"$0\" \"$@\"\n".getBytes(StandardCharsets.ISO_8859_1);
    byte[] zip = Files.readAllBytes(jar);
    byte[] both = new byte[script.length + zip.length];
    System.arraycopy(script, 0, both, 0, script.length);
    System.arraycopy(zip, 0, both, script.length, zip.length);
    Files.write(prefixed, both);
    AgentClassLoader loader = new AgentClassLoader(prefixed.toFile());
    assertFalse(loader.readsInPlace());
    @SuppressWarnings("unchecked")
    Supplier<String> child = (Supplier<String>) loader.loadClass(PackedChild.class.getName()).getConstructor().newInstance();
    assertEquals("child of parent", child.get());
    try (InputStream aa = loader.getResourceAsStream("x/Aa.class")) {
      assertEquals("Aa ".repeat(500), new String(aa.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** Threads reading classes at once each get whole, right bytes: the buffers kept between classes are never shared. */
  @Test
  void classesReadOnManyThreadsAtOnceAreEachWhole() throws Exception {
    AgentClassLoader loader = new AgentClassLoader(writeJar().toFile());
    byte[] packed = classFile(Packed.class);
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<String>> results = new java.util.ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(threads.submit(() -> {
          for (int i = 0; i < 300; i++) {
            try (InputStream aa = loader.getResourceAsStream("x/Aa.class"); InputStream bb = loader.getResourceAsStream("x/BB.class");
                InputStream cls = loader.getResourceAsStream(internalName(Packed.class) + ".class")) {
              if (!new String(aa.readAllBytes(), StandardCharsets.UTF_8).equals("Aa ".repeat(500))
                  || !new String(bb.readAllBytes(), StandardCharsets.UTF_8).equals("BB")
                  || !java.util.Arrays.equals(cls.readAllBytes(), packed)) {
                return "damaged bytes in round " + i;
              }
            }
          }
          return "ok";
        }));
      }
      for (java.util.concurrent.Future<String> result : results) {
        assertEquals("ok", result.get(60, java.util.concurrent.TimeUnit.SECONDS));
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void loadsAPackedClassAndServesClassFilesAndResources() throws Exception {
    Path jar = writeJar();
    AgentClassLoader loader = new AgentClassLoader(jar.toFile());

    Class<?> packed = loader.loadClass(Packed.class.getName());
    assertNotSame(Packed.class, packed, "defined by the agent loader, not found through a parent");
    assertEquals(loader, packed.getClassLoader());
    @SuppressWarnings("unchecked")
    Supplier<String> instance = (Supplier<String>) packed.getConstructor().newInstance();
    assertEquals("from the pack, loaded by weft", instance.get());

    try (InputStream in = loader.getResourceAsStream(internalName(Packed.class) + ".class")) {
      assertArrayEquals(classFile(Packed.class), in.readAllBytes(), "Byte Buddy reads advice class files this way");
    }
    try (InputStream in = loader.getResourceAsStream("io/weft/agent/note.txt")) {
      assertEquals("a resource stays an entry", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    assertTrue(loader.getResource("io/weft/agent/note.txt").toString().endsWith("!/inst/io/weft/agent/note.txt"));
    assertNull(loader.getResource(internalName(Packed.class) + ".class"), "class files have no URL here");
    assertSame(packed, loader.loadClass(Packed.class.getName()), "defined once, then found as loaded");
    List<URL> services = Collections.list(loader.getResources("META-INF/services/io.weft.agent.Spi"));
    assertEquals(1, services.size(), "a relocated service is looked up in the jar alone: " + services);
    assertTrue(services.get(0).toString().endsWith("!/inst/META-INF/services/io.weft.agent.Spi"), services::toString);
    assertFalse(loader.getResources("META-INF/services/io.weft.agent.Missing").hasMoreElements());
    assertTrue(loader.getResources("java/lang/Object.class").hasMoreElements(), "other names still reach the parents");
    assertThrows(ClassNotFoundException.class, () -> loader.loadClass("io.weft.agent.NotPacked"),
        "a Weft name the pack lacks is asked of the parents, which lack it too");
    assertSame(java.sql.Connection.class, loader.loadClass("java.sql.Connection"), "JDK types come from the parents");
    assertEquals(List.of("io/weft/agent/AgentClassLoaderTest$Packed", "io/weft/agent/AgentClassLoaderTest$PackedChild",
        "io/weft/agent/AgentClassLoaderTest$PackedParent", "x/Aa", "x/BB", "x/empty"),
        loader.packedClassNames().stream().sorted().collect(java.util.stream.Collectors.toList()));
  }

  @Test
  void namesWithTheSameHashAreToldApartAndAnEmptyRecordIsStored() throws Exception {
    assertEquals("x/Aa".hashCode(), "x/BB".hashCode(), "the test needs colliding names");
    AgentClassLoader loader = new AgentClassLoader(writeJar().toFile());
    try (InputStream aa = loader.getResourceAsStream("x/Aa.class"); InputStream bb = loader.getResourceAsStream("x/BB.class");
        InputStream empty = loader.getResourceAsStream("x/empty.class")) {
      assertEquals("Aa ".repeat(500), new String(aa.readAllBytes(), StandardCharsets.UTF_8));
      assertEquals("BB", new String(bb.readAllBytes(), StandardCharsets.UTF_8), "too short to deflate: stored as is");
      assertEquals(0, empty.readAllBytes().length);
    }
    assertNull(loader.getResourceAsStream("x/Ab.class"));
  }

  @Test
  void aJarWithoutAPackOrWithAnotherFormatIsRefusedWithTheReason() throws Exception {
    Path noPack = dir.resolve("no-pack.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(noPack), manifest())) {
      out.putNextEntry(new JarEntry("inst/io/weft/agent/note.txt"));
    }
    IOException missing = assertThrows(IOException.class, () -> new AgentClassLoader(noPack.toFile()));
    assertTrue(missing.getMessage().contains("is not a Weft agent jar: it has no inst/classes.pack"), missing.getMessage());

    Path otherFormat = dir.resolve("other.jar");
    byte[] pack = "WFPK\0\0\0\2\0\0\0\0\0\0\0\2".getBytes(StandardCharsets.ISO_8859_1); // version 2
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(otherFormat), manifest())) {
      JarEntry entry = new JarEntry("inst/classes.pack");
      entry.setMethod(JarEntry.STORED);
      entry.setSize(pack.length);
      CRC32 crc = new CRC32();
      crc.update(pack);
      entry.setCrc(crc.getValue());
      out.putNextEntry(entry);
      out.write(pack);
    }
    IOException other = assertThrows(IOException.class, () -> new AgentClassLoader(otherFormat.toFile()));
    assertTrue(other.getMessage().contains("is not a class pack this agent reads"), other.getMessage());
  }

  /** A record whose size is damaged is refused as such; the loader never allocates what it claims. */
  @Test
  void aDamagedRecordIsRefusedWithoutAllocatingWhatItClaims() throws Exception {
    Path jar = writeJar();
    byte[] bytes = Files.readAllBytes(jar);
    int record = indexOf(bytes, new byte[] {0, 4, 'x', '/', 'B', 'B'}); // the name's length, then the name
    assertTrue(record > 0, "the record of x/BB is in the stored pack");
    int size = record + 2 + 4 + 1; // after the method byte
    bytes[size] = 0x7f;
    bytes[size + 1] = (byte) 0xff;
    bytes[size + 2] = (byte) 0xff;
    bytes[size + 3] = (byte) 0xf0;
    Files.write(jar, bytes); // a stored entry's checksum is not checked on reading: the damage gets through
    AgentClassLoader loader = new AgentClassLoader(jar.toFile());

    assertNull(loader.getResourceAsStream("x/BB.class"));
    ClassNotFoundException refused = assertThrows(ClassNotFoundException.class, () -> loader.loadClass("x.BB"));
    assertTrue(refused.getCause().getMessage().contains("has a damaged record"), String.valueOf(refused.getCause()));
    try (InputStream aa = loader.getResourceAsStream("x/Aa.class")) {
      assertEquals("Aa ".repeat(500), new String(aa.readAllBytes(), StandardCharsets.UTF_8), "the other records still load");
    }
  }

  private static int indexOf(byte[] bytes, byte[] part) {
    for (int i = 0; i + part.length <= bytes.length; i++) {
      if (java.util.Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
        return i;
      }
    }
    return -1;
  }

  /** A tool that re-zips the jar compresses the pack: it can no longer be read in place, so it is read whole. */
  @Test
  void aPackCompressedByARezippedJarIsStillRead() throws Exception {
    Path original = writeJar();
    Path rezipped = dir.resolve("rezipped.jar");
    try (java.util.jar.JarFile in = new java.util.jar.JarFile(original.toFile());
        JarOutputStream out = new JarOutputStream(Files.newOutputStream(rezipped), in.getManifest())) {
      for (JarEntry entry : java.util.Collections.list(in.entries())) {
        if (!entry.getName().equals(java.util.jar.JarFile.MANIFEST_NAME)) {
          out.putNextEntry(new JarEntry(entry.getName())); // deflated, whatever it was
          try (InputStream data = in.getInputStream(entry)) {
            data.transferTo(out);
          }
        }
      }
    }
    try (java.util.jar.JarFile check = new java.util.jar.JarFile(rezipped.toFile())) {
      assertEquals(JarEntry.DEFLATED, check.getJarEntry("inst/classes.pack").getMethod());
    }
    AgentClassLoader loader = new AgentClassLoader(rezipped.toFile());
    @SuppressWarnings("unchecked")
    Supplier<String> instance = (Supplier<String>) loader.loadClass(Packed.class.getName()).getConstructor().newInstance();
    assertEquals("from the pack, loaded by weft", instance.get());
    try (InputStream bb = loader.getResourceAsStream("x/BB.class")) {
      assertEquals("BB", new String(bb.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private Path writeJar() throws IOException {
    Path plain = Files.createDirectories(dir.resolve("plain"));
    Path classes = Files.createDirectories(dir.resolve("classes"));
    Files.createDirectories(plain.resolve("inst/io/weft/agent"));
    Files.write(plain.resolve("inst/io/weft/agent/note.txt"), "a resource stays an entry".getBytes(StandardCharsets.UTF_8));
    Files.createDirectories(plain.resolve("inst/META-INF/services"));
    Files.write(plain.resolve("inst/META-INF/services/io.weft.agent.Spi"), "io.weft.agent.SpiImpl\n".getBytes(StandardCharsets.UTF_8));
    write(classes.resolve(internalName(Packed.class) + ".class"), classFile(Packed.class));
    write(classes.resolve(internalName(PackedParent.class) + ".class"), classFile(PackedParent.class));
    write(classes.resolve(internalName(PackedChild.class) + ".class"), classFile(PackedChild.class));
    write(classes.resolve("x/Aa.class"), "Aa ".repeat(500).getBytes(StandardCharsets.UTF_8));
    write(classes.resolve("x/BB.class"), "BB".getBytes(StandardCharsets.UTF_8));
    write(classes.resolve("x/empty.class"), new byte[0]);
    Path jar = dir.resolve("agent.jar");
    AgentJarWriter.write(manifest(), plain, classes, jar);
    return jar;
  }

  private static void write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(bytes);
    }
  }

  private static Manifest manifest() {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    return manifest;
  }

  private static String internalName(Class<?> type) {
    return type.getName().replace('.', '/');
  }

  private static byte[] classFile(Class<?> type) throws IOException {
    try (InputStream in = type.getResourceAsStream("/" + internalName(type) + ".class")) {
      return in.readAllBytes();
    }
  }
}
