package io.weft.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The agent jar's command line, short of attaching (the smoke tests attach): exit codes and the lines it prints. */
class CliTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void noCommandOrHelpPrintsUsage() {
    assertEquals(Cli.OK, run());
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("java -jar weft-agent.jar attach <pid> [<settings>]"));
    assertEquals("", err());
  }

  @Test
  void mistakesAreOneLineThenUsage() {
    assertEquals(Cli.USAGE, run("atach", "12"));
    assertTrue(err().startsWith("[weft] unknown command 'atach'\nWeft "), err());
    err.reset();
    assertEquals(Cli.USAGE, run("attach"));
    assertTrue(err().startsWith("[weft] attach needs the process id of a running JVM\n"), err());
    err.reset();
    for (String notAPid : new String[] {"-1", "0", "12a", "99999999999", ""}) {
      assertEquals(Cli.USAGE, run("attach", notAPid), notAPid);
      assertTrue(err().startsWith("[weft] '" + notAPid + "' is not a process id\n"), err());
      err.reset();
    }
    assertEquals(Cli.USAGE, run("attach", "\u001b[2J\n[weft] forged"));
    assertTrue(err().startsWith("[weft] '?[2J?[weft] forged' is not a process id\n"), "control characters are not echoed: " + err());
    err.reset();
    assertEquals(Cli.USAGE, run("list", "extra"));
    assertTrue(err().startsWith("[weft] list takes no arguments\n"), err());
  }

  @Test
  void listNamesOtherJvmsNotItself() {
    assertEquals(Cli.OK, run("list"));
    String self = String.valueOf(ProcessHandle.current().pid());
    assertTrue(out.toString(StandardCharsets.UTF_8).lines().noneMatch(l -> l.startsWith(self + " ")), out::toString);
    assertEquals("", err());
  }
}
