package io.weft.instrumentation.methods;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.weft.instrumentation.MapConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which other agents' annotations are traced: the OpenTelemetry agent's list, replaced by include, ended by the switches. */
class ExternalAnnotationsTest {
  private final List<String> lines = new ArrayList<>();

  private List<String> read(Map<String, String> settings) {
    return MethodsInstrumentation.externalAnnotations(new MapConfig(settings), lines::add);
  }

  @Test
  void theDefaultListIsTheOpenTelemetryAgents() {
    List<String> names = read(Map.of());
    assertEquals(9, names.size());
    assertEquals("com.newrelic.api.agent.Trace", names.get(1));
    assertEquals("datadog.trace.api.Trace", names.get(4));
    assertEquals(List.of(), lines);
  }

  @Test
  void includeReplacesTheListAndReportsWhatIsNoName() {
    assertEquals(List.of("com.acme.Timed", "org.example.$Inner"),
        read(Map.of(MethodsInstrumentation.EXTERNAL_INCLUDE_KEY, " com.acme.Timed ; org.example.$Inner,com.acme.Timed;;Timed;a..b")));
    assertEquals(List.of(
        "OTEL_INSTRUMENTATION_EXTERNAL_ANNOTATIONS_INCLUDE: 'Timed' is not a fully qualified annotation name; it is skipped",
        "OTEL_INSTRUMENTATION_EXTERNAL_ANNOTATIONS_INCLUDE: 'a..b' is not a fully qualified annotation name; it is skipped"), lines);
  }

  @Test
  void theSwitchAndTheCommonDefaultEndIt() {
    assertEquals(List.of(), read(Map.of(MethodsInstrumentation.EXTERNAL_ENABLED_KEY, "false")));
    assertEquals(List.of(), read(Map.of("otel.instrumentation.common.default-enabled", "false")));
    assertEquals(9, read(Map.of("otel.instrumentation.common.default-enabled", "false",
        MethodsInstrumentation.EXTERNAL_ENABLED_KEY, "true")).size());
  }
}
