package io.weft.instrumentation.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.instrumentation.ClassOutline;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

/** Which methods of a class are JAX-RS resource methods, their templates, and the constant woven into each. */
class JaxRsRoutesTest {

  /** The class loader the woven classes are said to come from. */
  private static final ClassLoader LOADER = JaxRsRoutesTest.class.getClassLoader();

  @Test
  void templatesJoinClassAndMethodPathsWithoutExpressions() {
    assertEquals("/users/{id}", JaxRsRoutes.template("users", "{id}"));
    assertEquals("/users/{id}", JaxRsRoutes.template("/users/", "/{id}/"));
    assertEquals("/users", JaxRsRoutes.template("/users", null));
    assertEquals("/", JaxRsRoutes.template("/", null));
    assertEquals("/", JaxRsRoutes.template("", ""));
    assertEquals("/a/b/c", JaxRsRoutes.template("a//b", "c"));
    assertEquals("/users/{id}/orders/{order}", JaxRsRoutes.template("users/{ id : [0-9]+ }", "orders/{order: \\d{3}-[a-z]{2}}"));
    assertEquals("/files/{path}", JaxRsRoutes.template("files", "{path: .+/.*}"), "a slash inside an expression is no segment");
    assertEquals("/v{version}/items", JaxRsRoutes.template("v{version: [12]}", "items"));
  }

  @Test
  void resourceMethodsAndLocatorsPassTheirTemplatesAsConstants() {
    for (String pkg : new String[] {"javax", "jakarta"}) {
      byte[] resource = resourceClass(pkg, "users");
      assertEquals(Map.of(
          "list()Ljava/lang/String;", "resource /users ",
          "get(Ljava/lang/String;)Ljava/lang/String;", "resource /users/{id} /{id}",
          "replace(Ljava/lang/String;)V", "resource /users/{id} /{id}",
          "orders(Ljava/lang/String;)Ljava/lang/Object;", "locator /users/{id}/orders /{id}/orders"), plans(resource), pkg);

      JaxRsRoutes routes = new JaxRsRoutes(line -> { }, false);
      ClassOutline outline = new ClassOutline("com/example/Users", resource);
      assertTrue(routes.mayWeave(LOADER, outline));
      byte[] woven = routes.weaveDirectly(LOADER, outline, resource);
      assertEquals(List.of("list:route /users ", "get:route /users/{id} /{id}", "replace:route /users/{id} /{id}",
          "orders:locate /users/{id}/orders /{id}/orders"), bridgeCalls(woven), pkg);

      // with controller telemetry: the route and a span around each resource method, named after it
      byte[] withSpans = new JaxRsRoutes(line -> { }, true).weaveDirectly(LOADER, outline, resource);
      assertEquals(List.of("list:resource /users  com.example.Users.list", "list:controllerExit", "list:controllerExit",
          "get:resource /users/{id} /{id} com.example.Users.get", "get:controllerExit", "get:controllerExit",
          "replace:resource /users/{id} /{id} com.example.Users.replace", "replace:controllerExit", "replace:controllerExit",
          "orders:locator /users/{id}/orders /{id}/orders com.example.Users.orders", "orders:controllerExit", "orders:controllerExit"),
          bridgeCalls(withSpans), pkg + ": exits on return and on a throw; a locator is a span too");

      // no @Path on the class: a sub-resource, whose methods extend a locator's template (null: nothing to start with)
      byte[] subResource = resourceClass(pkg, null);
      assertEquals(List.of("list:route null ", "get:route null /{id}", "replace:route null /{id}", "orders:locate null /{id}/orders"),
          bridgeCalls(routes.weaveDirectly(LOADER, new ClassOutline("com/example/Users", subResource), subResource)));
    }
    assertFalse(new JaxRsRoutes(line -> { }, false).mayWeave(LOADER, new ClassOutline("com/example/Plain", plainClass())),
        "a class that names no JAX-RS annotation is not read further");
  }

  @Test
  void anImplementationWovenAfterItsInterfaceTakesTheInterfacesAnnotations() {
    List<String> reweaves = new ArrayList<>();
    JaxRsRoutes routes = routes(false, reweaves);
    byte[] api = usersApi();
    ClassOutline apiOutline = new ClassOutline("com/example/UsersApi", api);
    assertTrue(routes.mayWeave(LOADER, apiOutline), "an interface with annotations is read, for its implementations");
    assertNull(routes.weaveDirectly(LOADER, apiOutline, api), "an interface has no code to weave");
    assertEquals(List.of("com/example/UsersApi"), reweaves, "implementations loaded before it are woven again");

    byte[] impl = impl("com/example/UsersImpl", "java/lang/Object", "com/example/UsersApi");
    ClassOutline implOutline = new ClassOutline("com/example/UsersImpl", impl);
    assertTrue(routes.mayWeave(LOADER, implOutline), "it names no JAX-RS annotation, but implements a remembered interface");
    assertEquals(List.of("get:route /users/{id} /{id}", "list:route /users "), bridgeCalls(routes.weaveDirectly(LOADER, implOutline, impl)));
    assertEquals(List.of("com/example/UsersApi"), reweaves, "a class without annotations of its own asks for nothing");

    JaxRsRoutes withSpans = routes(true, new ArrayList<>());
    withSpans.weaveDirectly(LOADER, apiOutline, api);
    assertEquals(List.of("get:resource /users/{id} /{id} com.example.UsersImpl.get", "get:controllerExit", "get:controllerExit",
        "list:resource /users  com.example.UsersImpl.list", "list:controllerExit", "list:controllerExit"),
        bridgeCalls(withSpans.weaveDirectly(LOADER, implOutline, impl)),
        "the implementation's methods are the controller spans: the interface's have no body");

    byte[] subclass = impl("com/example/MoreUsers", "com/example/UsersImpl");
    ClassOutline subclassOutline = new ClassOutline("com/example/MoreUsers", subclass);
    assertTrue(routes.mayWeave(LOADER, subclassOutline), "a subclass of a woven implementation inherits through it");
    assertEquals(List.of("get:route /users/{id} /{id}", "list:route /users "), bridgeCalls(routes.weaveDirectly(LOADER, subclassOutline, subclass)));

    String proxy = "com/example/UsersImpl$$SpringCGLIB$$0";
    assertFalse(routes.mayWeave(LOADER, new ClassOutline(proxy, impl(proxy, "com/example/UsersImpl"))),
        "a generated subclass calls the woven method; woven too, it would pass the route again and make a second span");
    assertFalse(routes.mayWeave(LOADER, new ClassOutline("jdk/proxy2/$Proxy12", impl("jdk/proxy2/$Proxy12", "java/lang/Object", "com/example/UsersApi"))),
        "a client proxy of the interface is no resource");
    assertFalse(routes.mayWeave(LOADER, new ClassOutline("com/example/Other", impl("com/example/Other", "java/lang/Object"))),
        "no remembered super type");
  }

  @Test
  void aClassLoadedBeforeItsInterfaceIsWovenWhenRetransformed() throws Exception {
    byte[] api = usersApi();
    byte[] between = impl("com/example/Between", "java/lang/Object", "com/example/UsersApi");
    byte[] leaf = impl("com/example/Leaf", "com/example/Between");
    Classes classes = new Classes(Map.of("com.example.UsersApi", api, "com.example.Between", between, "com.example.Leaf", leaf));
    Class<?> loaded = classes.loadClass("com.example.Leaf");
    JaxRsRoutes routes = routes(false, new ArrayList<>());
    ClassOutline defined = new ClassOutline("com/example/Leaf", leaf);
    assertFalse(routes.mayWeave(classes, defined), "defined before anything with annotations was seen");
    routes.weaveDirectly(classes, new ClassOutline("com/example/UsersApi", api), api);
    assertFalse(routes.mayWeave(classes, defined), "defined: only its direct super types are known, and Between was never remembered");

    // retransformed: its loaded super types are looked up, through one that names no annotation itself
    ClassOutline retransformed = new ClassOutline("com/example/Leaf", leaf, loaded);
    assertTrue(routes.mayWeave(classes, retransformed));
    assertEquals(List.of("get:route /users/{id} /{id}", "list:route /users "), bridgeCalls(routes.weaveDirectly(classes, retransformed, leaf)));

    // another loader's type of the same name, with other annotations, changes nothing here; its own subtypes see it
    byte[] otherApi = rename(usersApi(), "users", "people");
    Classes otherApp = new Classes(Map.of("com.example.UsersApi", otherApi));
    routes.weaveDirectly(otherApp, new ClassOutline("com/example/UsersApi", otherApi), otherApi);
    assertEquals(List.of("get:route /users/{id} /{id}", "list:route /users "), bridgeCalls(routes.weaveDirectly(classes, retransformed, leaf)));
    byte[] otherImpl = impl("com/example/UsersImpl", "java/lang/Object", "com/example/UsersApi");
    assertEquals(List.of("get:route /people/{id} /{id}", "list:route /people "),
        bridgeCalls(routes.weaveDirectly(otherApp, new ClassOutline("com/example/UsersImpl", otherImpl), otherImpl)));
    Classes child = new Classes(Map.of(), otherApp);
    assertEquals(List.of("get:route /people/{id} /{id}", "list:route /people "),
        bridgeCalls(routes.weaveDirectly(child, new ClassOutline("com/example/UsersImpl", otherImpl), otherImpl)),
        "a class of a child loader sees its parent's type");
    assertFalse(routes.mayWeave(LOADER, new ClassOutline("com/example/UsersImpl", otherImpl)),
        "a loader that is neither, nor their child, sees neither");
  }

  /** The class file with one string constant replaced: the interface's @Path value. */
  private static byte[] rename(byte[] classFile, String from, String to) {
    ClassWriter writer = new ClassWriter(0);
    new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9, writer) {
      @Override
      public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
        return new AnnotationVisitor(Opcodes.ASM9, super.visitAnnotation(descriptor, visible)) {
          @Override
          public void visit(String name, Object value) {
            super.visit(name, from.equals(value) ? to : value);
          }
        };
      }
    }, 0);
    return writer.toByteArray();
  }

  @Test
  void ownAnnotationsWinAndASuperClassPathWinsOverAnInterfaces() {
    JaxRsRoutes routes = routes(true, new ArrayList<>());
    byte[] api = usersApi();
    routes.weaveDirectly(LOADER, new ClassOutline("com/example/UsersApi", api), api);
    // an abstract base class with its own @Path("base") and list() with a body, implementing the interface
    ClassWriter baseWriter = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    baseWriter.visit(Opcodes.V11, Opcodes.ACC_PUBLIC | Opcodes.ACC_ABSTRACT, "com/example/Base", null, "java/lang/Object",
        new String[] {"com/example/UsersApi"});
    path(baseWriter.visitAnnotation("Ljavax/ws/rs/Path;", true), "base");
    method(baseWriter, "list", "()Ljava/lang/String;", "Ljavax/ws/rs/GET;", null, null);
    method(baseWriter, "orders", "(Ljava/lang/String;)Ljava/lang/Object;", null, "Ljavax/ws/rs/Path;", "{id}/orders"); // a locator
    baseWriter.visitEnd();
    byte[] base = baseWriter.toByteArray();
    assertEquals(List.of("list:resource /base  com.example.Base.list", "list:controllerExit", "list:controllerExit",
        "orders:locator /base/{id}/orders /{id}/orders com.example.Base.orders", "orders:controllerExit", "orders:controllerExit"),
        bridgeCalls(routes.weaveDirectly(LOADER, new ClassOutline("com/example/Base", base), base)));

    // list() overrides the base's woven method: the route only, the span is the base's; get(id) is the interface's, under the
    // base's path; replace(id) has annotations of its own; orders(id) is left to the base's locator, which would
    // otherwise add its path to the chain a second time when the override calls it
    ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    writer.visit(Opcodes.V11, Opcodes.ACC_PUBLIC, "com/example/Sub", null, "com/example/Base", null);
    method(writer, "list", "()Ljava/lang/String;", null, null, null);
    method(writer, "get", "(Ljava/lang/String;)Ljava/lang/String;", null, null, null);
    method(writer, "replace", "(Ljava/lang/String;)V", "Ljavax/ws/rs/POST;", "Ljavax/ws/rs/Path;", "{id}/replace");
    method(writer, "orders", "(Ljava/lang/String;)Ljava/lang/Object;", null, null, null); // overrides the base's woven locator
    writer.visitEnd();
    byte[] sub = writer.toByteArray();
    assertEquals(List.of("list:route /base ",
        "get:resource /base/{id} /{id} com.example.Sub.get", "get:controllerExit", "get:controllerExit",
        "replace:resource /base/{id}/replace /{id}/replace com.example.Sub.replace", "replace:controllerExit", "replace:controllerExit"),
        bridgeCalls(routes.weaveDirectly(LOADER, new ClassOutline("com/example/Sub", sub), sub)));
  }

  @Test
  void aGenericInterfaceMethodIsImplementedByTheMethodItsBridgeCalls() {
    JaxRsRoutes routes = routes(true, new ArrayList<>());
    // @Path("things") interface CrudApi<T> { @GET @Path("{id}") T get(String id); }
    ClassWriter api = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    api.visit(Opcodes.V11, Opcodes.ACC_PUBLIC | Opcodes.ACC_INTERFACE | Opcodes.ACC_ABSTRACT, "com/example/CrudApi", null, "java/lang/Object", null);
    path(api.visitAnnotation("Ljavax/ws/rs/Path;", true), "things");
    MethodVisitor get = api.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_ABSTRACT, "get", "(Ljava/lang/String;)Ljava/lang/Object;", null, null);
    get.visitAnnotation("Ljavax/ws/rs/GET;", true).visitEnd();
    path(get.visitAnnotation("Ljavax/ws/rs/Path;", true), "{id}");
    get.visitEnd();
    api.visitEnd();
    byte[] apiBytes = api.toByteArray();
    routes.weaveDirectly(LOADER, new ClassOutline("com/example/CrudApi", apiBytes), apiBytes);

    // class Things implements CrudApi<String>: String get(String), and javac's bridge Object get(String) calling it
    byte[] things = generic(false);
    String real = "get(Ljava/lang/String;)Ljava/lang/String;";
    assertEquals(List.of(real + ":resource /things/{id} /{id} com.example.Things.get", real + ":controllerExit", real + ":controllerExit"),
        bridgeCalls(routes.weaveDirectly(LOADER, new ClassOutline("com/example/Things", things), things), true),
        "the method the bridge calls, once: Jersey calls it directly, RESTEasy through the bridge");

    // with annotations of its own on the real method (javac copies them to the bridge): the real method, never the bridge too
    byte[] annotated = generic(true);
    assertEquals(List.of(real + ":resource /things/{id}/own /{id}/own com.example.Things.get", real + ":controllerExit", real + ":controllerExit"),
        bridgeCalls(routes.weaveDirectly(LOADER, new ClassOutline("com/example/Things", annotated), annotated), true));
  }

  /** {@code class Things implements CrudApi}: String get(String), annotated {@code @GET @Path("{id}/own")} or not, and its bridge. */
  private static byte[] generic(boolean annotated) {
    ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    writer.visit(Opcodes.V11, Opcodes.ACC_PUBLIC, "com/example/Things", null, "java/lang/Object", new String[] {"com/example/CrudApi"});
    if (annotated) {
      method(writer, "get", "(Ljava/lang/String;)Ljava/lang/String;", "Ljavax/ws/rs/GET;", "Ljavax/ws/rs/Path;", "{id}/own");
    } else {
      method(writer, "get", "(Ljava/lang/String;)Ljava/lang/String;", null, null, null);
    }
    MethodVisitor bridge = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_BRIDGE | Opcodes.ACC_SYNTHETIC, "get",
        "(Ljava/lang/String;)Ljava/lang/Object;", null, null);
    if (annotated) {
      bridge.visitAnnotation("Ljavax/ws/rs/GET;", true).visitEnd();
      path(bridge.visitAnnotation("Ljavax/ws/rs/Path;", true), "{id}/own");
    }
    bridge.visitCode();
    bridge.visitVarInsn(Opcodes.ALOAD, 0);
    bridge.visitVarInsn(Opcodes.ALOAD, 1);
    bridge.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "com/example/Things", "get", "(Ljava/lang/String;)Ljava/lang/String;", false);
    bridge.visitInsn(Opcodes.ARETURN);
    bridge.visitMaxs(0, 0);
    bridge.visitEnd();
    writer.visitEnd();
    return writer.toByteArray();
  }

  private static JaxRsRoutes routes(boolean controllerSpans, List<String> reweaves) {
    JaxRsRoutes routes = new JaxRsRoutes(line -> { }, controllerSpans);
    routes.reweaveWith((loader, name) -> reweaves.add(name));
    return routes;
  }

  /** {@code @Path("users") interface UsersApi}: list() @GET, get(id) @GET @Path("{id}"), both abstract. */
  private static byte[] usersApi() {
    ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    writer.visit(Opcodes.V11, Opcodes.ACC_PUBLIC | Opcodes.ACC_INTERFACE | Opcodes.ACC_ABSTRACT, "com/example/UsersApi", null,
        "java/lang/Object", null);
    path(writer.visitAnnotation("Ljavax/ws/rs/Path;", true), "users");
    MethodVisitor get = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_ABSTRACT, "get", "(Ljava/lang/String;)Ljava/lang/String;", null, null);
    get.visitAnnotation("Ljavax/ws/rs/GET;", true).visitEnd();
    path(get.visitAnnotation("Ljavax/ws/rs/Path;", true), "{id}");
    get.visitEnd();
    MethodVisitor list = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_ABSTRACT, "list", "()Ljava/lang/String;", null, null);
    list.visitAnnotation("Ljavax/ws/rs/GET;", true).visitEnd();
    list.visitEnd();
    writer.visitEnd();
    return writer.toByteArray();
  }

  /** A class without annotations: get(id), list() and helper(), with bodies. */
  private static byte[] impl(String name, String superName, String... interfaces) {
    ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    writer.visit(Opcodes.V11, Opcodes.ACC_PUBLIC, name, null, superName, interfaces);
    MethodVisitor init = writer.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
    init.visitCode();
    init.visitVarInsn(Opcodes.ALOAD, 0);
    init.visitMethodInsn(Opcodes.INVOKESPECIAL, superName, "<init>", "()V", false);
    init.visitInsn(Opcodes.RETURN);
    init.visitMaxs(0, 0);
    init.visitEnd();
    method(writer, "get", "(Ljava/lang/String;)Ljava/lang/String;", null, null, null);
    method(writer, "list", "()Ljava/lang/String;", null, null, null);
    method(writer, "helper", "()Ljava/lang/String;", null, null, null);
    writer.visitEnd();
    return writer.toByteArray();
  }

  /** Defines the given classes, by binary name, and delegates the rest. */
  private static final class Classes extends ClassLoader {
    private final Map<String, byte[]> classes;

    Classes(Map<String, byte[]> classes) {
      this(classes, JaxRsRoutesTest.class.getClassLoader());
    }

    Classes(Map<String, byte[]> classes, ClassLoader parent) {
      super(parent);
      this.classes = classes;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      byte[] bytes = classes.get(name);
      if (bytes == null) {
        throw new ClassNotFoundException(name);
      }
      return defineClass(name, bytes, 0, bytes.length);
    }
  }

  private static Map<String, String> plans(byte[] classFile) {
    Map<String, String> plans = new java.util.HashMap<>();
    JaxRsRoutes.plans(classFile).forEach((method, plan) -> plans.put(method, plan.toString()));
    return plans;
  }

  @Test
  void onByDefaultAndSwitchedOffLikeTheOpenTelemetryAgentsJaxRsInstrumentation() {
    assertEquals(1, jaxRs(Map.of()));
    assertEquals(0, jaxRs(Map.of("otel.instrumentation.jaxrs.enabled", "false")));
    assertEquals(0, jaxRs(Map.of("otel.instrumentation.common.default-enabled", "false")));
    assertEquals(1, jaxRs(Map.of("otel.instrumentation.common.default-enabled", "false", "otel.instrumentation.jaxrs.enabled", "true")));
  }

  private static long jaxRs(Map<String, String> settings) {
    return new ServletInstrumentation().typeInstrumentations(new io.weft.instrumentation.MapConfig(settings)).stream()
        .filter(type -> type instanceof JaxRsRoutes).count();
  }

  /** A resource class: list() @GET, get(id) @GET @Path("{id: [0-9]+}"), replace(id) @PUT @Path("{id}"), a locator, a helper. */
  private static byte[] resourceClass(String pkg, String classPath) {
    String api = "L" + pkg + "/ws/rs/";
    ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    writer.visit(Opcodes.V11, Opcodes.ACC_PUBLIC, "com/example/Users", null, "java/lang/Object", null);
    if (classPath != null) {
      path(writer.visitAnnotation(api + "Path;", true), classPath);
    }
    method(writer, "list", "()Ljava/lang/String;", api + "GET;", null, null);
    method(writer, "get", "(Ljava/lang/String;)Ljava/lang/String;", api + "GET;", api + "Path;", "{id: [0-9]+}");
    method(writer, "replace", "(Ljava/lang/String;)V", api + "PUT;", api + "Path;", "{id}");
    method(writer, "orders", "(Ljava/lang/String;)Ljava/lang/Object;", null, api + "Path;", "{id}/orders"); // a locator
    method(writer, "helper", "()Ljava/lang/String;", null, null, null);
    writer.visitEnd();
    return writer.toByteArray();
  }

  private static byte[] plainClass() {
    ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    writer.visit(Opcodes.V11, Opcodes.ACC_PUBLIC, "com/example/Plain", null, "java/lang/Object", null);
    method(writer, "list", "()Ljava/lang/String;", null, null, null);
    writer.visitEnd();
    return writer.toByteArray();
  }

  private static void method(ClassWriter writer, String name, String descriptor, String httpMethod, String pathAnnotation, String path) {
    MethodVisitor method = writer.visitMethod(Opcodes.ACC_PUBLIC, name, descriptor, null, null);
    if (httpMethod != null) {
      method.visitAnnotation(httpMethod, true).visitEnd();
    }
    if (pathAnnotation != null) {
      path(method.visitAnnotation(pathAnnotation, true), path);
    }
    method.visitCode();
    if (descriptor.endsWith("V")) {
      method.visitInsn(Opcodes.RETURN);
    } else {
      method.visitInsn(Opcodes.ACONST_NULL);
      method.visitInsn(Opcodes.ARETURN);
    }
    method.visitMaxs(0, 0);
    method.visitEnd();
  }

  private static void path(AnnotationVisitor annotation, String value) {
    annotation.visit("value", value);
    annotation.visitEnd();
  }

  /** Each call a method makes to ServletBridge, with the constants it passes ({@code null} for an ACONST_NULL). */
  private static List<String> bridgeCalls(byte[] classFile) {
    return bridgeCalls(classFile, false);
  }

  /** As {@link #bridgeCalls(byte[])}, each call under its method's name and, {@code descriptors}, its descriptor. */
  private static List<String> bridgeCalls(byte[] classFile, boolean descriptors) {
    List<String> calls = new ArrayList<>();
    new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
        return new MethodVisitor(Opcodes.ASM9) {
          private final List<String> constants = new ArrayList<>();

          @Override
          public void visitLdcInsn(Object value) {
            constants.add(String.valueOf(value));
          }

          @Override
          public void visitInsn(int opcode) {
            if (opcode == Opcodes.ACONST_NULL) {
              constants.add("null");
            }
          }

          @Override
          public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
            if (owner.equals("io/weft/bridge/ServletBridge")) {
              calls.add(name + (descriptors ? descriptor : "") + ":" + method
                  + (method.equals("controllerExit") ? "" : " " + String.join(" ", constants)));
            }
            constants.clear();
          }
        };
      }
    }, 0);
    return calls;
  }
}
