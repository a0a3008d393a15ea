package io.weft.agent.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportBufferTest {

  private final List<String> errors = new ArrayList<>();

  private static byte[] bytes(int n, int size) {
    byte[] b = new byte[size];
    b[0] = (byte) n;
    return b;
  }

  /** Takes everything in delivery order, as Delivery does. */
  private static List<Integer> drain(ExportBuffer buffer) throws InterruptedException {
    List<Integer> order = new ArrayList<>();
    Payload p;
    while ((p = buffer.peek(0)) != null) {
      order.add((int) buffer.read(p)[0]);
      buffer.remove(p);
    }
    return order;
  }

  @Test
  void memoryOnlyRefusesBeyondItsCap() throws Exception {
    ExportBuffer buffer = new ExportBuffer("traces", 250, null, 0, errors::add);
    assertTrue(buffer.add(bytes(1, 100), 10, false));
    assertTrue(buffer.add(bytes(2, 100), 10, false));
    assertFalse(buffer.add(bytes(3, 100), 10, false), "over the memory cap");
    assertEquals(20, buffer.items());
    assertEquals(200, buffer.memoryBytes());
    assertEquals(List.of(1, 2), drain(buffer));
    assertTrue(buffer.isEmpty());
    assertEquals(0, buffer.items());
  }

  @Test
  void aRequestInPartOfAnArrayCountsTheWholeArrayAndTheArrayGoesBackOnceItLeaves() throws Exception {
    ExportBuffer buffer = new ExportBuffer("traces", 1000, null, 0, errors::add);
    RequestBuffers recycled = new RequestBuffers();
    buffer.recycleTo(recycled);
    byte[] array = bytes(7, 600);
    assertTrue(buffer.add(array, 10, 3, false), "a 10-byte request at the head of a 600-byte array");
    assertEquals(600, buffer.memoryBytes(), "the memory cap counts what is held, the whole array");
    assertFalse(buffer.add(bytes(8, 500), 5, 1, false), "600 + 500 is over the cap of 1,000");
    Payload payload = buffer.peek(0);
    assertEquals(10, payload.size, "what is sent");
    assertSame(array, buffer.read(payload));
    assertEquals(0, recycled.size(), "not while the request is in the buffer");
    buffer.remove(payload);
    assertEquals(0, buffer.memoryBytes());
    assertSame(array, recycled.take(), "delivered: back to the encoders");
  }

  @Test
  void aRequestSpilledToDiskIsWrittenWithoutTheRestOfItsArray(@TempDir Path dir) throws Exception {
    ExportBuffer buffer = new ExportBuffer("traces", 0, dir, 10_000, errors::add);
    RequestBuffers recycled = new RequestBuffers();
    buffer.recycleTo(recycled);
    byte[] array = new byte[300];
    for (int i = 0; i < array.length; i++) {
      array[i] = (byte) i;
    }
    assertTrue(buffer.add(array, 7, 2, false), "memory holds nothing: to disk");
    assertEquals(7, buffer.diskBytes());
    assertSame(array, recycled.take(), "written: the array is free at once");
    Payload payload = buffer.peek(0);
    assertArrayEquals(new byte[] {0, 1, 2, 3, 4, 5, 6}, buffer.read(payload), "the request's bytes only");
    buffer.remove(payload);
    assertTrue(errors.isEmpty(), errors.toString());
  }

  @Test
  void saysWhetherARequestOfAGivenSizeFitsAndCallsBackWhenItMakesRoom() throws Exception {
    ExportBuffer buffer = new ExportBuffer("traces", 250, null, 0, errors::add);
    List<String> calls = new ArrayList<>();
    buffer.onRoom(() -> calls.add("room"));
    assertTrue(buffer.hasRoomFor(1_000), "an empty buffer takes a try at any size");
    assertTrue(buffer.add(bytes(1, 100), 10, false));
    assertTrue(buffer.hasRoomFor(150));
    assertFalse(buffer.hasRoomFor(151));
    assertTrue(buffer.add(bytes(2, 150), 10, false));
    assertFalse(buffer.hasRoomFor(1));
    buffer.remove(buffer.peek(0));
    assertEquals(List.of("room"), calls);
    assertTrue(buffer.hasRoomFor(100));
    buffer.close();
    assertFalse(buffer.hasRoomFor(1), "closed");
  }

  @Test
  void spillsToDiskKeepingTheOrderAndCapsTheDisk(@TempDir Path dir) throws Exception {
    ExportBuffer buffer = new ExportBuffer("traces", 250, dir, 300, errors::add);
    for (int i = 1; i <= 6; i++) {
      boolean kept = buffer.add(bytes(i, 100), 1, false);
      assertEquals(i <= 5, kept, "2 in memory, 3 on disk, then full: " + i);
    }
    assertEquals(300, buffer.diskBytes());
    // memory drains first; a newer request must still go behind the disk ones
    Payload first = buffer.peek(0);
    buffer.remove(first);
    assertTrue(buffer.add(bytes(7, 100), 1, false) == false, "disk is full and memory must not overtake it");
    assertEquals(List.of(2, 3, 4, 5), drain(buffer));
    assertTrue(buffer.add(bytes(8, 100), 1, false), "once the disk is empty, memory takes new requests again");
    assertEquals(List.of(8), drain(buffer));
    assertTrue(buffer.add(bytes(9, 50), 1, false) && buffer.add(bytes(10, 250), 1, false), "the second one spills to disk");
    try (Stream<Path> files = Files.list(dir)) {
      Path written = files.filter(p -> p.toString().endsWith(".otlp")).findFirst().orElseThrow();
      assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(written)),
          "telemetry on disk is readable by its owner only");
    }
    assertEquals(List.of(9, 10), drain(buffer));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of("weft.lock"), files.map(p -> p.getFileName().toString()).collect(Collectors.toList()));
    }
    assertTrue(errors.isEmpty(), errors.toString());
  }

  @Test
  void whatIsLeftAtExitIsSentFirstAfterTheNextStart(@TempDir Path dir) throws Exception {
    ExportBuffer first = new ExportBuffer("traces", 250, dir, 10_000, errors::add);
    for (int i = 1; i <= 4; i++) {
      assertTrue(first.add(bytes(i, 100), 10 * i, i % 2 == 0));
    }
    long[] keptLost = first.close();
    assertEquals(100, keptLost[0], "all items kept on disk");
    assertEquals(0, keptLost[1]);
    assertFalse(first.add(bytes(9, 10), 1, false), "closed");

    ExportBuffer second = new ExportBuffer("traces", 250, dir, 10_000, errors::add);
    assertEquals(100, second.items());
    assertTrue(second.add(bytes(5, 100), 50, false));
    List<Boolean> gzip = new ArrayList<>();
    List<Integer> order = new ArrayList<>();
    Payload p;
    while ((p = second.peek(0)) != null) {
      gzip.add(p.gzip);
      order.add((int) second.read(p)[0]);
      second.remove(p);
    }
    assertEquals(List.of(1, 2, 3, 4, 5), order, "the earlier run's requests first, in their order");
    assertEquals(List.of(false, true, false, true, false), gzip, "the encoding travels with the request");
    assertTrue(errors.stream().anyMatch(e -> e.contains("100 traces items from an earlier run")), errors.toString());
  }

  @Test
  void withoutADirectoryWhatIsLeftAtExitIsCountedLost() {
    ExportBuffer buffer = new ExportBuffer("traces", 1000, null, 0, errors::add);
    buffer.add(bytes(1, 10), 7, false);
    buffer.add(bytes(2, 10), 5, false);
    long[] keptLost = buffer.close();
    assertEquals(0, keptLost[0]);
    assertEquals(12, keptLost[1]);
  }

  @Test
  void aSecondProcessOnTheSameDirectoryFallsBackToMemory(@TempDir Path dir) throws Exception {
    ExportBuffer owner = new ExportBuffer("traces", 100, dir, 1000, errors::add);
    assertTrue(owner.hasDirectory());
    // the lock is per JVM for FileChannel; a second channel in the same JVM overlaps and is refused the same way
    ExportBuffer other = new ExportBuffer("traces", 100, dir, 1000, errors::add);
    assertFalse(other.hasDirectory());
    assertTrue(errors.stream().anyMatch(e -> e.contains("in use by another process")), errors.toString());
    owner.close();
  }

  @Test
  void anUnusableDirectoryIsReportedAndMemoryStillWorks(@TempDir Path dir) throws Exception {
    Path file = Files.write(dir.resolve("not-a-dir"), new byte[] {1});
    ExportBuffer buffer = new ExportBuffer("traces", 100, file, 1000, errors::add);
    assertFalse(buffer.hasDirectory());
    assertEquals(1, errors.size(), errors.toString());
    assertTrue(buffer.add(bytes(1, 10), 1, false));
    assertArrayEquals(bytes(1, 10), buffer.read(buffer.peek(0)));
  }

  @Test
  void peekWaitsForARequestUpToItsTimeout() throws Exception {
    ExportBuffer buffer = new ExportBuffer("traces", 100, null, 0, errors::add);
    long start = System.nanoTime();
    assertNull(buffer.peek(50));
    assertTrue(System.nanoTime() - start >= 40_000_000L);
    Thread producer = new Thread(() -> buffer.add(bytes(3, 10), 1, false));
    producer.start();
    Payload p = buffer.peek(10_000);
    assertEquals(3, buffer.read(p)[0]);
  }
}
