package io.weft.instrumentation.methods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A malformed entry is one line that quotes it bounded and printable, and the good entries still apply. */
class MethodPatternParserTest {

  @Test
  void hostileEntriesAreQuotedBoundedAndPrintable() {
    List<String> lines = new ArrayList<>();
    String forged = "x\n[weft] forged line";
    String huge = "9".repeat(10_240);

    List<MethodPattern> patterns = MethodPatternParser.parse(
        forged + ";com.acme.Orders[place];" + huge + ";com.acme.Bad[\u001b[2J]", "OTEL_INSTRUMENTATION_METHODS_INCLUDE", lines::add);

    assertEquals(1, patterns.size(), "the good entry still applies");
    assertEquals(3, lines.size(), lines::toString);
    for (String line : lines) {
      assertTrue(line.length() < 400, () -> "bounded: " + line.length());
      assertFalse(line.chars().anyMatch(Character::isISOControl), line);
      assertTrue(line.startsWith("OTEL_INSTRUMENTATION_METHODS_INCLUDE: ignoring the malformed entry '"), line);
    }
    assertTrue(lines.get(0).contains("'x?[weft] forged line'"), lines.get(0));
    assertTrue(lines.get(1).contains("'" + "9".repeat(100) + "...'"), lines.get(1));
  }
}
