package io.weft.instrumentation.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.instrumentation.ClassOutline;
import io.weft.instrumentation.MapConfig;
import io.weft.instrumentation.TypeInstrumentation;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

/**
 * The funnel methods of the real libraries on the test class path are the ones woven, each calling the bridge on
 * entry; nothing else is, and nothing at all with {@code OTEL_LOGS_EXPORTER=none}.
 */
class LogRecordsTest {

  private static byte[] classFile(String internalName) throws IOException {
    try (InputStream in = LogRecordsTest.class.getClassLoader().getResourceAsStream(internalName + ".class")) {
      return in.readAllBytes();
    }
  }

  /** "method descriptor -> bridge method" for every call of LogBridge in the class file. */
  private static List<String> bridgeCalls(byte[] classFile) {
    List<String> calls = new ArrayList<>();
    new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
        return new MethodVisitor(Opcodes.ASM9) {
          @Override
          public void visitMethodInsn(int opcode, String owner, String method, String methodDescriptor, boolean isInterface) {
            if (owner.equals("io/weft/bridge/LogBridge")) {
              calls.add(name + descriptor + " -> " + method);
            }
          }
        };
      }
    }, 0);
    return calls;
  }

  private static byte[] weave(LogRecords records, String internalName) throws IOException {
    TypeInstrumentation type = records.typeInstrumentations(new MapConfig(Map.of())).get(0);
    byte[] bytes = classFile(internalName);
    ClassOutline outline = new ClassOutline(internalName, bytes);
    assertTrue(type.mayWeave(null, outline));
    return type.weaveDirectly(null, outline, bytes);
  }

  @Test
  void logbacksCallAppendersIsWovenAroundAndNothingElse() throws IOException {
    byte[] woven = weave(LogRecords.logback(), "ch/qos/logback/classic/Logger");
    assertNotNull(woven);
    assertEquals(List.of(
        "callAppenders(Lch/qos/logback/classic/spi/ILoggingEvent;)V -> logback",
        "callAppenders(Lch/qos/logback/classic/spi/ILoggingEvent;)V -> exit",
        "callAppenders(Lch/qos/logback/classic/spi/ILoggingEvent;)V -> exit"), bridgeCalls(woven));
  }

  @Test
  void log4jsTwoPathsAreWovenOnTheLoggerAndTheAsyncLogger() throws IOException {
    for (String logger : List.of("org/apache/logging/log4j/core/Logger", "org/apache/logging/log4j/core/async/AsyncLogger")) {
      List<String> calls = bridgeCalls(weave(LogRecords.log4j(), logger));
      assertEquals(2, calls.stream().filter(c -> c.endsWith(" -> log4j")).count(), logger + ": " + calls);
      assertTrue(calls.stream().anyMatch(c -> c.startsWith("logMessage(Ljava/lang/String;Lorg/apache/logging/log4j/Level;")), calls::toString);
      assertTrue(calls.stream().anyMatch(c -> c.startsWith("log(Lorg/apache/logging/log4j/Level;")), calls::toString);
    }
  }

  @Test
  void otherClassesAndNoneAreLeftAlone() throws IOException {
    TypeInstrumentation type = LogRecords.logback().typeInstrumentations(new MapConfig(Map.of())).get(0);
    String other = "ch/qos/logback/classic/LoggerContext";
    assertFalse(type.mayWeave(null, new ClassOutline(other, classFile(other))));
    assertEquals(List.of(), LogRecords.logback().typeInstrumentations(new MapConfig(Map.of("otel.logs.exporter", "none"))));
    assertEquals(1, LogRecords.logback().typeInstrumentations(new MapConfig(Map.of("otel.logs.exporter", "console"))).size());
    assertEquals(List.of(), LogRecords.jul().typeInstrumentations(new MapConfig(Map.of())), "JUL is woven by the agent's own transformer");
    assertTrue(LogRecords.exported(new MapConfig(Map.of())));
    assertFalse(LogRecords.exported(new MapConfig(Map.of("otel.logs.exporter", "NONE"))));
  }
}
