package io.weft.instrumentation.logging;

import static net.bytebuddy.matcher.ElementMatchers.named;

import io.opentelemetry.api.OpenTelemetry;
import io.weft.bridge.LogBridge;
import io.weft.instrumentation.ClassOutline;
import io.weft.instrumentation.InstrumentationConfig;
import io.weft.instrumentation.TypeInstrumentation;
import io.weft.instrumentation.WeftInstrumentation;
import io.weft.instrumentation.trace.SpanPipeline;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The current span's ids in Logback's MDC ({@code otel.instrumentation.logback-mdc.enabled}, the OpenTelemetry
 * agent's switch and keys), so a pattern's {@code %X{trace_id}} ties a log line to its trace. One class is woven,
 * {@code ch.qos.logback.classic.spi.LoggingEvent}: before {@code getMDCPropertyMap()} returns, its map goes
 * through {@link LogBridge#withSpan}, and the result is kept in the event's own {@code mdcPropertyMap} field.
 * The first call happens on the logging thread, under the span that logged (a synchronous appender formats there;
 * an {@code AsyncAppender} calls it there in {@code prepareForDeferredProcessing}), so the ids kept then are what
 * an appender on another thread reads later. A map that already has the trace key (set by the application) is
 * left as it is; the MDC's own map, shared by the thread's later events, is never changed: the ids go into a copy.
 */
public final class LogbackMdcInstrumentation implements WeftInstrumentation {

  public static final String NAME = "logback-mdc";

  static final String TRACE_ID_KEY = "otel.instrumentation.common.logging.trace-id-key";
  static final String SPAN_ID_KEY = "otel.instrumentation.common.logging.span-id-key";
  static final String TRACE_FLAGS_KEY = "otel.instrumentation.common.logging.trace-flags-key";

  static final String LOGGING_EVENT = "ch/qos/logback/classic/spi/LoggingEvent";
  private static final String METHOD = "getMDCPropertyMap";
  private static final String DESCRIPTOR = "()Ljava/util/Map;";
  private static final String FIELD = "mdcPropertyMap";
  private static final String MAP = "Ljava/util/Map;";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations(InstrumentationConfig config) {
    return Collections.singletonList(new LoggingEventType(config)); // no lambda: each costs premain a millisecond
  }

  @Override
  public void start(OpenTelemetry openTelemetry, SpanPipeline spans, InstrumentationConfig config) {
    LogBridge.install(MdcWithSpan.from(config));
  }

  @Override
  public void checkSettings(InstrumentationConfig config) {
    MdcWithSpan.from(config);
  }

  /** Logback's event class, by its exact name: one string comparison for every other class. */
  private static final class LoggingEventType implements TypeInstrumentation {
    private final InstrumentationConfig config;

    LoggingEventType(InstrumentationConfig config) {
      this.config = config;
    }

    @Override
    public boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
      return classFile.internalName().equals(LOGGING_EVENT);
    }

    @Override
    public boolean weavesDirectly() {
      return true;
    }

    @Override
    public byte[] weaveDirectly(ClassLoader loader, ClassOutline classFile, byte[] bytes) {
      return weave(bytes, config);
    }

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
      return named(LOGGING_EVENT.replace('/', '.'));
    }

    @Override
    public void transform(Advisor advisor) {
      // woven directly, also when retransformed at an attach: only code is added
    }
  }

  /**
   * {@code LoggingEvent} with each {@code return map;} of {@code getMDCPropertyMap()} made {@code map =
   * LogBridge.withSpan(map); this.mdcPropertyMap = map; return map;} (the field store only where the field is
   * there, as in every Logback from 1.0 to 1.5); {@code null} when the method is not there or the class cannot be
   * read.
   */
  static byte[] weave(byte[] classFile, InstrumentationConfig config) {
    try {
      ClassReader reader = new ClassReader(classFile);
      boolean[] field = new boolean[1];
      reader.accept(new ClassVisitor(Opcodes.ASM9) {
        @Override
        public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
          field[0] |= name.equals(FIELD) && descriptor.equals(MAP) && (access & (Opcodes.ACC_STATIC | Opcodes.ACC_FINAL)) == 0;
          return null;
        }
      }, ClassReader.SKIP_CODE);
      ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
      int[] woven = new int[1];
      reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
          MethodVisitor target = super.visitMethod(access, name, descriptor, signature, exceptions);
          if ((access & (Opcodes.ACC_STATIC | Opcodes.ACC_ABSTRACT)) != 0 || !name.equals(METHOD) || !descriptor.equals(DESCRIPTOR)) {
            return target;
          }
          woven[0]++;
          return new MethodVisitor(Opcodes.ASM9, target) {
            @Override
            public void visitInsn(int opcode) {
              if (opcode == Opcodes.ARETURN) {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, "io/weft/bridge/LogBridge", "withSpan", "(Ljava/util/Map;)Ljava/util/Map;", false);
                if (field[0]) {
                  super.visitInsn(Opcodes.DUP);
                  super.visitVarInsn(Opcodes.ALOAD, 0);
                  super.visitInsn(Opcodes.SWAP);
                  super.visitFieldInsn(Opcodes.PUTFIELD, LOGGING_EVENT, FIELD, MAP);
                }
              }
              super.visitInsn(opcode);
            }
          };
        }
      }, 0);
      if (woven[0] == 0) {
        config.debug("not woven " + LOGGING_EVENT.replace('/', '.') + ": it has no method " + METHOD + DESCRIPTOR);
        return null;
      }
      config.debug("woven " + LOGGING_EVENT.replace('/', '.') + ": the MDC names the current span"
          + (field[0] ? "" : " (no field " + FIELD + ": an appender on another thread may not see the ids)"));
      return writer.toByteArray();
    } catch (RuntimeException | LinkageError e) {
      config.debug("could not weave " + LOGGING_EVENT.replace('/', '.') + ": " + e);
      return null;
    }
  }
}
