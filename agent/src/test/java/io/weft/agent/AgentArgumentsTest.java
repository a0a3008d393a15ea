package io.weft.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The agent's arguments as settings ({@link WeftAgent#parseArguments}): commas split settings, never values. */
class AgentArgumentsTest {
  private final Map<String, String> settings = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();

  private Map<String, String> parse(String text) {
    WeftAgent.parseArguments(text, settings, problems);
    return settings;
  }

  /** The manifest's list of bootstrap classes, split without regular expressions. */
  @Test
  void theBootstrapClassListIsSplitAtSpaces() {
    assertEquals(List.of("io/weft/bridge/A.class", "io/weft/bridge/B.class"), WeftAgent.words(" io/weft/bridge/A.class  io/weft/bridge/B.class "));
    assertEquals(List.of("one"), WeftAgent.words("one"));
    assertEquals(List.of(), WeftAgent.words("   "));
    assertEquals(List.of(), WeftAgent.words(""));
  }

  @Test
  void noArgumentsAreNoSettings() {
    assertEquals(Map.of(), parse(null));
    assertEquals(Map.of(), parse(""));
    assertEquals(Map.of(), parse("   "));
    assertEquals(List.of(), problems);
  }

  @Test
  void settingsByEitherNameSeparatedByCommas() {
    assertEquals(Map.of("otel.service.name", "orders", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318", "weft.startup.wait", "5000"),
        parse("otel.service.name=orders, OTEL_EXPORTER_OTLP_ENDPOINT = http://collector:4318 ,weft.startup.wait=5000"));
    assertEquals(List.of(), problems);
  }

  @Test
  void aValueKeepsItsCommasAndEqualsSigns() {
    parse("otel.resource.attributes=team=shop,tier=web,otel.propagators=tracecontext,baggage,b3,"
        + "otel.instrumentation.methods.include=com.acme.Orders[place,cancel];com.acme.Stock[*],"
        + "otel.exporter.otlp.headers=api-key=a,b=c,otel-tenant=9");
    assertEquals("team=shop,tier=web", settings.get("otel.resource.attributes"));
    assertEquals("tracecontext,baggage,b3", settings.get("otel.propagators"));
    assertEquals("com.acme.Orders[place,cancel];com.acme.Stock[*]", settings.get("otel.instrumentation.methods.include"));
    assertEquals("api-key=a,b=c,otel-tenant=9", settings.get("otel.exporter.otlp.headers"), "otel-tenant is no setting's name");
    assertEquals(4, settings.size());
    assertEquals(List.of(), problems);
  }

  @Test
  void theLastOfANameGivenTwiceIsKeptAndAnEmptyValueIsAValue() {
    assertEquals(Map.of("otel.service.name", "b", "otel.traces.sampler", ""), parse("otel.service.name=a,otel.traces.sampler=,otel.service.name=b"));
  }

  /** What is not a setting is skipped up to the next one and reported by place only: it may be a secret. */
  @Test
  void textThatIsNotASettingIsReportedByPlaceNotContent() {
    parse("s3cr3t-token,otel.service.name=orders,service.name=x");
    assertEquals(Map.of("otel.service.name", "orders,service.name=x"), settings, "a name outside otel.* and weft.* is a value's text");
    assertEquals(1, problems.size(), problems::toString);
    assertTrue(problems.get(0).startsWith("characters 1 to 12 of the agent's arguments are not a setting"), problems::toString);
    assertFalse(problems.get(0).contains("s3cr3t"));
    problems.clear();
    settings.clear();
    assertEquals(Map.of(), parse("otel.service.name"));
    assertTrue(problems.get(0).endsWith("; jcmd passes settings only in double quotes: '\"otel.service.name=orders,...\"'"),
        "what jcmd leaves of an unquoted setting: its name");
    assertEquals(Map.of(), parse("otel=1"));
    assertEquals(Map.of(), parse("otelx.service.name=1"));
    assertEquals(3, problems.size(), problems::toString);
  }

  @Test
  void hostileArgumentsEndQuickly() {
    String commas = ",".repeat(200_000) + "otel.x";
    long start = System.nanoTime();
    parse(commas);
    parse("otel.a=" + ",otel.b".repeat(50_000));
    assertTrue(System.nanoTime() - start < 5_000_000_000L, "linear in the arguments' length");
    assertEquals(1, settings.size(), settings::toString);
  }
}
