package io.weft.agent;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.lang.instrument.Instrumentation;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipEntry;

/**
 * Loads the agent's implementation (our code, the relocated OpenTelemetry SDK, Byte Buddy, OkHttp)
 * from the agent jar's {@code inst/classes.pack}, one stored entry that no other class loader can load
 * classes from; resources stay ordinary entries under {@code inst/}. Its parent is the platform loader:
 * JDK types (java.sql included) and the bootstrap bridge are visible, the application is not. Loaded
 * from bootstrap; it also carries premain into the agent ({@link #start}).
 *
 * <p>The pack exists for start-up time: a jar with an entry per class has a central directory of
 * thousands of entries, which the JVM reads, interpreted, when it opens the jar for the premain class.
 * The pack's format is described by the build's {@code AgentJarWriter}: a hash table of names and
 * offsets, read once here, then one record (name, sizes, zlib-deflated class file) per class.
 */
public final class AgentClassLoader extends ClassLoader {

  private static final String PREFIX = "inst/";
  private static final String PACK = "inst/classes.pack";
  /** Larger than any class file there is: a damaged record's size must not make the host allocate gigabytes. */
  private static final int MAX_CLASS_FILE = 16 << 20;

  static {
    registerAsParallelCapable();
  }

  private final JarFile jar;
  private final String jarUrl;
  private final ProtectionDomain domain;
  private final JarEntry pack;
  /** The pack in memory, only when the jar was re-zipped with it compressed; otherwise read in place. */
  private final byte[] wholePack;
  /** The pack's slots: {hash, offset} pairs, big-endian, as stored. */
  private final byte[] slots;
  private final int mask;
  private final int count;
  /**
   * The jar file, read at the pack's place in it (a seek and two reads per class, under its own lock), or {@code null}:
   * read through a zip entry stream (a jar whose pack is not stored where its zip headers say, or re-zipped).
   */
  private final RandomAccessFile file;
  /** Where the pack's bytes begin in {@link #file}. */
  private final long packAt;
  private final Object inflaterLock = new Object();
  private Inflater spareInflater; // guarded by inflaterLock
  /** Buffers of classes read before, for the next ones (a few: a class's super types load while it is defined). */
  private final Scratch[] spareScratch = new Scratch[4]; // guarded by inflaterLock
  private int spareScratchCount; // guarded by inflaterLock
  private volatile BiConsumer<Instrumentation, Boolean> entry;
  private volatile Map<String, String> arguments = Collections.emptyMap();
  private volatile List<String> argumentProblems = Collections.emptyList();

  public AgentClassLoader(File jarFile) throws IOException {
    super("weft", ClassLoader.getPlatformClassLoader());
    this.jar = new JarFile(jarFile, false);
    this.jarUrl = "jar:" + jarFile.toURI() + "!/";
    this.domain =
        new ProtectionDomain(new CodeSource(jarFile.toURI().toURL(), (Certificate[]) null), null, this, null);
    this.pack = jar.getJarEntry(PACK);
    if (pack == null) {
      throw new IOException(jarFile + " is not a Weft agent jar: it has no " + PACK);
    }
    if (pack.getMethod() != ZipEntry.STORED) {
      // a jar re-zipped by some tool: the pack can no longer be read in place, so it is read whole, once
      try (InputStream in = jar.getInputStream(pack)) {
        this.wholePack = in.readAllBytes();
      }
    } else {
      this.wholePack = null;
    }
    try (InputStream in = open()) {
      byte[] header = in.readNBytes(16);
      int slotCount = header.length == 16 ? intAt(header, 12) : -1;
      if (header.length != 16 || header[0] != 'W' || header[1] != 'F' || header[2] != 'P' || header[3] != 'K'
          || intAt(header, 4) != 1 || slotCount <= 0 || Integer.bitCount(slotCount) != 1 || slotCount > (1 << 24)) {
        throw new IOException(jarFile + ": " + PACK + " is not a class pack this agent reads");
      }
      this.count = intAt(header, 8);
      this.mask = slotCount - 1;
      this.slots = in.readNBytes(slotCount * 8);
      if (slots.length != slotCount * 8) {
        throw new IOException(jarFile + ": " + PACK + " is cut short");
      }
      RandomAccessFile direct = wholePack == null ? openAtPack(jarFile, header) : null;
      this.file = direct;
      this.packAt = direct != null ? direct.getFilePointer() : -1;
    }
  }

  /**
   * The jar file positioned at the first byte of the stored pack, found from the zip's own directory and checked
   * against {@code header} (the pack's first bytes as the zip stream read them); {@code null} when it is not found so
   * (a zip64 or otherwise unusual jar): the classes are then read through zip entry streams. Reading in place saves
   * each class a stream, a skip and the copies a stream's reads make, which a start pays for a few hundred classes.
   */
  private static RandomAccessFile openAtPack(File jarFile, byte[] header) {
    RandomAccessFile file = null;
    try {
      file = new RandomAccessFile(jarFile, "r");
      long at = storedDataOffset(file, PACK);
      if (at >= 0) {
        byte[] first = new byte[header.length];
        file.seek(at);
        file.readFully(first);
        if (Arrays.equals(first, header)) {
          file.seek(at);
          return file;
        }
      }
    } catch (IOException | RuntimeException e) {
      // read through the zip stream instead
    }
    if (file != null) {
      try {
        file.close();
      } catch (IOException e) {
        // nothing was read from it
      }
    }
    return null;
  }

  /**
   * Where the data of the stored entry {@code name} begins in the zip {@code file}, from its end-of-directory record,
   * its central directory and the entry's local header; -1 when there is no such stored entry or the zip is one this
   * reading does not take (zip64, a comment that hides the end record).
   */
  static long storedDataOffset(RandomAccessFile file, String name) throws IOException {
    long length = file.length();
    int tail = (int) Math.min(length, 22 + 0xffff);
    byte[] end = new byte[tail];
    file.seek(length - tail);
    file.readFully(end);
    int record = -1;
    for (int i = tail - 22; i >= 0; i--) {
      if (littleInt(end, i) == 0x06054b50) {
        record = i;
        break;
      }
    }
    if (record < 0) {
      return -1;
    }
    long directoryAt = littleInt(end, record + 16) & 0xffffffffL;
    long directorySize = littleInt(end, record + 12) & 0xffffffffL;
    if (directoryAt == 0xffffffffL || directorySize > (16 << 20) || directoryAt + directorySize > length) {
      return -1;
    }
    byte[] directory = new byte[(int) directorySize];
    file.seek(directoryAt);
    file.readFully(directory);
    byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
    for (int at = 0; at + 46 <= directory.length && littleInt(directory, at) == 0x02014b50; ) {
      int nameLength = littleShort(directory, at + 28);
      int next = at + 46 + nameLength + littleShort(directory, at + 30) + littleShort(directory, at + 32);
      if (nameLength == wanted.length && at + 46 + nameLength <= directory.length
          && Arrays.equals(directory, at + 46, at + 46 + nameLength, wanted, 0, nameLength)) {
        if (littleShort(directory, at + 10) != 0) {
          return -1; // not stored
        }
        long local = littleInt(directory, at + 42) & 0xffffffffL;
        byte[] header = new byte[30];
        file.seek(local);
        file.readFully(header);
        if (littleInt(header, 0) != 0x04034b50) {
          return -1;
        }
        return local + 30 + littleShort(header, 26) + littleShort(header, 28);
      }
      at = next;
    }
    return -1;
  }

  private static int littleInt(byte[] bytes, int at) {
    return (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8 | (bytes[at + 2] & 0xff) << 16 | (bytes[at + 3] & 0xff) << 24;
  }

  private static int littleShort(byte[] bytes, int at) {
    return (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8;
  }

  /** Whether classes are read in place from the jar file rather than through zip entry streams (for tests). */
  boolean readsInPlace() {
    return file != null;
  }

  /**
   * Runs the agent inside this loader: initializing {@code AgentStarter} makes it hand over its entry
   * point ({@link #handOver}), so starting needs no reflective call, which on Java 18+ costs tens of
   * milliseconds of method-handle spinning at JVM start. The agent's arguments come as premain parsed them:
   * settings by the name given, and what in them was not a setting ({@link #arguments}, {@link #argumentProblems}).
   */
  public void start(Instrumentation inst, boolean attached, Map<String, String> arguments, List<String> problems)
      throws ClassNotFoundException {
    this.arguments = Collections.unmodifiableMap(arguments);
    this.argumentProblems = Collections.unmodifiableList(problems);
    Class.forName("io.weft.agent.AgentStarter", true, this);
    BiConsumer<Instrumentation, Boolean> starter = entry;
    if (starter == null) {
      throw new IllegalStateException("io.weft.agent.AgentStarter did not hand over");
    }
    starter.accept(inst, attached);
  }

  /** The settings among the agent's arguments, by the name given ({@code otel.service.name} or {@code OTEL_SERVICE_NAME}). */
  public Map<String, String> arguments() {
    return arguments;
  }

  /** One line for each part of the agent's arguments that was not a setting. */
  public List<String> argumentProblems() {
    return argumentProblems;
  }

  /** Called by {@code AgentStarter}'s static initializer. */
  public void handOver(BiConsumer<Instrumentation, Boolean> starter) {
    entry = starter;
  }

  /**
   * Weft's own classes ({@code io.weft.*}, the relocated dependencies included) are looked up in the pack
   * first. Asking the parents first, as {@link ClassLoader#loadClass(String, boolean)} does, would search
   * the platform and bootstrap loaders for every one of the few hundred classes a start loads, and each
   * miss throws a {@code ClassNotFoundException}. What the pack does not hold (the bridge and this class,
   * defined in bootstrap) still comes from the parents; everything else is parent-first.
   */
  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (!name.startsWith("io.weft.")) {
      return super.loadClass(name, resolve);
    }
    synchronized (getClassLoadingLock(name)) {
      Class<?> loaded = findLoadedClass(name);
      if (loaded == null) {
        loaded = packedClass(name);
        if (loaded == null) {
          loaded = super.loadClass(name, false);
        }
      }
      if (resolve) {
        resolveClass(loaded);
      }
      return loaded;
    }
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    Class<?> defined = packedClass(name);
    if (defined == null) {
      throw new ClassNotFoundException(name);
    }
    return defined;
  }

  /**
   * The class defined from the pack, or {@code null} when the pack does not hold it. Its bytes are read into buffers
   * kept from class to class: defining copies them before anything else (its super types, which load meanwhile, take
   * other buffers), and at a start a few hundred classes' bytes were otherwise fresh memory, page faults included.
   */
  private Class<?> packedClass(String name) throws ClassNotFoundException {
    Scratch scratch = takeScratch();
    try {
      if (!packed(name.replace('.', '/'), scratch)) {
        return null;
      }
      definePackageOf(name);
      return defineClass(name, scratch.classFile, 0, scratch.size, domain);
    } catch (IOException e) {
      throw new ClassNotFoundException(name, e);
    } finally {
      giveBack(scratch);
    }
  }

  /**
   * Reads the class file packed under {@code internalName} ({@code "a/b/C"}) into {@code scratch}; false when the pack
   * does not hold it. Found through the slots read at construction, then read in place.
   */
  private boolean packed(String internalName, Scratch scratch) throws IOException {
    int hash = internalName.hashCode();
    byte[] name = null;
    for (int slot = hash & mask, probes = 0; probes <= mask; slot = (slot + 1) & mask, probes++) {
      int offset = intAt(slots, slot * 8 + 4);
      if (offset == 0) {
        return false;
      }
      if (intAt(slots, slot * 8) != hash) {
        continue;
      }
      if (name == null) {
        name = internalName.getBytes(StandardCharsets.UTF_8);
      }
      if (read(offset, name, scratch)) {
        return true;
      }
    }
    return false;
  }

  /** A copy of the class file packed under {@code internalName}, or {@code null}. */
  private byte[] packedCopy(String internalName) throws IOException {
    Scratch scratch = takeScratch();
    try {
      return packed(internalName, scratch) ? Arrays.copyOf(scratch.classFile, scratch.size) : null;
    } finally {
      giveBack(scratch);
    }
  }

  /**
   * Reads the record at {@code offset} into {@code scratch} when its name is {@code name} (its class file inflated,
   * {@code scratch.size} bytes); false when the record is another name's with the same hash.
   */
  private boolean read(int offset, byte[] name, Scratch scratch) throws IOException {
    int headLength = 2 + name.length + 9;
    byte[] head = scratch.head.length >= headLength ? scratch.head : (scratch.head = new byte[headLength]);
    int stored;
    if (file != null) {
      synchronized (file) {
        try {
          file.seek(packAt + offset);
          file.readFully(head, 0, headLength);
          stored = storedLength(head, name);
          if (stored < 0) {
            return false;
          }
          file.readFully(scratch.stored(stored), 0, stored);
        } catch (java.io.EOFException e) {
          throw new IOException(PACK + " is cut short", e);
        }
      }
    } else {
      try (InputStream in = open()) {
        skipFully(in, offset);
        if (in.readNBytes(head, 0, headLength) != headLength) {
          throw new IOException(PACK + " is cut short");
        }
        stored = storedLength(head, name);
        if (stored < 0) {
          return false;
        }
        if (in.readNBytes(scratch.stored(stored), 0, stored) != stored) {
          throw new IOException(PACK + " is cut short");
        }
      }
    }
    int size = intAt(head, 3 + name.length);
    byte[] classFile = scratch.classFile(size);
    if (head[2 + name.length] == 0) {
      System.arraycopy(scratch.stored, 0, classFile, 0, size);
    } else {
      inflate(scratch.stored, stored, classFile, size);
    }
    scratch.size = size;
    return true;
  }

  /**
   * The stored length of the record whose head is {@code head}, checked with its method and size before anything is
   * allocated for it; -1 when the record is another name's with the same hash.
   */
  private static int storedLength(byte[] head, byte[] name) throws IOException {
    if (((head[0] & 0xff) << 8 | (head[1] & 0xff)) != name.length
        || !Arrays.equals(head, 2, 2 + name.length, name, 0, name.length)) {
      return -1;
    }
    int stored = intAt(head, 7 + name.length);
    checkRecord(head[2 + name.length], intAt(head, 3 + name.length), stored);
    return stored;
  }

  /** Refuses a record whose sizes or method cannot be, before anything is allocated for it. */
  private static void checkRecord(int method, int size, int stored) throws IOException {
    if (size < 0 || size > MAX_CLASS_FILE || stored < 0 || stored > MAX_CLASS_FILE || (method != 0 && method != 8)
        || (method == 0 && stored != size)) {
      throw new IOException(PACK + " has a damaged record");
    }
  }

  private void inflate(byte[] deflated, int length, byte[] classFile, int size) throws IOException {
    Inflater inflater = takeInflater();
    try {
      inflater.setInput(deflated, 0, length);
      int done = 0;
      while (done < size && !inflater.finished()) {
        int n = inflater.inflate(classFile, done, size - done);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        done += n;
      }
      if (done != size || !inflater.finished()) {
        throw new IOException(PACK + " has a damaged class file");
      }
    } catch (DataFormatException e) {
      throw new IOException(PACK + " has a damaged class file", e);
    } finally {
      giveBack(inflater);
    }
  }

  /** The buffers one class is read into; grown to the largest class they held. */
  private static final class Scratch {
    /** Kept only up to this size, so that one huge class pins nothing. */
    static final int LARGEST_KEPT = 128 << 10;
    byte[] head = new byte[128];
    byte[] stored = new byte[8 << 10];
    byte[] classFile = new byte[16 << 10];
    int size;

    byte[] stored(int length) {
      if (stored.length < length) {
        stored = new byte[Math.max(length, stored.length * 2)];
      }
      return stored;
    }

    byte[] classFile(int length) {
      if (classFile.length < length) {
        classFile = new byte[Math.max(length, classFile.length * 2)];
      }
      return classFile;
    }
  }

  private Scratch takeScratch() {
    synchronized (inflaterLock) {
      if (spareScratchCount > 0) {
        Scratch kept = spareScratch[--spareScratchCount];
        spareScratch[spareScratchCount] = null;
        return kept;
      }
    }
    return new Scratch();
  }

  private void giveBack(Scratch scratch) {
    if (scratch.classFile.length > Scratch.LARGEST_KEPT || scratch.stored.length > Scratch.LARGEST_KEPT) {
      return;
    }
    synchronized (inflaterLock) {
      if (spareScratchCount < spareScratch.length) {
        spareScratch[spareScratchCount++] = scratch;
      }
    }
  }

  /**
   * An inflater kept from the last class, or a new one: making one per class (native zlib state and a
   * cleaner each) cost about a sixth of the time a start spends reading classes.
   */
  private Inflater takeInflater() {
    synchronized (inflaterLock) {
      Inflater kept = spareInflater;
      spareInflater = null;
      return kept != null ? kept : new Inflater();
    }
  }

  private void giveBack(Inflater inflater) {
    inflater.reset();
    synchronized (inflaterLock) {
      if (spareInflater == null) {
        spareInflater = inflater;
        return;
      }
    }
    inflater.end(); // another thread's, while this one was in use: one spare is enough
  }

  /** The pack from its start: the stored entry itself (skipping is a seek), or the copy in memory. */
  private InputStream open() throws IOException {
    return wholePack != null ? new ByteArrayInputStream(wholePack) : jar.getInputStream(pack);
  }

  private static void skipFully(InputStream in, long bytes) throws IOException {
    long left = bytes;
    while (left > 0) {
      long skipped = in.skip(left);
      if (skipped <= 0) {
        throw new IOException(PACK + " is cut short");
      }
      left -= skipped;
    }
  }

  private static int intAt(byte[] bytes, int at) {
    return (bytes[at] & 0xff) << 24 | (bytes[at + 1] & 0xff) << 16 | (bytes[at + 2] & 0xff) << 8 | (bytes[at + 3] & 0xff);
  }

  /**
   * The internal names of every packed class, in pack order: for checking the jar's completeness, not
   * used at run time.
   */
  public List<String> packedClassNames() throws IOException {
    List<String> names = new ArrayList<>(count);
    try (InputStream in = open()) {
      skipFully(in, 16L + slots.length);
      for (int i = 0; i < count; i++) {
        byte[] length = in.readNBytes(2);
        if (length.length != 2) {
          throw new IOException(PACK + " is cut short");
        }
        byte[] name = in.readNBytes((length[0] & 0xff) << 8 | (length[1] & 0xff));
        byte[] sizes = in.readNBytes(9);
        if (sizes.length != 9) {
          throw new IOException(PACK + " is cut short");
        }
        names.add(new String(name, StandardCharsets.UTF_8));
        skipFully(in, intAt(sizes, 5));
      }
    }
    return names;
  }

  private void definePackageOf(String className) {
    int dot = className.lastIndexOf('.');
    if (dot > 0) {
      String packageName = className.substring(0, dot);
      if (getDefinedPackage(packageName) == null) {
        try {
          definePackage(packageName, null, null, null, null, null, null, null);
        } catch (IllegalArgumentException definedConcurrently) {
          // another thread defined it first: fine
        }
      }
    }
  }

  /**
   * Resources under {@code inst/}. Class files are not resources with a URL here (they live in the
   * pack): {@link #getResourceAsStream} serves them, which is what Byte Buddy reads advice through.
   */
  @Override
  protected URL findResource(String name) {
    String entryName = PREFIX + name;
    if (name.endsWith(".class") || jar.getJarEntry(entryName) == null) {
      return null;
    }
    try {
      return new URL(jarUrl + entryName);
    } catch (MalformedURLException e) {
      return null;
    }
  }

  /**
   * A service file of Weft's relocated dependencies ({@code META-INF/services/io.weft.*}) can only be in this
   * jar, so the parents are not asked: the bootstrap loader's search alone walks every module of the JDK.
   * The OpenTelemetry context looks its storage provider up this way on the first traced call; asking the
   * parents made a traced hello world about 3 ms slower.
   */
  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    return name.startsWith("META-INF/services/io.weft.") ? findResources(name) : super.getResources(name);
  }

  @Override
  protected Enumeration<URL> findResources(String name) {
    URL url = findResource(name);
    return url == null ? Collections.emptyEnumeration() : Collections.enumeration(Collections.singletonList(url));
  }

  @Override
  public InputStream getResourceAsStream(String name) {
    // Byte Buddy reads advice bytes through here; served straight from the pack or the jar, no URL connection
    if (name.endsWith(".class")) {
      try {
        byte[] classFile = packedCopy(name.substring(0, name.length() - ".class".length()));
        if (classFile != null) {
          return new ByteArrayInputStream(classFile);
        }
      } catch (IOException e) {
        return null;
      }
      return super.getResourceAsStream(name);
    }
    JarEntry entry = jar.getJarEntry(PREFIX + name);
    if (entry == null) {
      return super.getResourceAsStream(name);
    }
    try {
      return jar.getInputStream(entry);
    } catch (IOException e) {
      return null;
    }
  }
}
