package io.weft.instrumentation.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientAddressTest {

  @ParameterizedTest(name = "{0} | {1} | {2} -> {3}")
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
    "for=192.0.2.60;proto=http;by=203.0.113.43 | NULL | 10.0.0.1 | 192.0.2.60",
    "For=\"192.0.2.60:4711\" | NULL | 10.0.0.1 | 192.0.2.60",
    "for=\"[2001:db8:cafe::17]:4711\" | NULL | 10.0.0.1 | 2001:db8:cafe::17",
    "for=\"[2001:db8:cafe::17]\", for=192.0.2.1 | NULL | 10.0.0.1 | 2001:db8:cafe::17",
    "proto=https; for=192.0.2.43 | NULL | 10.0.0.1 | 192.0.2.43",
    "by=1.2.3.4, for=192.0.2.1 | 198.51.100.7 | 10.0.0.1 | 198.51.100.7",
    "for=unknown | 198.51.100.7 | 10.0.0.1 | 198.51.100.7",
    "for=_hidden | NULL | 10.0.0.1 | 10.0.0.1",
    "for=\"[2001:db8::1\" | NULL | 10.0.0.1 | 10.0.0.1",
    "for= | NULL | 10.0.0.1 | 10.0.0.1",
    "for=<script> | NULL | 10.0.0.1 | 10.0.0.1",
    "garbage;;;,,, | NULL | 10.0.0.1 | 10.0.0.1",
    "NULL | 198.51.100.7, 10.1.1.1 | 10.0.0.1 | 198.51.100.7",
    "NULL | ' 198.51.100.7:8080 ,x' | 10.0.0.1 | 198.51.100.7",
    "NULL | 2001:db8::1 | 10.0.0.1 | 2001:db8::1",
    "NULL | [2001:db8::1]:80 | 10.0.0.1 | 2001:db8::1",
    "NULL | fe80::1%eth0 | 10.0.0.1 | fe80::1%eth0",
    "NULL | ',' | 10.0.0.1 | 10.0.0.1",
    "NULL | '' | 10.0.0.1 | 10.0.0.1",
    "NULL | ünï | 10.0.0.1 | 10.0.0.1",
    "NULL | NULL | 10.0.0.1 | 10.0.0.1",
    "NULL | NULL | NULL | NULL",
  })
  void picksTheFirstUsableSource(String forwarded, String xff, String remote, String expected) {
    assertEquals(expected, ClientAddress.resolve(forwarded, xff, remote));
  }

  @Test
  void returnsTheHeaderInstanceWhenItIsTheAddress() {
    String xff = new String("198.51.100.7".toCharArray());
    assertSame(xff, ClientAddress.resolve(null, xff, "10.0.0.1"));
    String remote = new String("10.0.0.1".toCharArray());
    assertSame(remote, ClientAddress.resolve("for=unknown", "", remote));
  }

  @Test
  void hugeAndOverlongHeadersFallBack() {
    String huge = "1".repeat(1 << 20);
    assertEquals("10.0.0.1", ClientAddress.resolve("for=" + huge, huge, "10.0.0.1"));
    String manyPairs = "a=b;".repeat(1 << 18);
    assertEquals("10.0.0.1", ClientAddress.resolve(manyPairs, ",".repeat(1 << 20), "10.0.0.1"));
  }
}
