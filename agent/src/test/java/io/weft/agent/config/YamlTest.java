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
  void hostileTextIsAProblemOrAMappingNeverAnotherException() {
    assertThrows(Yaml.Problem.class, () -> parse("a: " + "[".repeat(1_000_000)));
    StringBuilder deep = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      deep.append(" ".repeat(i)).append("k:\n");
    }
    Yaml.Problem tooDeep = assertThrows(Yaml.Problem.class, () -> parse(deep.toString()));
    assertTrue(tooDeep.getMessage().contains("nested deeper than 64 levels"), tooDeep.getMessage());

    // the characters YAML gives meaning to, and a few others, in random order: parsed and translated, or a Problem
    String alphabet = "-:[]{},\"'#&*!|>%@`~$ \n\n\n  \tab_/.0\\u\u00e9";
    java.util.Random random = new java.util.Random(20261206);
    for (int round = 0; round < 20_000; round++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(80);
      for (int i = 0; i < length; i++) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      try {
        Mapping root = parse(text.toString(), "a", "${a}");
        DeclarativeConfig.translate(root, "fuzz.yaml", Map.of(), new HashSet<>(), line -> { });
      } catch (Yaml.Problem expected) {
        assertTrue(expected.line >= 1, text::toString);
      } catch (RuntimeException bug) {
        throw new AssertionError("input " + text.toString().replace("\n", "\\n"), bug);
      }
    }
  }

  @Test
  void aMutatedConfigurationIsTranslatedOrAProblemNeverAnotherException() {
    String valid = "file_format: \"1.0\"\ndisabled: false\nresource:\n  attributes:\n    - name: service.name\n      value: x\n"
        + "  detection/development:\n    detectors: [{host: }, {service: }]\npropagator:\n  composite: [{tracecontext: }]\n"
        + "tracer_provider:\n  processors:\n    - batch:\n        schedule_delay: 100\n        exporter:\n          otlp_grpc:\n"
        + "            endpoint: http://c:4317\n            headers: [{name: a, value: b}]\n            tls: {ca_file: /x}\n"
        + "  sampler:\n    parent_based:\n      root:\n        trace_id_ratio_based: {ratio: 0.5}\n"
        + "meter_provider:\n  readers:\n    - periodic:\n        interval: 500\n        exporter: {otlp_http: {endpoint: http://c}}\n"
        + "    - pull: {exporter: {prometheus/development: {port: 9464}}}\n"
        + "logger_provider:\n  processors:\n    - simple: {exporter: {console: }}\n"
        + "instrumentation/development:\n  general: {peer: {service_mapping: [{peer: a, service: b}]}}\n"
        + "  java:\n    agent: {instrumentation_mode: none}\n    jdbc: {statement_sanitizer: {enabled: false}}\n";
    String inserts = "-:[]{},\"'# \n  x0";
    java.util.Random random = new java.util.Random(6122026);
    int translated = 0;
    for (int round = 0; round < 20_000; round++) {
      StringBuilder text = new StringBuilder(valid);
      for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
        int at = random.nextInt(text.length());
        switch (random.nextInt(3)) {
          case 0: text.deleteCharAt(at); break;
          case 1: text.insert(at, inserts.charAt(random.nextInt(inserts.length()))); break;
          default: text.setCharAt(at, inserts.charAt(random.nextInt(inserts.length())));
        }
      }
      try {
        Mapping root = parse(text.toString());
        DeclarativeConfig.translate(root, "fuzz.yaml", Map.of(), new HashSet<>(), line -> { });
        translated++;
      } catch (Yaml.Problem expected) {
        assertTrue(expected.line >= 1, text::toString);
      } catch (RuntimeException bug) {
        throw new AssertionError("input " + text.toString().replace("\n", "\\n"), bug);
      }
    }
    assertTrue(translated > 5_000, "most mutations still parse, so the translation is exercised too: " + translated);
  }

  @Test
  void anEmptyDocumentIsNoMapping() throws Yaml.Problem {
    assertNull(parse(""));
    assertNull(parse("# only a comment\n---\n"));
    assertEquals(map("a", "1", "b", "two words"), plain(parse("a:\t1\nb:\ttwo words\t# a tab before the value\n")));
    Mapping crlf = parse("a: 1\r\nb:\r\n  c: x\r\n");
    assertEquals(map("a", "1", "b", map("c", "x")), plain(crlf));
    assertInstanceOf(Mapping.class, crlf.entries.get("b"));
    assertEquals("b", ((Mapping) crlf.entries.get("b")).path);
  }
}
