package io.weft.instrumentation.methods;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAnnotatedWith;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isSubTypeOf;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.none;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.MeterProvider;
import io.weft.bridge.MethodBridge;
import io.weft.instrumentation.ClassOutline;
import io.weft.instrumentation.InstrumentationConfig;
import io.weft.instrumentation.LoaderSeesClasses;
import io.weft.instrumentation.SuperTypes;
import io.weft.instrumentation.TypeInstrumentation;
import io.weft.instrumentation.WeftInstrumentation;
import io.weft.instrumentation.trace.SpanPipeline;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Times the methods named in {@code OTEL_INSTRUMENTATION_METHODS_INCLUDE} (less those in {@code
 * WEFT_METHODS_EXCLUDE}) and methods annotated {@code @WithSpan}. Agent class loader.
 */
public final class MethodsInstrumentation implements WeftInstrumentation {

  static final String INCLUDE_KEY = "otel.instrumentation.methods.include";
  static final String METHODS_ENABLED_KEY = "otel.instrumentation.methods.enabled";
  private static final String COMMON_DEFAULT_KEY = "otel.instrumentation.common.default-enabled";
  static final String EXCLUDE_KEY = "weft.methods.exclude";
  /** Whether {@link #DURATION_METRIC} is recorded (for every call, sampled or not). */
  static final String METRIC_KEY = "weft.methods.metric.enabled";
  static final String EXTERNAL_ENABLED_KEY = "otel.instrumentation.external-annotations.enabled";
  static final String EXTERNAL_INCLUDE_KEY = "otel.instrumentation.external-annotations.include";
  static final String EXTERNAL_EXCLUDE_KEY = "otel.instrumentation.external-annotations.exclude-methods";
  /** The OpenTelemetry agent's default list: other agents' and libraries' "trace this method" annotations. */
  static final List<String> EXTERNAL_ANNOTATIONS = Collections.unmodifiableList(Arrays.asList(
      "com.appoptics.api.ext.LogMethod",
      "com.newrelic.api.agent.Trace",
      "com.signalfx.tracing.api.Trace",
      "com.tracelytics.api.ext.LogMethod",
      "datadog.trace.api.Trace",
      "io.opentracing.contrib.dropwizard.Trace",
      "kamon.annotation.Trace",
      "kamon.annotation.api.Trace",
      "org.springframework.cloud.sleuth.annotation.NewSpan"));
  static final String ANNOTATIONS_KEY =
      "otel.instrumentation.opentelemetry-instrumentation-annotations.enabled";
  /** The OpenTelemetry agent's: {@code @WithSpan} methods left untraced, in the include list's format. */
  static final String ANNOTATIONS_EXCLUDE_KEY =
      "otel.instrumentation.opentelemetry-instrumentation-annotations.exclude-methods";
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

  /**
   * On when any of the OpenTelemetry agent's three instrumentations it stands for is: {@code methods} (the configured
   * methods), {@code opentelemetry-instrumentation-annotations} ({@code @WithSpan}) and {@code external-annotations},
   * each with its own switch whose default is the common default, as there. So {@code
   * OTEL_INSTRUMENTATION_COMMON_DEFAULT_ENABLED=false} with the annotations' switch on traces {@code @WithSpan} alone.
   */
  @Override
  public boolean enabled(InstrumentationConfig config, boolean commonDefault) {
    return configuredMethodsOn(config) || annotationsOn(config) || externalAnnotationsOn(config);
  }

  private static boolean commonDefault(InstrumentationConfig config) {
    return config.getBoolean(COMMON_DEFAULT_KEY, true);
  }

  static boolean configuredMethodsOn(InstrumentationConfig config) {
    return config.getBoolean(METHODS_ENABLED_KEY, commonDefault(config));
  }

  static boolean annotationsOn(InstrumentationConfig config) {
    return config.getBoolean(ANNOTATIONS_KEY, commonDefault(config));
  }

  static boolean externalAnnotationsOn(InstrumentationConfig config) {
    return config.getBoolean(EXTERNAL_ENABLED_KEY, commonDefault(config));
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations(InstrumentationConfig config) {
    // runs in premain: classes rather than method references, whose first use costs milliseconds
    Consumer<String> warn = new Report(config, false);
    Consumer<String> debug = new Report(config, true);
    // the patterns are parsed (and a malformed one reported) even with the configured methods off
    MethodSelection selection =
        new MethodSelection(
            MethodPatternParser.parse(config.getString(INCLUDE_KEY), "OTEL_INSTRUMENTATION_METHODS_INCLUDE", warn),
            MethodPatternParser.parse(config.getString(EXCLUDE_KEY), "WEFT_METHODS_EXCLUDE", warn));
    if (!configuredMethodsOn(config)) {
      selection = new MethodSelection(Collections.<MethodPattern>emptyList(), Collections.<MethodPattern>emptyList());
    }
    List<TypeInstrumentation> result = new ArrayList<>();
    boolean annotations = annotationsOn(config);
    NamedTypes named = selection.isEmpty() ? null : new NamedTypes(selection);
    Implementations implementations = null;
    if (!selection.exactClassNames().isEmpty()) {
      LoaderSeesClasses loaders = new LoaderSeesClasses(selection.exactClassNames().toArray(new String[0]));
      implementations = new Implementations(selection, loaders);
      result.add(new LambdaBodies(selection, loaders, registry, debug));
    }
    List<String> external = externalAnnotations(config, warn);
    MethodSelection externalExcluded = new MethodSelection(MethodPatternParser.parse(config.getString(EXTERNAL_EXCLUDE_KEY),
        "OTEL_INSTRUMENTATION_EXTERNAL_ANNOTATIONS_EXCLUDE_METHODS", warn), Collections.<MethodPattern>emptyList());
    MethodSelection withSpanExcluded = new MethodSelection(MethodPatternParser.parse(config.getString(ANNOTATIONS_EXCLUDE_KEY),
        "OTEL_INSTRUMENTATION_OPENTELEMETRY_INSTRUMENTATION_ANNOTATIONS_EXCLUDE_METHODS", warn), Collections.<MethodPattern>emptyList());
    List<String> annotationNames = new ArrayList<>();
    if (annotations) {
      annotationNames.add(MethodIdMapping.WITH_SPAN);
    }
    annotationNames.addAll(external);
    AnnotatedMethods annotated = annotationNames.isEmpty() ? null : new AnnotatedMethods(annotationNames);
    if (selection.isEmpty() && annotated == null) {
      return result;
    }
    result.add(0, new DirectMethods(selection, named, implementations, annotated,
        new DirectMethodWeaver(selection, registry, debug, external, externalExcluded, withSpanExcluded)));
    return result;
  }

  /**
   * The other vendors' annotations traced as {@code @WithSpan} is ({@code otel.instrumentation.external-annotations.*},
   * the OpenTelemetry agent's list and switches): a team moving from those agents keeps its spans. Empty when off.
   */
  static List<String> externalAnnotations(InstrumentationConfig config, Consumer<String> warn) {
    if (!externalAnnotationsOn(config)) {
      return Collections.emptyList();
    }
    String include = config.getString(EXTERNAL_INCLUDE_KEY);
    if (include == null) {
      return EXTERNAL_ANNOTATIONS;
    }
    List<String> names = new ArrayList<>();
    for (String name : include.split("[;,]")) {
      String trimmed = name.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (!trimmed.matches("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)+")) {
        warn.accept("OTEL_INSTRUMENTATION_EXTERNAL_ANNOTATIONS_INCLUDE: '" + InstrumentationConfig.printable(trimmed)
            + "' is not a fully qualified annotation name; it is skipped");
        continue;
      }
      if (!names.contains(trimmed)) {
        names.add(trimmed);
      }
    }
    return names;
  }

  @Override
  public void start(OpenTelemetry openTelemetry, SpanPipeline spans, InstrumentationConfig config) {
    // off, or no metric exporter: calls that are not sampled record nothing and read no clock
    DoubleHistogram duration = null;
    if (config.getBoolean(METRIC_KEY, true) && openTelemetry.getMeterProvider() != MeterProvider.noop()) {
      duration =
          openTelemetry
              .getMeter(INSTRUMENTATION_SCOPE)
              .histogramBuilder(DURATION_METRIC)
              .setUnit("s")
              .setDescription("Duration of calls of configured and @WithSpan methods")
              .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
              .build();
    }
    MethodBridge.install(
        new MethodTracer(registry, spans.tracer(INSTRUMENTATION_SCOPE, null), duration), duration != null);
  }

  @Override
  public void checkSettings(InstrumentationConfig config) {
    config.getBoolean(METRIC_KEY, true);
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

  /**
   * The first filter's test for real code (no constructors, bridges, synthetics, natives, abstract
   * methods) plus a name test: whether the class declares a method that {@code selection} may configure. Decodes method names, so it
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
   * The methods of classes loaded from now on, woven without Byte Buddy ({@link DirectMethodWeaver}) in
   * one pass per class: those an include pattern names in a class it names, those it names on an
   * exactly named super type (interface or class) of the class, and those annotated {@code @WithSpan};
   * a method that is more than one of these is woven once. Its type matcher only picks already loaded
   * classes to retransform (an attach); the cheap first tests are the three kinds'.
   */
  private static final class DirectMethods implements TypeInstrumentation {
    private final MethodSelection selection;
    private final NamedTypes named;
    private final Implementations implementations;
    private final AnnotatedMethods withSpan;
    private final DirectMethodWeaver weaver;
    private final SuperTypes superTypes = new SuperTypes();

    DirectMethods(MethodSelection selection, NamedTypes named, Implementations implementations, AnnotatedMethods withSpan,
        DirectMethodWeaver weaver) {
      this.selection = selection;
      this.named = named;
      this.implementations = implementations;
      this.withSpan = withSpan;
      this.weaver = weaver;
    }

    @Override
    public boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
      return (named != null && named.mayWeave(classFile))
          || (implementations != null && implementations.mayWeave(loader, classFile))
          || (withSpan != null && withSpan.mayWeave(loader, classFile));
    }

    @Override
    public boolean weavesDirectly() {
      return true;
    }

    @Override
    public byte[] weaveDirectly(ClassLoader loader, ClassOutline outline, byte[] classFile) {
      boolean isNamed = named != null && named.mayWeave(outline);
      List<String> inherited = Collections.emptyList();
      if (!isNamed && implementations != null && !selection.isExcludedClass(outline.className())
          && implementations.mayWeave(loader, outline)) {
        inherited = superTypes.reachedOf(loader, outline, selection.exactInternalNames());
      }
      boolean annotated = withSpan != null && withSpan.mayWeave(loader, outline);
      if (!isNamed && inherited.isEmpty() && !annotated) {
        return null;
      }
      return weaver.weave(outline.internalName(), classFile, isNamed, inherited, annotated);
    }

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
      ElementMatcher.Junction<TypeDescription> matcher = none();
      if (named != null) {
        matcher = matcher.or(named.typeMatcher());
      }
      if (implementations != null) {
        matcher = matcher.or(implementations.typeMatcher());
      }
      if (withSpan != null) {
        matcher = matcher.or(withSpan.typeMatcher());
      }
      return matcher;
    }

    @Override
    public void transform(Advisor advisor) {
      // nothing for Byte Buddy: weaveDirectly does it
    }
  }

  /** Classes whose own name an include pattern matches. */
  private static final class NamedTypes {
    private final MethodSelection selection;

    NamedTypes(MethodSelection selection) {
      this.selection = selection;
    }

    ElementMatcher.Junction<TypeDescription> typeMatcher() {
      return new ElementMatcher.Junction.AbstractBase<TypeDescription>() {
        @Override
        public boolean matches(TypeDescription type) {
          return selection.isNamedType(type.getName());
        }
      };
    }

    boolean mayWeave(ClassOutline classFile) {
      return selection.isNamedType(classFile.className());
    }
  }

  /**
   * Implementations of an exactly named interface or abstract class (lambdas: {@link LambdaBodies}).
   * Only looked for in class loaders that can see one of the named types, so the hierarchy walk stays
   * rare.
   */
  private static final class Implementations {
    private final MethodSelection selection;
    private final LoaderSeesClasses loaders;

    Implementations(MethodSelection selection, LoaderSeesClasses loaders) {
      this.selection = selection;
      this.loaders = loaders;
    }

    boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
      // class-file tests first: a loader's first look-up walks the JDK's modules
      return !classFile.isInterface()
          && !selection.isNamedType(classFile.className())
          && classFile.mayInheritFrom(selection.exactInternalNames())
          && declaresTraceable(classFile, selection)
          && loaders.matches(loader);
    }

    ElementMatcher.Junction<TypeDescription> typeMatcher() {
      ElementMatcher<TypeDescription> named =
          type -> selection.isNamedType(type.getName()) || selection.isExcludedClass(type.getName());
      return not(named)
          .and(not(isInterface()))
          .and(hasSuperType(namedOneOf(selection.exactClassNames().toArray(new String[0]))));
    }
  }

  /**
   * Methods annotated {@code @WithSpan} or one of the external annotations, in loaders that have one of them at all:
   * the constant-pool test first (one pass over its strings for all the names), the loader's look-up after.
   */
  private static final class AnnotatedMethods {
    private final String[] names;
    private final LoaderSeesClasses loaders;
    // annotations are stored by descriptor: Lio/opentelemetry/instrumentation/annotations/WithSpan;
    private final ClassOutline.ConstantSet descriptors;

    AnnotatedMethods(List<String> annotationNames) {
      names = annotationNames.toArray(new String[0]);
      loaders = new LoaderSeesClasses(names);
      List<String> wanted = new ArrayList<>();
      for (String name : names) {
        wanted.add("L" + name.replace('.', '/') + ";");
      }
      descriptors = new ClassOutline.ConstantSet(wanted);
    }

    boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
      return classFile.hasAnyConstant(descriptors) && loaders.matches(loader);
    }

    ElementMatcher.Junction<TypeDescription> typeMatcher() {
      return declaresMethod(isAnnotatedWith(namedOneOf(names)));
    }
  }
}
