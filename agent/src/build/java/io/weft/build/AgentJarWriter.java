package io.weft.build;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;

/**
 * Build tool, not part of the agent: writes {@code weft-agent.jar}. The few classes that must stay
 * loadable (entry point, agent class loader, bridge) and the resources go in as ordinary entries; every
 * other class goes into one stored entry, {@code inst/classes.pack}, which only {@code AgentClassLoader}
 * reads.
 *
 * <p>Why one entry: the JVM opens the agent jar to load the premain class, and opening a jar reads its
 * whole central directory, interpreted, at JVM start. With four and a half thousand entries that was
 * 10-15 ms of every start, plus C2 compiling the zip code for it. A jar of a few dozen entries opens in
 * well under a millisecond, and the pack's index is one read.
 *
 * <p>The pack, all integers big-endian:
 * <pre>
 *   "WFPK"  u4 version (1)  u4 count  u4 slots (a power of two, at least twice count)
 *   slots x { u4 name hash (String.hashCode of "a/b/C"), u4 record offset from the pack's start, 0 = empty }
 *   count x { u2 name length, name (UTF-8, "a/b/C"), u1 method (0 stored, 8 deflated, zlib format),
 *             u4 class file size, u4 stored size, stored bytes }
 * </pre>
 * A name is found at slot {@code hash & (slots - 1)} or, on a collision, at the next slots in turn.
 *
 * <p>Arguments: the manifest, the directory of ordinary entries, the directory of classes to pack, the
 * jar to write.
 */
public final class AgentJarWriter {

  static final String PACK = "inst/classes.pack";
  static final int VERSION = 1;

  private AgentJarWriter() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 4) {
      throw new IllegalArgumentException("usage: AgentJarWriter MANIFEST PLAIN_DIR CLASSES_DIR OUT_JAR");
    }
    Manifest manifest;
    try (InputStream in = Files.newInputStream(Paths.get(args[0]))) {
      manifest = new Manifest(in);
    }
    write(manifest, Paths.get(args[1]), Paths.get(args[2]), Paths.get(args[3]));
  }

  public static void write(Manifest manifest, Path plain, Path classes, Path out) throws IOException {
    Files.deleteIfExists(out);
    try (OutputStream file = Files.newOutputStream(out); JarOutputStream jar = new JarOutputStream(file, manifest)) {
      jar.setLevel(Deflater.BEST_COMPRESSION);
      for (Path path : files(plain)) {
        String name = plain.relativize(path).toString().replace('\\', '/');
        if (name.equals("META-INF/MANIFEST.MF")) {
          continue;
        }
        ZipEntry entry = new ZipEntry(name);
        entry.setTime(Files.getLastModifiedTime(path).toMillis());
        jar.putNextEntry(entry);
        Files.copy(path, jar);
        jar.closeEntry();
      }
      byte[] pack = pack(classes);
      ZipEntry entry = new ZipEntry(PACK);
      entry.setMethod(ZipEntry.STORED);
      entry.setSize(pack.length);
      entry.setCompressedSize(pack.length);
      CRC32 crc = new CRC32();
      crc.update(pack);
      entry.setCrc(crc.getValue());
      jar.putNextEntry(entry);
      jar.write(pack);
      jar.closeEntry();
    }
  }

  /** Every {@code .class} file under {@code root}, in name order, as a pack. */
  static byte[] pack(Path root) throws IOException {
    List<String> names = new ArrayList<>();
    List<byte[]> classFiles = new ArrayList<>();
    for (Path path : files(root)) {
      String name = root.relativize(path).toString().replace('\\', '/');
      if (!name.endsWith(".class")) {
        throw new IllegalArgumentException("not a class file: " + path);
      }
      names.add(name.substring(0, name.length() - ".class".length()));
      classFiles.add(Files.readAllBytes(path));
    }
    return pack(names, classFiles);
  }

  /** The pack of the class files given with their names ({@code "a/b/C"}). */
  static byte[] pack(List<String> names, List<byte[]> classFiles) throws IOException {
    int count = names.size();
    int slots = Integer.highestOneBit(Math.max(2, count * 2 - 1)) << 1;
    int headerSize = 16 + slots * 8;
    int[] hashes = new int[slots];
    int[] offsets = new int[slots];
    ByteArrayOutputStream records = new ByteArrayOutputStream();
    DataOutputStream record = new DataOutputStream(records);
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
    byte[] buffer = new byte[1 << 16];
    Set<String> distinct = new HashSet<>();
    for (int i = 0; i < count; i++) {
      String name = names.get(i);
      byte[] classFile = classFiles.get(i);
      if (!distinct.add(name)) {
        throw new IllegalArgumentException("packed twice: " + name);
      }
      int slot = name.hashCode() & (slots - 1);
      while (offsets[slot] != 0) {
        slot = (slot + 1) & (slots - 1);
      }
      hashes[slot] = name.hashCode();
      offsets[slot] = headerSize + records.size();

      deflater.reset();
      deflater.setInput(classFile);
      deflater.finish();
      ByteArrayOutputStream deflated = new ByteArrayOutputStream(classFile.length / 2 + 64);
      while (!deflater.finished()) {
        deflated.write(buffer, 0, deflater.deflate(buffer));
      }
      boolean smaller = deflated.size() < classFile.length;
      byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
      record.writeShort(nameBytes.length);
      record.write(nameBytes);
      record.writeByte(smaller ? 8 : 0);
      record.writeInt(classFile.length);
      record.writeInt(smaller ? deflated.size() : classFile.length);
      if (smaller) {
        deflated.writeTo(record);
      } else {
        record.write(classFile);
      }
    }
    deflater.end();
    record.flush();
    ByteArrayOutputStream pack = new ByteArrayOutputStream(headerSize + records.size());
    DataOutputStream header = new DataOutputStream(pack);
    header.writeBytes("WFPK");
    header.writeInt(VERSION);
    header.writeInt(count);
    header.writeInt(slots);
    for (int slot = 0; slot < slots; slot++) {
      header.writeInt(hashes[slot]);
      header.writeInt(offsets[slot]);
    }
    header.flush();
    records.writeTo(pack);
    return pack.toByteArray();
  }

  private static List<Path> files(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
    }
  }
}
