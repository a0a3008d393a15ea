package io.weft.instrumentation.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Servlet 3.x: the matched pattern worked out as the container matched it (the servlet specification's order). */
class ServletMappingsTest {

  private static final ServletMappings APP = ServletMappings.of(List.of("/hello", "/chain/*", "/orders/*", "*.do", "/", "/api/v1/*"));

  @Test
  void aPathInfoMeansAPrefixMapping() {
    assertEquals("/chain/*", ServletMappings.pattern("/chain", "/deep/path", null));
    assertEquals("/api/v1/*", ServletMappings.pattern("/api/v1", "/x", APP));
    assertEquals("/*", ServletMappings.pattern("", "/anything", null), "a /* mapping leaves the servlet path empty");
  }

  @Test
  void withoutOneExactThenPrefixThenExtensionThenTheDefaultServlet() {
    assertEquals("/hello", ServletMappings.pattern("/hello", null, APP));
    assertEquals("/chain/*", ServletMappings.pattern("/chain", null, APP), "the path a prefix mapping names exactly");
    assertEquals("*.do", ServletMappings.pattern("/orders/42.do", null, APP));
    assertEquals("/", ServletMappings.pattern("/orders.v2/file", null, APP), "a dot in a directory is no extension");
    assertEquals("/", ServletMappings.pattern("/missing", null, APP));
    assertEquals("/", ServletMappings.pattern("/page.jsp", null, APP), "an extension nobody maps");
  }

  @Test
  void unknownMappingsTellOnlyPrefixes() {
    assertNull(ServletMappings.pattern("/hello", null, null));
    assertNull(ServletMappings.pattern("/hello", null, ServletMappings.UNKNOWN));
    assertEquals("/chain/*", ServletMappings.pattern("/chain", "/x", ServletMappings.UNKNOWN));
  }
}
