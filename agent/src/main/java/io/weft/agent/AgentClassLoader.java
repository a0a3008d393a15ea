package io.weft.agent;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
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
  private final Object inflaterLock = new Object();
  private Inflater spareInflater; // guarded by inflaterLock
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
    }
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
        byte[] bytes = packedOrFail(name);
        loaded = bytes != null ? define(name, bytes) : super.loadClass(name, false);
      }
      if (resolve) {
        resolveClass(loaded);
      }
      return loaded;
    }
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    byte[] bytes = packedOrFail(name);
    if (bytes == null) {
      throw new ClassNotFoundException(name);
    }
    return define(name, bytes);
  }

  private byte[] packedOrFail(String name) throws ClassNotFoundException {
    try {
      return packed(name.replace('.', '/'));
    } catch (IOException e) {
      throw new ClassNotFoundException(name, e);
    }
  }

  private Class<?> define(String name, byte[] bytes) {
    definePackageOf(name);
    return defineClass(name, bytes, 0, bytes.length, domain);
  }

  /**
   * The class file packed under {@code internalName} ({@code "a/b/C"}), or {@code null}: found through the
   * slots read at construction, then read in place (a seek and two reads of the stored entry).
   */
  private byte[] packed(String internalName) throws IOException {
    int hash = internalName.hashCode();
    byte[] name = null;
    for (int slot = hash & mask, probes = 0; probes <= mask; slot = (slot + 1) & mask, probes++) {
      int offset = intAt(slots, slot * 8 + 4);
      if (offset == 0) {
        return null;
      }
      if (intAt(slots, slot * 8) != hash) {
        continue;
      }
      if (name == null) {
        name = internalName.getBytes(StandardCharsets.UTF_8);
      }
      byte[] bytes = read(offset, name);
      if (bytes != null) {
        return bytes;
      }
    }
    return null;
  }

  /** The class file of the record at {@code offset}, when its name is {@code name}; otherwise {@code null}. */
  private byte[] read(int offset, byte[] name) throws IOException {
    try (InputStream in = open()) {
      skipFully(in, offset);
      byte[] head = in.readNBytes(2 + name.length + 9);
      if (head.length != 2 + name.length + 9) {
        throw new IOException(PACK + " is cut short");
      }
      if (((head[0] & 0xff) << 8 | (head[1] & 0xff)) != name.length
          || !Arrays.equals(head, 2, 2 + name.length, name, 0, name.length)) {
        return null; // another name with the same hash
      }
      int method = head[2 + name.length];
      int size = intAt(head, 3 + name.length);
      int stored = intAt(head, 7 + name.length);
      if (size < 0 || size > MAX_CLASS_FILE || stored < 0 || stored > MAX_CLASS_FILE || (method != 0 && method != 8)
          || (method == 0 && stored != size)) {
        throw new IOException(PACK + " has a damaged record");
      }
      byte[] data = in.readNBytes(stored);
      if (data.length != stored) {
        throw new IOException(PACK + " is cut short");
      }
      return method == 0 ? data : inflate(data, size);
    }
  }

  private byte[] inflate(byte[] deflated, int size) throws IOException {
    Inflater inflater = takeInflater();
    try {
      inflater.setInput(deflated);
      byte[] classFile = new byte[size];
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
      return classFile;
    } catch (DataFormatException e) {
      throw new IOException(PACK + " has a damaged class file", e);
    } finally {
      giveBack(inflater);
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
        byte[] classFile = packed(name.substring(0, name.length() - ".class".length()));
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
