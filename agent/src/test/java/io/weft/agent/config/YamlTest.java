package io.weft.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.agent.config.Yaml.Mapping;
import io.weft.agent.config.Yaml.Scalar;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The YAML configuration files are written in: what it reads, and a clear error with its line for the rest. */
class YamlTest {
  private final Set<String> referenced = new HashSet<>();

  private Mapping parse(String text, String... environment) throws Yaml.Problem {
    Map<String, String> env = new LinkedHashMap<>();
    for (int i = 0; i < environment.length; i += 2) {
      env.put(environment[i], environment[i + 1]);
    }
    return Yaml.parse(text, env, referenced);
  }

  /** The tree as plain maps, lists and strings, for comparing whole. */
  private static Object plain(Object node) {
    if (node instanceof Mapping) {
      Map<String, Object> map = new LinkedHashMap<>();
      ((Mapping) node).entries.forEach((k, v) -> map.put(k, plain(v)));
      return map;
    }
    if (node instanceof List) {
      return ((List<?>) node).stream().map(YamlTest::plain).collect(java.util.stream.Collectors.toList());
    }
    return node == null ? null : ((Scalar) node).value;
  }

  private static Map<String, Object> map(Object... pairs) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], pairs[i + 1]);
    }
    return map;
  }

  @Test
  void readsTheShapesConfigurationFilesUse() throws Yaml.Problem {
    Mapping root = parse("# a comment\n"
        + "---\n"
        + "file_format: \"1.0\"   # trailing comment\n"
        + "disabled: false\n"
        + "resource:\n"
        + "  attributes:\n"
        + "    - name: service.name\n"
        + "      value: 'it''s # not a comment'\n"
        + "    -   name: team\n"
        + "        value: \"a\\tb \\u00e9\"\n"
        + "propagator:\n"
        + "  composite:\n"
        + "    - tracecontext:\n"
        + "    - baggage:\n"
        + "tracer_provider:\n"
        + "  processors:\n"
        + "  - batch:\n"
        + "      exporter:\n"
        + "        otlp_http:\n"
        + "          endpoint: http://localhost:4318/v1/traces\n"
        + "          headers: []\n"
        + "  sampler: {always_on: }\n"
        + "list: [a, \"b, c\", 3]\n"
        + "nested:\n"
        + "  -\n"
        + "    x: 1\n"
        + "  - - deep\n"
        + "empty:\n"
        + "tilde: ~\n"
        + "...\n"
        + "# the end\n");
    assertEquals(map(
        "file_format", "1.0",
        "disabled", "false",
        "resource", map("attributes", List.of(map("name", "service.name", "value", "it's # not a comment"), map("name", "team", "value", "a\tb é"))),
        "propagator", map("composite", List.of(map("tracecontext", null), map("baggage", null))),
        "tracer_provider", map(
            "processors", List.of(map("batch", map("exporter", map("otlp_http", map("endpoint", "http://localhost:4318/v1/traces", "headers", List.of()))))),
            "sampler", map("always_on", null)),
        "list", List.of("a", "b, c", "3"),
        "nested", List.of(map("x", "1"), List.of("deep")),
        "empty", null,
        "tilde", null), plain(root));
    assertTrue(((Scalar) root.entries.get("file_format")).quoted);
    assertFalse(((Scalar) root.entries.get("disabled")).quoted);
    assertEquals(4, ((Scalar) root.entries.get("disabled")).line);
    assertEquals(5, root.lines.get("resource"));
  }

  @Test
  void substitutesEnvironmentReferencesInValuesOnly() throws Yaml.Problem {
    Mapping root = parse("a: ${HOST}\n"
        + "b: ${env:HOST}:4318\n"
        + "c: ${MISSING:-http://localhost:4318}/v1/traces\n"
        + "d: ${MISSING}\n"
        + "e: \"${EMPTY:-fallback}\"\n"
        + "f: $${HOST} costs $5\n"
        + "g: [${HOST}, '${PORT:-1}']\n"
        + "${HOST}: literal key\n"
        + "h: ${TRICKY}\n",
        "HOST", "collector", "EMPTY", "", "TRICKY", "${HOST}");
    assertEquals(map("a", "collector", "b", "collector:4318", "c", "http://localhost:4318/v1/traces", "d", null, "e", "fallback",
        "f", "${HOST} costs $5", "g", List.of("collector", "1"), "${HOST}", "literal key", "h", "${HOST}"), plain(root),
        "not recursive: what a variable holds is taken as written");
    assertEquals(Set.of("HOST", "MISSING", "EMPTY", "PORT", "TRICKY"), referenced);
  }

  @Test
  void everythingElseIsAnErrorNamingItsLine() {
    String[][] cases = {
        {"a: 1\nb: &anchor 2\n", "line 2: anchors, aliases and tags"},
        {"a: 1\nb: *anchor\n", "line 2: anchors, aliases and tags"},
        {"a: !!str 1\n", "line 1: anchors, aliases and tags"},
        {"a: |\n  text\n", "line 1: block scalars"},
        {"a: 1\na: 2\n", "line 2: 'a' appears twice"},
        {"a:\n\tb: 1\n", "line 2: a tab in the indentation"},
        {"a: 1\n---\nb: 2\n", "line 2: a second document"},
        {"a: \"open\n", "line 1: a quoted scalar is not closed"},
        {"a: [1, 2\n", "line 1: a flow collection is not closed"},
        {"a: ${OPEN\n", "line 1: a '${' reference is not closed"},
        {"a: ${1BAD}\n", "line 1: '${1BAD}' is not a valid reference"},
        {"- a\n- b\n", "line 1: a configuration file is a mapping"},
        {"a:\n  b: 1\n    c: 2\n", "line 3: unexpected indentation"},
        {"a:\n  b: 1\n  just text\n", "line 3: expected 'key: value'"},
        {"a:\n  just text\n", "line 2: a scalar on its own line"},
        {"a: \"x\" y\n", "line 1: unexpected text after the closing quote"},
        {"a: \"bad \\q\"\n", "line 1: an unknown escape"},
        {"a: 1\n...\nb: 2\n", "line 3: content after the document's end"},
        {"  a: 1\n", "line 1: the document must start at the first column"},
        {"a:\n  - 1\n  b: 2\n", "line 3: "},
    };
    for (String[] c : cases) {
      Yaml.Problem problem = assertThrows(Yaml.Problem.class, () -> parse(c[0]), c[0]);
      assertTrue(problem.getMessage().startsWith(c[1]), c[0] + " -> " + problem.getMessage());
    }
  }

  @Test
  void anEmptyDocumentIsNoMapping() throws Yaml.Problem {
    assertNull(parse(""));
    assertNull(parse("# only a comment\n---\n"));
    Mapping crlf = parse("a: 1\r\nb:\r\n  c: x\r\n");
    assertEquals(map("a", "1", "b", map("c", "x")), plain(crlf));
    assertInstanceOf(Mapping.class, crlf.entries.get("b"));
    assertEquals("b", ((Mapping) crlf.entries.get("b")).path);
  }
}
