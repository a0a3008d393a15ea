package io.weft.instrumentation.methods;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isAnnotatedWith;
import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.isNative;
import static net.bytebuddy.matcher.ElementMatchers.isSubTypeOf;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.weft.bridge.MethodBridge;
import io.weft.instrumentation.ClassOutline;
import io.weft.instrumentation.InstrumentationConfig;
import io.weft.instrumentation.LoaderSeesClasses;
import io.weft.instrumentation.TypeInstrumentation;
import io.weft.instrumentation.WeftInstrumentation;
import io.weft.instrumentation.trace.SpanPipeline;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDefinition;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Times the methods named in {@code OTEL_INSTRUMENTATION_METHODS_INCLUDE} (less those in {@code
 * WEFT_METHODS_EXCLUDE}) and methods annotated {@code @WithSpan}. Agent class loader.
 */
public final class MethodsInstrumentation implements WeftInstrumentation {

  static final String INCLUDE_KEY = "otel.instrumentation.methods.include";
  static final String EXCLUDE_KEY = "weft.methods.exclude";
  static final String ANNOTATIONS_KEY =
      "otel.instrumentation.opentelemetry-instrumentation-annotations.enabled";
  static final String INSTRUMENTATION_SCOPE = "io.weft.methods";
  static final String DURATION_METRIC = "weft.method.duration";
  static final List<Double> DURATION_BUCKETS =
      Arrays.asList(
          0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0);

  private static final String ADVICE = "io.weft.instrumentation.methods.MethodAdvice";
  private static final String ASYNC_ADVICE = "io.weft.instrumentation.methods.MethodAsyncAdvice";

  private final MethodRegistry registry = new MethodRegistry();

  @Override
  public String name() {
    return "methods";
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations(InstrumentationConfig config) {
    // runs in premain: classes rather than method references, whose first use costs milliseconds
    Consumer<String> warn = new Report(config, false);
    Consumer<String> debug = new Report(config, true);
    MethodSelection selection =
        new MethodSelection(
            MethodPatternParser.parse(config.getString(INCLUDE_KEY), "OTEL_INSTRUMENTATION_METHODS_INCLUDE", warn),
            MethodPatternParser.parse(config.getString(EXCLUDE_KEY), "WEFT_METHODS_EXCLUDE", warn));
    // weave-time bindings (MethodIdMapping, a Byte Buddy type) are made when Byte Buddy is: see customMapping
    IdBinding idMapping = new IdBinding(registry, debug);
    List<TypeInstrumentation> result = new ArrayList<>();
    if (!selection.isEmpty()) {
      result.add(new NamedTypes(selection, new DirectMethodWeaver(selection, registry, debug)));
      if (!selection.exactClassNames().isEmpty()) {
        LoaderSeesClasses loaders = new LoaderSeesClasses(selection.exactClassNames().toArray(new String[0]));
        result.add(new Implementations(selection, idMapping, loaders));
        result.add(new LambdaBodies(selection, loaders, registry, debug));
      }
    }
    if (config.getBoolean(ANNOTATIONS_KEY, true)) {
      result.add(new WithSpanMethods(selection, idMapping));
    }
    return result;
  }

  @Override
  public void start(OpenTelemetry openTelemetry, SpanPipeline spans, InstrumentationConfig config) {
    DoubleHistogram duration =
        openTelemetry
            .getMeter(INSTRUMENTATION_SCOPE)
            .histogramBuilder(DURATION_METRIC)
            .setUnit("s")
            .setDescription("Duration of calls of configured and @WithSpan methods")
            .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
            .build();
    MethodBridge.install(
        new MethodTracer(registry, spans.tracer(INSTRUMENTATION_SCOPE, null), duration));
  }

  /** What a type instrumentation needs to make its {@link MethodIdMapping} once Byte Buddy is there. */
  private static final class IdBinding {
    final MethodRegistry registry;
    final Consumer<String> debug;

    IdBinding(MethodRegistry registry, Consumer<String> debug) {
      this.registry = registry;
      this.debug = debug;
    }

    MethodIdMapping make() {
      return new MethodIdMapping(registry, debug);
    }
  }

  /** {@link InstrumentationConfig#warn} or {@link InstrumentationConfig#debug} as a consumer. */
  private static final class Report implements Consumer<String> {
    private final InstrumentationConfig config;
    private final boolean debug;

    Report(InstrumentationConfig config, boolean debug) {
      this.config = config;
      this.debug = debug;
    }

    @Override
    public void accept(String line) {
      if (debug) {
        config.debug(line);
      } else {
        config.warn(line);
      }
    }
  }

  /** Methods the bridge may wrap: real code only (no constructors, bridges, synthetics, natives). */
  static ElementMatcher.Junction<MethodDescription> traceable() {
    return isMethod().and(not(isAbstract())).and(not(isNative())).and(not(isBridge())).and(not(isSynthetic()));
  }

  /**
   * The first filter's version of {@link #traceable()} plus a name test: whether the class declares a
   * method that is real code and that {@code selection} may configure. Decodes method names, so it
   * runs after the cheaper tests.
   */
  static boolean declaresTraceable(ClassOutline classFile, MethodSelection selection) {
    if (classFile.isMalformed()) {
      return true;
    }
    int notCode = ClassOutline.ABSTRACT | ClassOutline.NATIVE | ClassOutline.BRIDGE | ClassOutline.SYNTHETIC;
    for (int method = 0, count = classFile.methodCount(); method < count; method++) {
      if ((classFile.methodAccess(method) & notCode) == 0) {
        String name = classFile.methodName(method);
        if (name.charAt(0) != '<' && selection.mayBeInherited(name)) {
          return true;
        }
      }
    }
    return false;
  }

  static void adviseSyncAndAsync(
      TypeInstrumentation.Advisor advisor, ElementMatcher.Junction<MethodDescription> methods) {
    ElementMatcher.Junction<MethodDescription> async = returns(isSubTypeOf(CompletionStage.class));
    advisor.advise(methods.and(not(async)), ADVICE);
    advisor.advise(methods.and(async), ASYNC_ADVICE);
  }

  /**
   * Classes whose own name an include pattern matches, woven without Byte Buddy ({@link
   * DirectMethodWeaver}): a JVM whose configured methods are all named this way never loads it.
   */
  private static final class NamedTypes implements TypeInstrumentation {
    private final MethodSelection selection;
    private final DirectMethodWeaver weaver;

    NamedTypes(MethodSelection selection, DirectMethodWeaver weaver) {
      this.selection = selection;
      this.weaver = weaver;
    }

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
      return type -> selection.isNamedType(type.getName());
    }

    @Override
    public boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
      return selection.isNamedType(classFile.className());
    }

    @Override
    public boolean weavesDirectly() {
      return true;
    }

    @Override
    public byte[] weaveDirectly(ClassLoader loader, String internalName, byte[] classFile) {
      return weaver.weave(internalName, classFile);
    }

    @Override
    public void transform(Advisor advisor) {
      // nothing for Byte Buddy: weaveDirectly does it
    }
  }

  /**
   * Implementations of an exactly named interface or abstract class (lambdas: {@link LambdaBodies}).
   * Only looked for in class loaders that can see one of the named types, so the hierarchy walk stays
   * rare.
   */
  private static final class Implementations implements TypeInstrumentation {
    private final MethodSelection selection;
    private final IdBinding idMapping;
    private final LoaderSeesClasses loaders;

    Implementations(MethodSelection selection, IdBinding idMapping, LoaderSeesClasses loaders) {
      this.selection = selection;
      this.idMapping = idMapping;
      this.loaders = loaders;
    }

    @Override
    public ElementMatcher<ClassLoader> classLoaderMatcher() {
      return loaders.asMatcher();
    }

    @Override
    public boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
      // class-file tests first: a loader's first look-up walks the JDK's modules
      return !classFile.isInterface()
          && classFile.mayInheritFrom(selection.exactInternalNames())
          && declaresTraceable(classFile, selection)
          && loaders.matches(loader);
    }

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
      ElementMatcher<TypeDescription> named =
          type -> selection.isNamedType(type.getName()) || selection.isExcludedClass(type.getName());
      return not(named)
          .and(not(isInterface()))
          .and(hasSuperType(namedOneOf(selection.exactClassNames().toArray(new String[0]))));
    }

    @Override
    public void transform(Advisor advisor) {
      adviseSyncAndAsync(
          advisor,
          traceable().and(m -> selectsInherited(m.getDeclaringType().asErasure(), m.getName())));
    }

    /**
     * For a class matched through its hierarchy: is this method configured on an exactly named super
     * type? The hierarchy was resolved while matching the type, so the walk reads cached descriptions.
     */
    private boolean selectsInherited(TypeDescription type, String methodName) {
      if (selection.isExcluded(type.getName(), methodName)) {
        return false;
      }
      List<String> found = new ArrayList<>();
      collectExactSuperTypes(type, found, 0);
      for (String superTypeName : found) {
        if (selection.selectsNamed(superTypeName, methodName)) {
          return true;
        }
      }
      return false;
    }

    private void collectExactSuperTypes(TypeDefinition type, List<String> found, int depth) {
      if (type == null || depth > 32) {
        return;
      }
      String name = type.asErasure().getName();
      if (depth > 0 && selection.exactClassNames().contains(name)) {
        found.add(name);
      }
      for (TypeDescription.Generic anInterface : type.getInterfaces()) {
        collectExactSuperTypes(anInterface, found, depth + 1);
      }
      collectExactSuperTypes(type.getSuperClass(), found, depth + 1);
    }

    @Override
    public Advice.WithCustomMapping customMapping(Advice.WithCustomMapping mapping) {
      return mapping.bind(idMapping.make());
    }
  }

  /** Methods annotated {@code @WithSpan}, in loaders that have the annotation at all. */
  private static final class WithSpanMethods implements TypeInstrumentation {
    private final MethodSelection selection;
    private final IdBinding idMapping;
    private final LoaderSeesClasses loaders = new LoaderSeesClasses(MethodIdMapping.WITH_SPAN);
    // annotations are stored by descriptor: Lio/opentelemetry/instrumentation/annotations/WithSpan;
    private final byte[] descriptor = ClassOutline.encode("L" + MethodIdMapping.WITH_SPAN.replace('.', '/') + ";");

    WithSpanMethods(MethodSelection selection, IdBinding idMapping) {
      this.selection = selection;
      this.idMapping = idMapping;
    }

    @Override
    public ElementMatcher<ClassLoader> classLoaderMatcher() {
      return loaders.asMatcher();
    }

    @Override
    public boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
      return classFile.hasConstant(descriptor) && loaders.matches(loader);
    }

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
      // a class also selected by pattern gets its spans from NamedTypes/Implementations
      return declaresMethod(isAnnotatedWith(named(MethodIdMapping.WITH_SPAN)))
          .and(type -> !selection.isNamedType(type.getName()));
    }

    @Override
    public void transform(Advisor advisor) {
      adviseSyncAndAsync(advisor, traceable().and(isAnnotatedWith(named(MethodIdMapping.WITH_SPAN))));
    }

    @Override
    public Advice.WithCustomMapping customMapping(Advice.WithCustomMapping mapping) {
      return mapping.bind(idMapping.make());
    }
  }
}
