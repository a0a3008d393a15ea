package io.weft.instrumentation.servlet;

import static net.bytebuddy.matcher.ElementMatchers.isAnnotatedWith;
import static net.bytebuddy.matcher.ElementMatchers.named;

import io.weft.instrumentation.ClassOutline;
import io.weft.instrumentation.DirectAdvice;
import io.weft.instrumentation.TypeInstrumentation;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
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
 * INTERNAL span, {@code OrderResource.order}, as Spring MVC's handler methods are ({@link ControllerSpans}).
 *
 * <p>Sub-resource locators (a method with {@code @Path} and no HTTP method) pass their template as a start, and the
 * methods of the object they return (a class without {@code @Path}) add their own path to it: {@code
 * /orders/{id}/lines/{line}}. A request whose locator chain ends in no woven method keeps the servlet's route, coarse
 * but true ({@link ServerRequest#frameworkTemplate}).
 *
 * <p>Only classes whose constant pool names {@code Path} or an HTTP method annotation are read further: one look per
 * loaded class. Not covered: annotations inherited from an interface or a superclass. Agent class loader.
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

  private final ClassOutline.ConstantSet annotations = annotations();
  private final Consumer<String> debug;
  private final boolean controllerSpans;

  /** {@code controllerSpans}: controller telemetry is asked for, so each resource method is a span too. */
  JaxRsRoutes(Consumer<String> debug, boolean controllerSpans) {
    this.debug = debug;
    this.controllerSpans = controllerSpans;
  }

  @Override
  public boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
    return !classFile.isInterface() && classFile.hasAnyConstant(annotations);
  }

  @Override
  public boolean weavesDirectly() {
    return true;
  }

  private static ClassOutline.ConstantSet annotations() {
    java.util.List<String> all = new java.util.ArrayList<>(PATH);
    all.addAll(HTTP_METHODS);
    return new ClassOutline.ConstantSet(all);
  }

  @Override
  public byte[] weaveDirectly(ClassLoader loader, ClassOutline classFile, byte[] bytes) {
    Map<String, Plan> plans = plans(bytes);
    if (plans.isEmpty()) {
      return null;
    }
    String function = controllerSpans ? classFile.className() + "." : null;
    return DirectAdvice.weave(classFile.internalName(), bytes, new Selector(plans, function), debug);
  }

  /** What a resource method or locator passes: its full template (null in a class without {@code @Path}) and own path. */
  static final class Plan {
    final boolean locator;
    final String template;
    final String ownPath;

    Plan(boolean locator, String template, String ownPath) {
      this.locator = locator;
      this.template = template;
      this.ownPath = ownPath;
    }

    @Override
    public String toString() {
      return (locator ? "locator " : "resource ") + template + " " + ownPath;
    }
  }

  /** Name and descriptor of each resource method and locator of the class, to its plan. Empty when there is none. */
  static Map<String, Plan> plans(byte[] bytes) {
    Survey survey = new Survey();
    try {
      new ClassReader(bytes).accept(survey, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    } catch (RuntimeException unreadable) {
      return new HashMap<>();
    }
    Map<String, Plan> plans = new HashMap<>();
    for (Map.Entry<String, Resource> method : survey.methods.entrySet()) {
      Resource resource = method.getValue();
      if (!resource.httpMethod && resource.path == null) {
        continue;
      }
      String own = resource.path == null ? "" : template("", resource.path);
      plans.put(method.getKey(), new Plan(!resource.httpMethod, survey.classPath == null ? null : template(survey.classPath, resource.path),
          own.equals("/") ? "" : own));
    }
    return plans;
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

  private static final class Resource {
    String path;
    boolean httpMethod;
  }

  /** Reads the class's and its public methods' JAX-RS annotations. */
  private static final class Survey extends ClassVisitor {
    String classPath;
    final Map<String, Resource> methods = new HashMap<>();

    Survey() {
      super(Opcodes.ASM9);
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
      if ((access & Opcodes.ACC_PUBLIC) == 0 || (access & Opcodes.ACC_STATIC) != 0 || !DirectAdvice.isCode(access, name)) {
        return null;
      }
      Resource resource = new Resource();
      methods.put(name + descriptor, resource);
      return new MethodVisitor(Opcodes.ASM9) {
        @Override
        public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
          if (HTTP_METHODS.contains(annotation)) {
            resource.httpMethod = true;
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
    public DirectAdvice select(int access, String name, String descriptor) {
      Plan plan = plans.get(name + descriptor);
      if (plan == null) {
        return null;
      }
      if (plan.locator) {
        return LOCATE.withConstants(plan.template, plan.ownPath);
      }
      return functionPrefix == null ? ROUTE.withConstants(plan.template, plan.ownPath)
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
