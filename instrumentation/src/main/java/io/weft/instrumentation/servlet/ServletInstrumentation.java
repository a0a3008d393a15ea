package io.weft.instrumentation.servlet;

import io.weft.instrumentation.DebugLines;
import io.weft.instrumentation.DirectAdvice;
import io.weft.instrumentation.ExactMethodWeaving;
import io.weft.instrumentation.SuperTypes;
import java.util.function.Consumer;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.opentelemetry.api.OpenTelemetry;
import io.weft.bridge.ServletBridge;
import io.weft.instrumentation.ClassOutline;
import io.weft.instrumentation.InstrumentationConfig;
import io.weft.instrumentation.Sieve;
import io.weft.instrumentation.LoaderSeesClasses;
import io.weft.instrumentation.TypeInstrumentation;
import io.weft.instrumentation.WeftInstrumentation;
import io.weft.instrumentation.trace.SpanPipeline;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Server spans and HTTP server metrics for every request a servlet container hands to a filter or
 * servlet, for {@code javax.servlet} and {@code jakarta.servlet}. Switched by {@code
 * OTEL_INSTRUMENTATION_SERVLET_ENABLED}. Agent class loader.
 */
public final class ServletInstrumentation implements WeftInstrumentation {

  /** The OpenTelemetry agent's switch for its JAX-RS instrumentation: here, the resources' routes ({@link JaxRsRoutes}). */
  static final String JAXRS_KEY = "otel.instrumentation.jaxrs.enabled";

  static final String ENTRY_ADVICE = "io.weft.instrumentation.servlet.ServletEntryAdvice";
  static final String ASYNC_START_ADVICE = "io.weft.instrumentation.servlet.AsyncContextStartAdvice";

  @Override
  public String name() {
    return "servlet";
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations(InstrumentationConfig config) {
    List<TypeInstrumentation> result = new ArrayList<>();
    SuperTypes superTypes = new SuperTypes();
    Consumer<String> debug = new DebugLines(config);
    for (ServletApi api : ServletApi.values()) {
      LoaderSeesClasses loaders = new LoaderSeesClasses(api.servlet);
      result.add(new Entry(api, loaders, api.servlet, superTypes, debug));
      result.add(new Entry(api, loaders, api.filter, superTypes, debug));
      result.add(new AsyncStart(api, loaders, superTypes, debug));
    }
    boolean controllerSpans = config.getBoolean(ServletSettings.CONTROLLER_KEY, false);
    if (config.getBoolean(JAXRS_KEY, config.getBoolean("otel.instrumentation.common.default-enabled", true))) {
      result.add(new JaxRsRoutes(debug, controllerSpans));
    }
    if (controllerSpans) {
      result.add(springMvc(true, debug));
    }
    if (config.getBoolean(ServletSettings.VIEW_KEY, false)) {
      result.add(springMvc(false, debug));
    }
    return result;
  }

  /**
   * Servlets and filters ({@code service}, {@code doFilter}), {@code AsyncContext.start}, JAX-RS resources (their
   * annotations) and, when asked for, Spring MVC's two classes: only once the JVM defines one of those are the type
   * instrumentations made ({@link Entry}, {@link AsyncStart}, {@link JaxRsRoutes}: the weaving code, the servlet API
   * look-ups), not at premain of a JVM that has no servlet container.
   */
  @Override
  public Sieve sieve(InstrumentationConfig config) {
    List<String> classes = new ArrayList<>();
    if (config.getBoolean(ServletSettings.CONTROLLER_KEY, false)) {
      classes.add(SPRING_ADAPTER);
    }
    if (config.getBoolean(ServletSettings.VIEW_KEY, false)) {
      classes.add(SPRING_DISPATCHER);
    }
    boolean jaxRs = config.getBoolean(JAXRS_KEY, config.getBoolean("otel.instrumentation.common.default-enabled", true));
    return Sieve.of(classes.toArray(new String[0]), new String[] {"service", "doFilter", "start"},
        jaxRs ? jaxRsAnnotations() : Collections.<String>emptyList());
  }

  /** The descriptors of the JAX-RS annotations a resource's class file names: {@code @Path} and the HTTP methods', javax and jakarta. */
  static List<String> jaxRsAnnotations() {
    List<String> all = new ArrayList<>();
    for (String pkg : new String[] {"Ljavax/ws/rs/", "Ljakarta/ws/rs/"}) {
      all.add(pkg + "Path;");
      for (String method : new String[] {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"}) {
        all.add(pkg + method + ";");
      }
    }
    return all;
  }

  private static final String SPRING_ADAPTER = "org/springframework/web/servlet/mvc/method/AbstractHandlerMethodAdapter";
  private static final String SPRING_DISPATCHER = "org/springframework/web/servlet/DispatcherServlet";

  /**
   * Spring MVC's {@code AbstractHandlerMethodAdapter.handle(request, response, handler)}, which every request to an
   * annotated controller method goes through once (controller telemetry), or {@code DispatcherServlet.render(modelAndView,
   * request, response)} (view telemetry), javax (Spring 5) or jakarta (6+). Woven only when asked for ({@link ControllerSpans}).
   */
  private static ExactMethodWeaving springMvc(boolean controller, Consumer<String> debug) {
    String[] prefixes = new String[2];
    String[] apis = {"javax", "jakarta"};
    for (int i = 0; i < apis.length; i++) {
      String requestResponse = "L" + apis[i] + "/servlet/http/HttpServletRequest;L" + apis[i] + "/servlet/http/HttpServletResponse;";
      prefixes[i] = controller ? "(" + requestResponse + "Ljava/lang/Object;)"
          : "(Lorg/springframework/web/servlet/ModelAndView;" + requestResponse + ")";
    }
    DirectAdvice advice = DirectAdvice.around("io/weft/bridge/ServletBridge", controller ? "controller" : "view",
        "(Ljava/lang/Object;)Ljava/lang/Object;", "controllerExit", controller ? 2 : 0);
    return new ExactMethodWeaving(controller ? SPRING_ADAPTER : SPRING_DISPATCHER, controller ? "handle" : "render", prefixes,
        advice, debug);
  }

  @Override
  public void start(OpenTelemetry openTelemetry, SpanPipeline spans, InstrumentationConfig config) {
    ServletBridge.install(ServletTracer.create(openTelemetry, spans, ServletSettings.from(config)));
  }

  @Override
  public void checkSettings(InstrumentationConfig config) {
    ServletSettings.from(config);
  }

  /**
   * {@code service(ServletRequest, ServletResponse)} of every servlet and {@code doFilter(ServletRequest,
   * ServletResponse, FilterChain)} of every filter; the tracer keeps one span per request.
   */
  private static final class Entry implements TypeInstrumentation, DirectAdvice.Selector {
    private static final DirectAdvice ADVICE = DirectAdvice.around("io/weft/bridge/ServletBridge", "enter",
        "(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;", "exit", 0, 1);

    private final ServletApi api;
    private final LoaderSeesClasses loaders;
    private final String superType;
    private final List<String> superTypeInternal;
    private final byte[][] name;
    private final byte[][] descriptorStart;
    private final SuperTypes superTypes;
    private final Consumer<String> debug;
    private final String methodName;
    private final String argumentsStart;
    private final int argumentCount;

    Entry(ServletApi api, LoaderSeesClasses loaders, String superType, SuperTypes superTypes, Consumer<String> debug) {
      this.api = api;
      this.loaders = loaders;
      this.superType = superType;
      this.superTypes = superTypes;
      this.debug = debug;
      this.superTypeInternal = Collections.singletonList(superType.replace('.', '/'));
      boolean filter = superType.equals(api.filter);
      this.name = new byte[][] {ClassOutline.encode(filter ? "doFilter" : "service")};
      // (ServletRequest, ServletResponse) for service, a third argument for doFilter
      String arguments = "(L" + api.servletRequest.replace('.', '/') + ";L" + api.servletResponse.replace('.', '/') + ";";
      this.descriptorStart = new byte[][] {ClassOutline.encode(filter ? arguments : arguments + ")")};
      this.methodName = filter ? "doFilter" : "service";
      this.argumentsStart = arguments;
      this.argumentCount = filter ? 3 : 2;
    }

    @Override
    public boolean weavesDirectly() {
      return true;
    }

    /** The entry method (public, request and response first) of a class that is a servlet or a filter. */
    @Override
    public byte[] weaveDirectly(ClassLoader loader, ClassOutline outline, byte[] classFile) {
      if (!superTypes.reaches(loader, outline, superTypeInternal)) {
        return null;
      }
      return DirectAdvice.weave(outline.internalName(), classFile, this, debug);
    }

    @Override
    public DirectAdvice select(int access, String name, String descriptor) {
      return (access & (Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC)) == Opcodes.ACC_PUBLIC && name.equals(methodName)
          && descriptor.startsWith(argumentsStart) && Type.getArgumentTypes(descriptor).length == argumentCount ? ADVICE : null;
    }

    @Override
    public boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
      // class-file tests first: a loader's first look-up walks the JDK's modules
      return !classFile.isInterface()
          && classFile.declaresMethod(ClassOutline.PUBLIC, ClassOutline.ABSTRACT, name, descriptorStart)
          && classFile.mayInheritFrom(superTypeInternal)
          && loaders.matches(loader);
    }

    @Override
    public ElementMatcher<ClassLoader> classLoaderMatcher() {
      return loaders.asMatcher();
    }

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
      // declaresMethod first: it reads the type's own methods, so a subclass that only overrides
      // doGet is neither walked up nor rewritten; HttpServlet itself carries the advice
      return not(isInterface()).and(declaresMethod(entryMethod())).and(hasSuperType(named(superType)));
    }

    @Override
    public void transform(Advisor advisor) {
      advisor.advise(entryMethod(), ENTRY_ADVICE);
    }

    private ElementMatcher.Junction<MethodDescription> entryMethod() {
      boolean filter = superType.equals(api.filter);
      return isMethod()
          .and(isPublic())
          .and(not(isAbstract()))
          .and(named(filter ? "doFilter" : "service"))
          .and(takesArguments(filter ? 3 : 2))
          .and(takesArgument(0, named(api.servletRequest)))
          .and(takesArgument(1, named(api.servletResponse)));
    }
  }

  /** {@code AsyncContext.start(Runnable)} of the container's async context. */
  private static final class AsyncStart implements TypeInstrumentation, DirectAdvice.Selector {
    private static final DirectAdvice ADVICE =
        DirectAdvice.replaceArgument("io/weft/bridge/ServletBridge", "wrap", "(Ljava/lang/Runnable;)Ljava/lang/Runnable;", 0);

    private final ServletApi api;
    private final LoaderSeesClasses loaders;
    private final SuperTypes superTypes;
    private final Consumer<String> debug;

    private static final byte[][] START = {ClassOutline.encode("start")};
    private static final byte[][] TAKES_RUNNABLE = {ClassOutline.encode("(Ljava/lang/Runnable;)")};

    private final List<String> asyncContextInternal;

    AsyncStart(ServletApi api, LoaderSeesClasses loaders, SuperTypes superTypes, Consumer<String> debug) {
      this.api = api;
      this.loaders = loaders;
      this.superTypes = superTypes;
      this.debug = debug;
      this.asyncContextInternal = Collections.singletonList(api.asyncContext.replace('.', '/'));
    }

    @Override
    public boolean weavesDirectly() {
      return true;
    }

    /** {@code start(Runnable)} of a class that is an {@code AsyncContext}: the task is wrapped on entry. */
    @Override
    public byte[] weaveDirectly(ClassLoader loader, ClassOutline outline, byte[] classFile) {
      if (!superTypes.reaches(loader, outline, asyncContextInternal)) {
        return null;
      }
      return DirectAdvice.weave(outline.internalName(), classFile, this, debug);
    }

    @Override
    public DirectAdvice select(int access, String name, String descriptor) {
      return (access & Opcodes.ACC_STATIC) == 0 && name.equals("start") && descriptor.startsWith("(Ljava/lang/Runnable;)") ? ADVICE : null;
    }

    @Override
    public boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
      return !classFile.isInterface()
          && classFile.declaresMethod(0, ClassOutline.ABSTRACT, START, TAKES_RUNNABLE)
          && classFile.mayInheritFrom(asyncContextInternal)
          && loaders.matches(loader);
    }

    @Override
    public ElementMatcher<ClassLoader> classLoaderMatcher() {
      return loaders.asMatcher();
    }

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
      return not(isInterface()).and(declaresMethod(startMethod())).and(hasSuperType(named(api.asyncContext)));
    }

    @Override
    public void transform(Advisor advisor) {
      advisor.advise(startMethod(), ASYNC_START_ADVICE);
    }

    private static ElementMatcher.Junction<MethodDescription> startMethod() {
      return isMethod().and(not(isAbstract())).and(named("start")).and(takesArguments(1)).and(takesArgument(0, Runnable.class));
    }
  }
}
