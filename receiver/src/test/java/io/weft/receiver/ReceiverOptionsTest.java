package io.weft.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The weft-receiver command line: defaults, both value forms, and one clear line for each mistake. */
class ReceiverOptionsTest {

  @Test
  void defaultsAreTheOtlpPorts() {
    ReceiverOptions options = ReceiverOptions.parse();

    assertEquals(4318, options.httpPort());
    assertEquals(4317, options.grpcPort());
    assertNull(options.jsonFile());
    assertEquals(1000, options.quietMillis());
    assertFalse(options.count());
  }

  @Test
  void countIsAFlagWithoutValue() {
    assertTrue(ReceiverOptions.parse("--http-port=0", "--count").count());
    assertEquals("--count takes no value",
        assertThrows(IllegalArgumentException.class, () -> ReceiverOptions.parse("--count=yes")).getMessage());
  }

  @Test
  void readsSeparateAndEqualsValues() {
    ReceiverOptions options = ReceiverOptions.parse("--http-port", "0", "--grpc-port=-1", "--json", "spans.jsonl",
        "--quiet-ms=250");

    assertEquals(0, options.httpPort());
    assertEquals(-1, options.grpcPort());
    assertEquals(Path.of("spans.jsonl"), options.jsonFile());
    assertEquals(250, options.quietMillis());
  }

  @Test
  void helpWins() {
    assertTrue(ReceiverOptions.parse("--quiet-ms", "5", "--help").help());
  }

  @Test
  void rejectsAnUnknownOption() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> ReceiverOptions.parse("--http-port", "4318", "--verbose"));

    assertEquals("unknown option: --verbose", error.getMessage());
  }

  @Test
  void rejectsBadValues() {
    assertEquals("--quiet-ms needs a value",
        assertThrows(IllegalArgumentException.class, () -> ReceiverOptions.parse("--quiet-ms")).getMessage());
    assertEquals("--http-port takes a number, not 'http'",
        assertThrows(IllegalArgumentException.class, () -> ReceiverOptions.parse("--http-port", "http")).getMessage());
    assertEquals("--grpc-port must be between -1 and 65535, was 70000",
        assertThrows(IllegalArgumentException.class, () -> ReceiverOptions.parse("--grpc-port=70000")).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> ReceiverOptions.parse("--http-port=-1", "--grpc-port=-1")).getMessage().contains("both off"));
  }
}
