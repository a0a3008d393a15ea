package io.weft.instrumentation.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ProtocolVersionTest {

  @Test
  void theVersionIsWhatFollowsTheSlash() {
    // a string the container made for this request, not the constant: equal, not the same
    assertEquals("1.1", ServletTracer.protocolVersion(new String("HTTP/1.1")));
    assertEquals("1.0", ServletTracer.protocolVersion("HTTP/1.0"));
    assertEquals("2", ServletTracer.protocolVersion("HTTP/2.0"));
    assertEquals("2", ServletTracer.protocolVersion("HTTP/2"));
    assertEquals("3", ServletTracer.protocolVersion("HTTP/3"));
    assertEquals("0.9", ServletTracer.protocolVersion("HTTP/0.9"));
  }

  @Test
  void somethingThatIsNotAnHttpVersionHasNone() {
    assertNull(ServletTracer.protocolVersion(null));
    assertNull(ServletTracer.protocolVersion("HTTP/"));
    assertNull(ServletTracer.protocolVersion("http/1.1")); // the protocol's name is upper case
    assertNull(ServletTracer.protocolVersion("SPDY/3"));
    assertNull(ServletTracer.protocolVersion(""));
  }
}
