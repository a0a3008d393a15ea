package io.weft.instrumentation.servlet;

import static net.bytebuddy.matcher.ElementMatchers.isAnnotatedWith;
import static net.bytebuddy.matcher.ElementMatchers.named;

import io.weft.instrumentation.ClassOutline;
import io.weft.instrumentation.DirectAdvice;
import io.weft.instrumentation.Reweaver;
import io.weft.instrumentation.TypeInstrumentation;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Routes for JAX-RS resources, javax ({@code javax.ws.rs}) and jakarta ({@code jakarta.ws.rs}), whichever implementation
 * runs them (woven into the resource classes, not into Jersey, RESTEasy or CXF): a servlet mapped to {@code /api/*} gives every request the route {@code /api/*},
 * which makes {@code http.server.request.duration} one series for the whole API. Each resource method of a class
 * annotated {@code @Path}, one with an HTTP method annotation ({@code @GET} ...), is woven to pass its template (the
 * class's {@code @Path} and its own, {@code /users/{id}}, read from the class file when it is woven, a constant
 * string) to the request's span on entry; the servlet's path goes in front, as for Spring MVC's patterns. The first
 * resource method a request enters names it. With controller telemetry asked for, each resource method is also an
 * INTERNAL span, {@code OrderResource.order}, as Spring MVC's handler methods are ({@link ControllerSpans}), and so is
 * each sub-resource locator, as the OpenTelemetry agent makes them.
 *
 * <p>Sub-resource locators (a method with {@code @Path} and no HTTP method) pass their template as a start, and the
 * methods of the object they return (a class without {@code @Path}) add their own path to it: {@code
 * /orders/{id}/lines/{line}}. A request whose locator chain ends in no woven method keeps the servlet's route, coarse
 * but true ({@link ServerRequest#frameworkTemplate}).
 *
 * <p>Annotations a class inherits, as Jersey and RESTEasy read them: a method without JAX-RS annotations of its own
 * takes those of the method it overrides or implements (super class first, then interfaces), and a class without
 * {@code @Path} takes its super class's or its interface's. The usual case is an interface generated from an OpenAPI
 * document and a class implementing it. The JVM defines a class before its super types (it loads them while linking
 * it), so an implementation is usually woven before its interface is seen: each type with annotations is
 * remembered, for its later subtypes, and the {@link Reweaver} weaves again those loaded before it, a moment later,
 * off the application's threads. A method overriding a super class's woven resource method passes the route only;
 * the span is the super method's. Generated subclasses and proxies ({@code $$}, {@code $Proxy}) inherit nothing.
 *
 * <p>Only classes whose constant pool names {@code Path} or an HTTP method annotation are read further, and, once
 * such a type was seen, those whose direct super types are one: one look per loaded class. A generic super
 * method ({@code T get(String)}) is implemented by a method of another descriptor, which the compiler's bridge
 * method of the super's erased descriptor calls: the method the bridge calls is woven. Agent class loader.
 */
final class JaxRsRoutes implements TypeInstrumentation {

  private static final String BRIDGE = "io/weft/bridge/ServletBridge";
  private static final String TWO_STRINGS = "(Ljava/lang/String;Ljava/lang/String;)";
  private static final DirectAdvice ROUTE =
      DirectAdvice.onEntry(BRIDGE, "route", TWO_STRINGS + "V", DirectAdvice.constant(0), DirectAdvice.constant(1));
  private static final DirectAdvice LOCATE =
      DirectAdvice.onEntry(BRIDGE, "locate", TWO_STRINGS + "V", DirectAdvice.constant(0), DirectAdvice.constant(1));
  /** With controller telemetry: the route, and an INTERNAL span named after the method around its run. */
  private static final DirectAdvice ROUTE_AND_SPAN = DirectAdvice.around(BRIDGE, "resource",
      "(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)Ljava/lang/Object;", "controllerExit",
      DirectAdvice.constant(0), DirectAdvice.constant(1), DirectAdvice.constant(2));
  /** With controller telemetry: a locator's template start, and a span around its run, as the OpenTelemetry agent makes. */
  private static final DirectAdvice LOCATE_AND_SPAN = DirectAdvice.around(BRIDGE, "locator",
      "(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)Ljava/lang/Object;", "controllerExit",
      DirectAdvice.constant(0), DirectAdvice.constant(1), DirectAdvice.constant(2));

  private static final java.util.Set<String> PATH = new java.util.HashSet<>(Arrays.asList("Ljavax/ws/rs/Path;", "Ljakarta/ws/rs/Path;"));
  /** The HTTP method annotations, javax and jakarta: a method with one is a resource method. */
  private static final java.util.Set<String> HTTP_METHODS = new java.util.HashSet<>();

  static {
    for (String pkg : new String[] {"Ljavax/ws/rs/", "Ljakarta/ws/rs/"}) {
      for (String method : new String[] {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"}) {
        HTTP_METHODS.add(pkg + method + ";");
      }
    }
  }

  /** At most this many types' annotations are kept for their subtypes; a bound against generated class floods. */
  static final int MAX_INHERITABLE = 4096;
  /** Generated subclasses (CGLIB, Weld, Byte Buddy, Mockito) and JDK proxies: they call the woven method or a client, never inherit a route. */
  private static final String[] GENERATED = {"$$", "$Proxy", "$ByteBuddy$", "$MockitoMock$"};

  private final ClassOutline.ConstantSet annotations = annotations();
  private final Consumer<String> debug;
  private final boolean controllerSpans;
  /**
   * Each type with JAX-RS annotations, own or inherited, by internal name and then class loader, as its subtypes see
   * them: two web applications may each have a type of the same name with other annotations.
   */
  private final ConcurrentHashMap<String, Known> inheritable = new ConcurrentHashMap<>();
  private volatile Reweaver reweaver;

  /** {@code controllerSpans}: controller telemetry is asked for, so each resource method is a span too. */
  JaxRsRoutes(Consumer<String> debug, boolean controllerSpans) {
    this.debug = debug;
    this.controllerSpans = controllerSpans;
  }

  @Override
  public void reweaveWith(Reweaver reweaver) {
    this.reweaver = reweaver;
  }

  /**
   * A class naming a JAX-RS annotation; or, once some type with annotations was seen, one whose direct
   * super types (or, retransformed, any loaded super type) are such a type.
   */
  @Override
  public boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
    if (classFile.hasAnyConstant(annotations)) {
      return true;
    }
    return !inheritable.isEmpty() && inherits(loader, classFile) && !generated(classFile.internalName());
  }

  private boolean inherits(ClassLoader loader, ClassOutline classFile) {
    Class<?> loaded = classFile.redefined();
    if (loaded != null) {
      if (routesOf(loaded.getSuperclass(), 0) != null) {
        return true;
      }
      for (Class<?> type : loaded.getInterfaces()) {
        if (routesOf(type, 0) != null) {
          return true;
        }
      }
      return false;
    }
    String superName = classFile.superName();
    if (superName != null && known(superName, loader, false) != null) {
      return true;
    }
    for (String name : classFile.interfaceNames()) {
      if (known(name, loader, false) != null) {
        return true;
      }
    }
    return false;
  }

  static boolean generated(String internalName) {
    if (internalName.startsWith("jdk/proxy") || internalName.startsWith("com/sun/proxy/")) {
      return true;
    }
    for (String marker : GENERATED) {
      if (internalName.contains(marker)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean weavesDirectly() {
    return true;
  }

  private static ClassOutline.ConstantSet annotations() {
    return new ClassOutline.ConstantSet(ServletInstrumentation.jaxRsAnnotations()); // the same the sieve looks for
  }

  @Override
  public byte[] weaveDirectly(ClassLoader loader, ClassOutline classFile, byte[] bytes) {
    Survey survey = survey(bytes);
    if (survey == null) {
      return null;
    }
    boolean isInterface = classFile.isInterface();
    Routes resolved = survey.own(isInterface);
    if (!generated(classFile.internalName())) {
      resolved = resolve(resolved, isInterface, superRoutes(loader, classFile), interfaceRoutes(loader, classFile));
    }
    if (resolved == null) {
      return null;
    }
    remember(classFile.internalName(), loader, resolved);
    if (survey.annotated()) {
      Reweaver subtypes = reweaver;
      if (subtypes != null) {
        subtypes.reweaveSubtypes(loader, classFile.internalName()); // those loaded before it: its implementations, mostly
      }
    }
    if (isInterface) {
      return null;
    }
    Map<String, Plan> plans = plans(survey, resolved);
    if (plans.isEmpty()) {
      return null;
    }
    String function = controllerSpans ? classFile.className() + "." : null;
    return DirectAdvice.weave(classFile.internalName(), bytes, new Selector(plans, function), debug);
  }

  /** One type's routes, with its class loader (weakly), and the next type of the same name. */
  static final class Known {
    final WeakReference<ClassLoader> loader;
    final Routes routes;
    final Known next;

    Known(ClassLoader loader, Routes routes, Known next) {
      this.loader = new WeakReference<>(loader);
      this.routes = routes;
      this.next = next;
    }
  }

  private void remember(String internalName, ClassLoader loader, Routes routes) {
    if (loader == null) {
      return; // the bootstrap loader holds no JAX-RS type
    }
    if (inheritable.size() >= MAX_INHERITABLE && !inheritable.containsKey(internalName)) {
      debug.accept("JAX-RS: more than " + MAX_INHERITABLE + " resource types; " + internalName.replace('/', '.') + "'s subtypes will not inherit its routes");
      return;
    }
    synchronized (inheritable) { // rare: once per type with annotations
      Known kept = null; // the others of this name, still loaded
      for (Known known = inheritable.get(internalName); known != null; known = known.next) {
        ClassLoader other = known.loader.get();
        if (other != null && other != loader) {
          kept = new Known(other, known.routes, kept);
        }
      }
      inheritable.put(internalName, new Known(loader, routes, kept));
    }
  }

  /**
   * The routes of the type of that name a class of {@code from} sees: the one its own loader or one of its parents
   * defined ({@code exact}: its own loader's only, for a loaded type). {@code null} when none is known.
   */
  private Routes known(String internalName, ClassLoader from, boolean exact) {
    for (Known known = inheritable.get(internalName); known != null; known = known.next) {
      ClassLoader definer = known.loader.get();
      if (definer != null && (definer == from || !exact && isAncestor(definer, from))) {
        return known.routes;
      }
    }
    return null;
  }

  private static boolean isAncestor(ClassLoader candidate, ClassLoader of) {
    ClassLoader parent = of == null ? null : of.getParent();
    for (int depth = 0; parent != null && depth < 16; depth++, parent = parent.getParent()) {
      if (parent == candidate) {
        return true;
      }
    }
    return false;
  }

  private Routes superRoutes(ClassLoader loader, ClassOutline classFile) {
    Class<?> loaded = classFile.redefined();
    if (loaded != null) {
      return routesOf(loaded.getSuperclass(), 0);
    }
    String superName = classFile.superName();
    return superName == null ? null : known(superName, loader, false);
  }

  private List<Routes> interfaceRoutes(ClassLoader loader, ClassOutline classFile) {
    List<Routes> found = new ArrayList<>();
    Class<?> loaded = classFile.redefined();
    if (loaded != null) {
      for (Class<?> type : loaded.getInterfaces()) {
        Routes routes = routesOf(type, 0);
        if (routes != null) {
          found.add(routes);
        }
      }
      return found;
    }
    for (String name : classFile.interfaceNames()) {
      Routes routes = known(name, loader, false);
      if (routes != null) {
        found.add(routes);
      }
    }
    return found;
  }

  /**
   * What a loaded type passes on: as remembered when it was woven, or else (loaded before the types it
   * inherits from were seen) resolved from its own loaded super types. {@code null} when nothing.
   */
  private Routes routesOf(Class<?> type, int depth) {
    if (type == null || type == Object.class || depth > 64) {
      return null;
    }
    Routes known = known(type.getName().replace('.', '/'), type.getClassLoader(), true);
    if (known != null) {
      return known;
    }
    List<Routes> interfaces = new ArrayList<>();
    for (Class<?> superInterface : type.getInterfaces()) {
      Routes routes = routesOf(superInterface, depth + 1);
      if (routes != null) {
        interfaces.add(routes);
      }
    }
    return resolve(null, type.isInterface(), routesOf(type.getSuperclass(), depth + 1), interfaces);
  }

  /**
   * A type's routes from its own annotations ({@code own}, null when none) and its super types', by the
   * rules Jersey and RESTEasy follow: a method with JAX-RS annotations of its own keeps them, one without
   * takes the super class's (nearest first), else the first interface's; the class path is its own, else
   * a super class's, else the first interface's that has one. {@code null} when nothing applies.
   */
  static Routes resolve(Routes own, boolean isInterface, Routes superclass, List<Routes> interfaces) {
    String classPath = own == null ? null : own.classPath;
    boolean onClass = classPath != null && !isInterface;
    if (classPath == null && superclass != null && superclass.classPathOnClass) {
      classPath = superclass.classPath;
      onClass = true;
    }
    for (int i = 0; classPath == null && i < interfaces.size(); i++) {
      classPath = interfaces.get(i).classPath;
    }
    if (classPath == null && superclass != null) {
      classPath = superclass.classPath;
    }
    Map<String, Resource> methods = new HashMap<>();
    for (int i = interfaces.size() - 1; i >= 0; i--) {
      methods.putAll(interfaces.get(i).methods);
    }
    if (superclass != null) {
      methods.putAll(superclass.methods);
    }
    if (own != null) {
      methods.putAll(own.methods);
    }
    if (classPath == null && methods.isEmpty()) {
      return null;
    }
    return new Routes(classPath, onClass, methods);
  }

  /** What a resource method or locator passes: its full template (null in a class without {@code @Path}) and own path. */
  static final class Plan {
    final boolean locator;
    final String template;
    final String ownPath;
    /** Overrides a super type's woven resource method: it passes the route, the super's method makes the span. */
    final boolean routeOnly;

    Plan(boolean locator, String template, String ownPath, boolean routeOnly) {
      this.locator = locator;
      this.template = template;
      this.ownPath = ownPath;
      this.routeOnly = routeOnly;
    }

    @Override
    public String toString() {
      return (locator ? "locator " : "resource ") + template + " " + ownPath + (routeOnly ? " (route only)" : "");
    }
  }

  /** Name and descriptor of each resource method and locator a class declares, own annotations only; empty when none. */
  static Map<String, Plan> plans(byte[] bytes) {
    Survey survey = survey(bytes);
    return survey == null ? new HashMap<>() : plans(survey, survey.own(false));
  }

  /** The class's resource methods and locators: those it declares with a body, annotated or inheriting annotations. */
  static Map<String, Plan> plans(Survey survey, Routes resolved) {
    Map<String, Plan> plans = new HashMap<>();
    if (resolved == null) {
      return plans;
    }
    for (String method : survey.declared) {
      Resource own = survey.methods.get(method);
      Resource resource = own != null ? own : resolved.methods.get(method);
      if (resource == null || own == null && overridesWovenLocator(resource)) {
        continue;
      }
      plans.put(method, plan(resolved, resource, own == null && resource.code));
    }
    // a generic super method (T get(String)) is implemented by a method of another descriptor (String get(String)),
    // which the compiler's bridge of the super's erased descriptor calls. The implementing method takes the plan, as
    // Jersey calls it directly and RESTEasy through the bridge; unless it has annotations of its own (a plan already).
    // The bridge itself only when what it calls cannot be told.
    for (String bridge : survey.bridges) {
      Resource inherited = resolved.methods.get(bridge);
      if (inherited == null || overridesWovenLocator(inherited)) {
        continue;
      }
      String target = survey.bridged.get(bridge);
      if (target != null && survey.declared.contains(target)) {
        plans.putIfAbsent(target, plan(resolved, inherited, inherited.code));
      } else if (target == null && !plannedByName(plans, bridge.substring(0, bridge.indexOf('(')))) {
        plans.put(bridge, plan(resolved, inherited, inherited.code));
      }
    }
    return plans;
  }

  /**
   * An override of a super class's locator that has a body (woven where declared) is left alone: a locator extends the
   * chain each time it runs, so the override and the super's locator it calls would add their path twice. A resource
   * method is different: the first one entered names the request, and the second changes nothing.
   */
  private static boolean overridesWovenLocator(Resource inherited) {
    return inherited.code && !inherited.httpMethod;
  }

  private static Plan plan(Routes resolved, Resource resource, boolean routeOnly) {
    String ownPath = resource.path == null ? "" : template("", resource.path);
    return new Plan(!resource.httpMethod, resolved.classPath == null ? null : template(resolved.classPath, resource.path),
        ownPath.equals("/") ? "" : ownPath, routeOnly);
  }

  private static boolean plannedByName(Map<String, Plan> plans, String name) {
    for (String method : plans.keySet()) {
      if (method.startsWith(name) && method.charAt(name.length()) == '(') {
        return true;
      }
    }
    return false;
  }

  /**
   * The class's own JAX-RS annotations; {@code null} for a class file that cannot be read. Read by {@link
   * Survey#of}: this class is made at premain, and handing a visitor to ASM in its own code made verifying it load
   * the visitor and ASM's in every JVM, JAX-RS or not.
   */
  private static Survey survey(byte[] bytes) {
    return Survey.of(bytes);
  }

  /**
   * {@code /users/{id}} from {@code @Path("users")} and {@code @Path("{id: [0-9]+}")}: joined by one slash, with a
   * leading one and no trailing one, and each parameter's regular expression left out (the route names the
   * parameter; the expression is the framework's business and can be long).
   */
  static String template(String classPath, String methodPath) {
    StringBuilder out = new StringBuilder(classPath.length() + (methodPath == null ? 0 : methodPath.length()) + 2);
    for (String part : new String[] {classPath, methodPath}) {
      if (part == null) {
        continue;
      }
      for (String segment : withoutExpressions(part).split("/")) {
        if (!segment.isEmpty()) {
          out.append('/').append(segment);
        }
      }
    }
    return out.length() == 0 ? "/" : out.toString();
  }

  /** {@code {id: [0-9]{3}}} becomes {@code {id}}; braces inside the expression are counted, not taken as its end. */
  private static String withoutExpressions(String path) {
    StringBuilder out = new StringBuilder(path.length());
    int depth = 0;
    boolean inName = false;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (depth == 0) {
        if (c == '{') {
          depth = 1;
          inName = true;
        }
        out.append(c);
      } else if (c == '{') {
        depth++;
      } else if (c == '}') {
        if (--depth == 0) {
          out.append('}');
          inName = false;
        }
      } else if (c == ':' && depth == 1) {
        inName = false;
      } else if (inName && c != ' ') {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** A method's JAX-RS annotations: its path, whether it has an HTTP method, and whether it has a body (woven where declared). */
  static final class Resource {
    String path;
    boolean httpMethod;
    boolean code;
  }

  /** A type's JAX-RS annotations, its own and those it inherits, as its subtypes see them. Not changed once made. */
  static final class Routes {
    final String classPath;
    /** Whether the class path is a class's (its own or a super class's), which wins over an interface's. */
    final boolean classPathOnClass;
    /** Name and descriptor to annotations, of the methods with JAX-RS annotations. */
    final Map<String, Resource> methods;

    Routes(String classPath, boolean classPathOnClass, Map<String, Resource> methods) {
      this.classPath = classPath;
      this.classPathOnClass = classPathOnClass;
      this.methods = methods;
    }
  }

  /** Reads the class's and its public methods' JAX-RS annotations. */
  static final class Survey extends ClassVisitor {
    String classPath;
    final Map<String, Resource> methods = new HashMap<>();
    /** Name and descriptor of each public instance method with a body: those that can be woven. */
    final List<String> declared = new ArrayList<>();
    /** And of each public bridge method: a generic super method's erased form, calling the method it bridges. */
    final List<String> bridges = new ArrayList<>();
    /** Each bridge method to the method it calls on. */
    final Map<String, String> bridged = new HashMap<>();

    Survey() {
      super(Opcodes.ASM9);
    }

    static Survey of(byte[] bytes) {
      Survey survey = new Survey();
      try {
        new ClassReader(bytes).accept(survey, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES); // code: bridges' calls
      } catch (RuntimeException unreadable) {
        return null;
      }
      return survey;
    }

    boolean annotated() {
      return classPath != null || !methods.isEmpty();
    }

    /** Its own annotations as routes; {@code null} when it has none. */
    Routes own(boolean isInterface) {
      return annotated() ? new Routes(classPath, classPath != null && !isInterface, methods) : null;
    }

    @Override
    public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
      if (!PATH.contains(descriptor)) {
        return null;
      }
      return new AnnotationVisitor(Opcodes.ASM9) {
        @Override
        public void visit(String name, Object value) {
          if ("value".equals(name) && value instanceof String) {
            classPath = (String) value;
          }
        }
      };
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
      if ((access & Opcodes.ACC_PUBLIC) == 0 || (access & Opcodes.ACC_STATIC) != 0 || name.charAt(0) == '<') {
        return null;
      }
      if (DirectAdvice.isBridge(access, name)) {
        String bridge = name + descriptor;
        bridges.add(bridge);
        return new MethodVisitor(Opcodes.ASM9) { // its annotations are javac's copies of the bridged method's: not read
          @Override
          public void visitMethodInsn(int opcode, String owner, String called, String calledDescriptor, boolean isInterface) {
            if (called.equals(name) && !bridged.containsKey(bridge)) {
              bridged.put(bridge, called + calledDescriptor);
            }
          }
        };
      }
      if ((access & (Opcodes.ACC_BRIDGE | Opcodes.ACC_SYNTHETIC)) != 0) {
        return null;
      }
      String key = name + descriptor;
      boolean code = DirectAdvice.isCode(access, name);
      if (code) {
        declared.add(key);
      }
      Resource resource = new Resource();
      resource.code = code;
      return new MethodVisitor(Opcodes.ASM9) {
        @Override
        public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
          if (HTTP_METHODS.contains(annotation)) {
            resource.httpMethod = true;
            methods.put(key, resource);
            return null;
          }
          if (!PATH.contains(annotation)) {
            return null;
          }
          return new AnnotationVisitor(Opcodes.ASM9) {
            @Override
            public void visit(String name, Object value) {
              if ("value".equals(name) && value instanceof String) {
                resource.path = (String) value;
                methods.put(key, resource);
              }
            }
          };
        }
      };
    }
  }

  private static final class Selector implements DirectAdvice.Selector {
    private final Map<String, Plan> plans;
    private final String functionPrefix; // com.example.OrderResource. when spans are made too, else null

    Selector(Map<String, Plan> plans, String functionPrefix) {
      this.plans = plans;
      this.functionPrefix = functionPrefix;
    }

    @Override
    public boolean selectsBridges() {
      return true; // only those plans() chose: an inherited generic method's
    }

    @Override
    public DirectAdvice select(int access, String name, String descriptor) {
      Plan plan = plans.get(name + descriptor);
      if (plan == null) {
        return null;
      }
      if (plan.locator) {
        return functionPrefix == null || plan.routeOnly ? LOCATE.withConstants(plan.template, plan.ownPath)
            : LOCATE_AND_SPAN.withConstants(plan.template, plan.ownPath, functionPrefix + name);
      }
      return functionPrefix == null || plan.routeOnly ? ROUTE.withConstants(plan.template, plan.ownPath)
          : ROUTE_AND_SPAN.withConstants(plan.template, plan.ownPath, functionPrefix + name);
    }
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    // the classes already loaded at an attach: retransformed, and woven directly like the others
    return isAnnotatedWith(named("javax.ws.rs.Path").or(named("jakarta.ws.rs.Path")));
  }

  @Override
  public void transform(Advisor advisor) {
    // woven directly
  }
}
