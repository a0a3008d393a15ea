package io.weft.instrumentation.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpMethodsTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "GET, GET", "POST, POST", "PUT, PUT", "DELETE, DELETE", "HEAD, HEAD", "OPTIONS, OPTIONS",
    "PATCH, PATCH", "TRACE, TRACE", "CONNECT, CONNECT",
    "get, _OTHER", "Get, _OTHER", "QUERY, _OTHER", "PROPFIND, _OTHER", "'', _OTHER", "' GET', _OTHER",
    "GËT, _OTHER"
  })
  void normalizesCaseSensitivelyAgainstTheDefaults(String method, String expected) {
    assertEquals(expected, HttpMethods.defaults().normalize(method));
  }

  @Test
  void returnsSharedConstantsNotTheRequestString() {
    String fromRequest = new String("GET".toCharArray());
    assertSame("GET", HttpMethods.defaults().normalize(fromRequest));
    assertSame(HttpMethods.OTHER, HttpMethods.defaults().normalize("BREW"));
    assertSame(HttpMethods.OTHER, HttpMethods.defaults().normalize(null));
    assertFalse(HttpMethods.defaults().isKnown(null));
    assertTrue(HttpMethods.defaults().isKnown("GET"));
    assertFalse(HttpMethods.defaults().isKnown("get"));
  }

  @Test
  void configuredListReplacesTheDefaults() {
    HttpMethods methods = HttpMethods.of(Arrays.asList(" QUERY ", "GET", "", null, "  "));
    assertEquals("QUERY", methods.normalize("QUERY"));
    assertEquals("GET", methods.normalize("GET"));
    assertEquals(HttpMethods.OTHER, methods.normalize("POST"));
    assertSame("QUERY", methods.normalize(new String("QUERY".toCharArray())));
  }

  @Test
  void emptyOrBlankConfigurationKeepsTheDefaults() {
    assertSame(HttpMethods.defaults(), HttpMethods.of(null));
    assertSame(HttpMethods.defaults(), HttpMethods.of(List.of()));
    assertSame(HttpMethods.defaults(), HttpMethods.of(List.of(" ", "")));
  }

  @Test
  void hostileInputIsJustUnknown() {
    assertEquals(HttpMethods.OTHER, HttpMethods.defaults().normalize("G".repeat(1 << 20)));
    assertEquals(HttpMethods.OTHER, HttpMethods.defaults().normalize("GET\u0000"));
    assertEquals(HttpMethods.OTHER, HttpMethods.defaults().normalize("GET "));
  }
}
