package io.weft.agent.export;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The encoded export requests that the collector has not taken yet, in delivery order: in memory up
 * to a byte cap, then (when a directory is configured) on disk up to another cap, then refused. Once
 * anything is on disk, newer requests go to disk too, so memory always holds the oldest and the
 * order of delivery is the order of production. The directory is locked for one process at a time
 * and what is left in it at exit is sent after the next start. Thread-safe; the export threads wait
 * on it.
 */
final class ExportBuffer {

  /**
   * What only the disk side needs, in a holder: the regex and the NIO file system are set up when a
   * directory is configured, not on every start (a few milliseconds before the first call).
   */
  private static final class Disk {
    /** {@code <sequence>-<items>.<signal>[.gz].otlp}: the sequence orders delivery across restarts. */
    static final Pattern FILE = Pattern.compile("(\\d{19})-(\\d{1,9})\\.([a-z]+)(\\.gz)?\\.otlp");

    static final boolean POSIX = java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    static final java.nio.file.attribute.FileAttribute<?> OWNER_ONLY =
        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

    private Disk() {}
  }

  private final String signal;
  private final long memoryCap;
  private final long diskCap;
  private final Path dir;
  private final ArrayDeque<Payload> memory = new ArrayDeque<>();
  private final ArrayDeque<Payload> disk = new ArrayDeque<>();
  private final Consumer<String> stderr;
  private long memoryBytes;
  private long diskBytes;
  private long memoryItems;
  private long diskItems;
  private long nextSequence;
  private boolean closed;
  private FileChannel lockChannel;
  private FileLock lock;
  private volatile Runnable onRoom;
  /** Where the arrays of requests that left memory go (the encoders' buffers); null: nowhere. */
  private volatile RequestBuffers recycle;

  /** {@code dir} null: memory only. */
  ExportBuffer(String signal, long memoryCap, Path dir, long diskCap, Consumer<String> stderr) {
    this.signal = signal;
    this.memoryCap = memoryCap;
    this.stderr = stderr;
    this.diskCap = diskCap;
    this.dir = dir == null ? null : openDirectory(dir);
  }

  private Path openDirectory(Path directory) {
    try {
      Files.createDirectories(directory);
      lockChannel = FileChannel.open(directory.resolve("weft.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        lock = lockChannel.tryLock();
      } catch (java.nio.channels.OverlappingFileLockException heldInThisJvm) {
        lock = null;
      }
      if (lock == null) {
        lockChannel.close();
        stderr.accept("[weft] the export buffer directory " + directory + " is in use by another process; "
            + "this one buffers in memory only (give each process its own WEFT_EXPORT_BUFFER_DIR)");
        return null;
      }
      restore(directory);
      return directory;
    } catch (IOException | RuntimeException e) {
      stderr.accept("[weft] cannot use the export buffer directory " + directory + " (" + e + "); buffering in memory only");
      return null;
    }
  }

  /** Requests left by an earlier run, oldest first, ahead of everything this run produces. */
  private void restore(Path directory) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path entry : entries) {
        Matcher m = Disk.FILE.matcher(entry.getFileName().toString());
        if (m.matches() && m.group(3).equals(signal)) {
          files.add(entry);
        }
      }
    }
    files.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
    for (Path file : files) {
      Matcher m = Disk.FILE.matcher(file.getFileName().toString());
      m.matches();
      long size = Files.size(file);
      Payload payload = new Payload(Long.parseLong(m.group(1)), Integer.parseInt(m.group(2)), m.group(4) != null, (int) size, file);
      disk.add(payload);
      diskBytes += size;
      diskItems += payload.items;
      nextSequence = Math.max(nextSequence, payload.sequence + 1);
    }
    if (!files.isEmpty()) {
      stderr.accept("[weft] " + diskItems + " " + signal + " items from an earlier run are in " + directory + " and will be sent first");
    }
  }

  /** Keeps a request; false when it fits nowhere (the caller counts it as dropped). */
  boolean add(byte[] bytes, int items, boolean gzip) {
    return add(bytes, bytes.length, items, gzip);
  }

  /**
   * Keeps the request that is the first {@code size} bytes of {@code bytes}, which the buffer owns from now on (a
   * full array counts against the memory cap); false when it fits nowhere (the caller counts it as dropped).
   */
  synchronized boolean add(byte[] bytes, int size, int items, boolean gzip) {
    if (closed) {
      return false;
    }
    Payload payload = new Payload(nextSequence++, items, gzip, bytes, size);
    if (disk.isEmpty() && memoryBytes + bytes.length <= memoryCap) {
      memory.add(payload);
      memoryBytes += bytes.length;
      memoryItems += items;
      notifyAll();
      return true;
    }
    if (dir != null && diskBytes + size <= diskCap && write(payload)) {
      disk.add(payload);
      recycle(bytes); // never seen by the export thread
      notifyAll();
      return true;
    }
    return false;
  }

  /**
   * {@code buffers} gets the array of each request that leaves memory after delivery (or after it was given up), for
   * an encoder to write into again. Only the export thread delivers from memory, and it has done with the array by
   * then.
   */
  void recycleTo(RequestBuffers buffers) {
    recycle = buffers;
  }

  private void recycle(byte[] array) {
    RequestBuffers buffers = recycle;
    if (buffers != null) {
      buffers.give(array);
    }
  }

  private boolean write(Payload payload) {
    String name = String.format("%019d-%d.%s%s.otlp", payload.sequence, payload.items, signal, payload.gzip ? ".gz" : "");
    Path target = dir.resolve(name);
    Path temporary = dir.resolve(name + ".tmp");
    try {
      if (Disk.POSIX) {
        // telemetry can name users, queries and hosts: only the application's own user may read it
        Files.createFile(temporary, Disk.OWNER_ONLY);
      }
      try (java.io.OutputStream file = Files.newOutputStream(temporary)) {
        file.write(payload.bytes, 0, payload.size);
      }
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
      payload.file = target;
      payload.bytes = null;
      diskBytes += payload.size;
      diskItems += payload.items;
      return true;
    } catch (IOException | RuntimeException e) {
      stderr.accept("[weft] cannot write to the export buffer directory " + dir + ": " + e);
      try {
        Files.deleteIfExists(temporary);
      } catch (IOException ignored) {
        // nothing more to do
      }
      return false;
    }
  }

  /** The oldest request, waiting up to {@code waitMillis} for one; null if none came or the buffer is closed. */
  synchronized Payload peek(long waitMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    while (memory.isEmpty() && disk.isEmpty() && !closed) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return memory.isEmpty() ? disk.peek() : memory.peek();
  }

  /** The bytes of a request, read from disk when it is there; null when its file is unreadable (then it is removed). */
  byte[] read(Payload payload) {
    byte[] bytes = payload.bytes;
    if (bytes != null) {
      return bytes;
    }
    try {
      return Files.readAllBytes(payload.file);
    } catch (IOException | RuntimeException e) {
      stderr.accept("[weft] cannot read " + payload.file + " from the export buffer (" + e + "); its " + payload.items + " items are lost");
      remove(payload);
      return null;
    }
  }

  /** The request was delivered or given up: forget it. Called by the export thread, done with the request's array. */
  synchronized void remove(Payload payload) {
    if (memory.peek() == payload) {
      memory.poll();
      memoryBytes -= payload.footprint();
      memoryItems -= payload.items;
      recycle(payload.bytes);
    } else if (disk.peek() == payload) {
      disk.poll();
      diskBytes -= payload.size;
      diskItems -= payload.items;
      try {
        Files.deleteIfExists(payload.file);
      } catch (IOException e) {
        stderr.accept("[weft] cannot delete " + payload.file + " from the export buffer: " + e);
      }
    }
    notifyAll();
    Runnable room = onRoom;
    if (room != null) {
      room.run();
    }
  }

  /** {@code room} runs each time a request leaves the buffer (delivered or given up), under its lock; it must be quick. */
  void onRoom(Runnable room) {
    onRoom = room;
  }

  synchronized boolean isEmpty() {
    return memory.isEmpty() && disk.isEmpty();
  }

  /** Waits until everything was delivered, the deadline passed or {@code giveUp} says so; true when empty. */
  synchronized boolean awaitEmpty(long deadlineNanos, java.util.function.BooleanSupplier giveUp) throws InterruptedException {
    while ((!memory.isEmpty() || !disk.isEmpty()) && !giveUp.getAsBoolean()) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return memory.isEmpty() && disk.isEmpty();
  }

  /** Wakes the waiters, to look at a condition of theirs. */
  synchronized void wake() {
    notifyAll();
  }

  /**
   * At exit, after delivery gave up: moves what is still in memory to disk (when a directory is
   * configured) so the next start sends it. Returns {kept on disk, lost}, in items.
   */
  synchronized long[] close() {
    closed = true;
    long kept = diskItems;
    long lost = 0;
    for (Payload payload : memory) {
      if (dir != null && diskBytes + payload.size <= diskCap && write(payload)) {
        kept += payload.items;
      } else {
        lost += payload.items;
      }
    }
    memory.clear();
    memoryBytes = 0;
    memoryItems = 0;
    notifyAll();
    try {
      if (lock != null) {
        lock.release();
        lockChannel.close();
      }
    } catch (IOException ignored) {
      // the process is exiting: the lock goes with it
    }
    return new long[] {kept, lost};
  }

  /**
   * Whether a request of {@code bytes} would be kept now; always true for an empty buffer, so that a request
   * larger than the caps is still tried (and refused) rather than never made.
   */
  synchronized boolean hasRoomFor(long bytes) {
    if (closed) {
      return false;
    }
    return memory.isEmpty() && disk.isEmpty()
        || (disk.isEmpty() && memoryBytes + bytes <= memoryCap) || (dir != null && diskBytes + bytes <= diskCap);
  }

  synchronized long memoryBytes() {
    return memoryBytes;
  }

  synchronized long diskBytes() {
    return diskBytes;
  }

  /** Items (spans or data points) waiting in memory and on disk. */
  synchronized long items() {
    return memoryItems + diskItems;
  }

  boolean hasDirectory() {
    return dir != null;
  }

  Path directory() {
    return dir;
  }
}
