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
 * runs them (Jersey, RESTEasy, CXF): a servlet mapped to {@code /api/*} gives every request the route {@code /api/*},
 * which makes {@code http.server.request.duration} one series for the whole API. Each resource method of a class
 * annotated {@code @Path}, one with an HTTP method annotation ({@code @GET} ...), is woven to pass its template (the
 * class's {@code @Path} and its own, {@code /users/{id}}, read from the class file when it is woven, a constant
 * string) to the request's span on entry; the servlet's path goes in front, as for Spring MVC's patterns. The first
 * resource method a request enters names it. With controller telemetry asked for, each resource method is also an
 * INTERNAL span, {@code OrderResource.order}, as Spring MVC's handler methods are ({@link ControllerSpans}).
 *
 * <p>Only classes whose constant pool names {@code Path} are read further: one look per loaded class. Not covered:
 * annotations inherited from an interface or a superclass, and sub-resource locators (their requests keep the
 * servlet's route, which is coarse but true). Agent class loader.
 */
final class JaxRsRoutes implements TypeInstrumentation {

  private static final DirectAdvice ROUTE =
      DirectAdvice.onEntry("io/weft/bridge/ServletBridge", "route", "(Ljava/lang/String;)V", DirectAdvice.CONSTANT);
  /** With controller telemetry: the route, and an INTERNAL span named after the method around its run. */
  private static final DirectAdvice ROUTE_AND_SPAN = DirectAdvice.around("io/weft/bridge/ServletBridge", "resource",
      "(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/Object;", "controllerExit", DirectAdvice.CONSTANT, DirectAdvice.SECOND_CONSTANT);

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

  private final ClassOutline.ConstantSet pathAnnotations =
      new ClassOutline.ConstantSet(new java.util.ArrayList<>(PATH));
  private final Consumer<String> debug;
  private final boolean controllerSpans;

  /** {@code controllerSpans}: controller telemetry is asked for, so each resource method is a span too. */
  JaxRsRoutes(Consumer<String> debug, boolean controllerSpans) {
    this.debug = debug;
    this.controllerSpans = controllerSpans;
  }

  @Override
  public boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
    return !classFile.isInterface() && classFile.hasAnyConstant(pathAnnotations);
  }

  @Override
  public boolean weavesDirectly() {
    return true;
  }

  @Override
  public byte[] weaveDirectly(ClassLoader loader, ClassOutline classFile, byte[] bytes) {
    Map<String, String> templates = templates(bytes);
    if (templates.isEmpty()) {
      return null;
    }
    String function = controllerSpans ? classFile.className() + "." : null;
    return DirectAdvice.weave(classFile.internalName(), bytes, new Selector(templates, function), debug);
  }

  /** Name and descriptor of each resource method of the class, to its route template. Empty when not a resource. */
  static Map<String, String> templates(byte[] bytes) {
    Survey survey = new Survey();
    try {
      new ClassReader(bytes).accept(survey, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    } catch (RuntimeException unreadable) {
      return new HashMap<>();
    }
    Map<String, String> templates = new HashMap<>();
    if (survey.classPath == null) {
      return templates; // no @Path on the class: a sub-resource, or one whose annotations live elsewhere
    }
    for (Map.Entry<String, Resource> method : survey.methods.entrySet()) {
      Resource resource = method.getValue();
      if (resource.httpMethod) {
        templates.put(method.getKey(), template(survey.classPath, resource.path));
      }
    }
    return templates;
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
    private final Map<String, String> templates;
    private final String functionPrefix; // com.example.OrderResource. when spans are made too, else null

    Selector(Map<String, String> templates, String functionPrefix) {
      this.templates = templates;
      this.functionPrefix = functionPrefix;
    }

    @Override
    public DirectAdvice select(int access, String name, String descriptor) {
      String template = templates.get(name + descriptor);
      if (template == null) {
        return null;
      }
      return functionPrefix == null ? ROUTE.withConstant(template) : ROUTE_AND_SPAN.withConstants(template, functionPrefix + name);
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
