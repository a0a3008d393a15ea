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
  void onlyResourceMethodsOfAPathAnnotatedClassGetTheirTemplate() {
    for (String pkg : new String[] {"javax", "jakarta"}) {
      byte[] resource = resourceClass(pkg, "users");
      Map<String, String> templates = JaxRsRoutes.templates(resource);
      assertEquals(Map.of(
          "list()Ljava/lang/String;", "/users",
          "get(Ljava/lang/String;)Ljava/lang/String;", "/users/{id}",
          "replace(Ljava/lang/String;)V", "/users/{id}"), templates, pkg);

      JaxRsRoutes routes = new JaxRsRoutes(line -> { }, false);
      ClassOutline outline = new ClassOutline("com/example/Users", resource);
      assertTrue(routes.mayWeave(null, outline));
      byte[] woven = routes.weaveDirectly(null, outline, resource);
      assertEquals(List.of("list:/users", "get:/users/{id}", "replace:/users/{id}"), routeCalls(woven), pkg);

      // with controller telemetry: the route and a span around the method, named after it
      byte[] withSpans = new JaxRsRoutes(line -> { }, true).weaveDirectly(null, outline, resource);
      assertEquals(List.of("list:/users com.example.Users.list", "list:exit", "list:exit", // on return, and on a throw
          "get:/users/{id} com.example.Users.get", "get:exit", "get:exit",
          "replace:/users/{id} com.example.Users.replace", "replace:exit", "replace:exit"), routeCalls(withSpans), pkg);

      byte[] subResource = resourceClass(pkg, null);
      assertEquals(Map.of(), JaxRsRoutes.templates(subResource), "no @Path on the class: a sub-resource, left alone");
      assertNull(routes.weaveDirectly(null, new ClassOutline("com/example/Users", subResource), subResource));
    }
    byte[] plain = plainClass();
    assertFalse(new JaxRsRoutes(line -> { }, false).mayWeave(null, new ClassOutline("com/example/Plain", plain)),
        "a class that names no @Path is not read further");
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

  /** Each method that calls ServletBridge.route, with the constant it passes. */
  private static List<String> routeCalls(byte[] classFile) {
    List<String> calls = new ArrayList<>();
    new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
        return new MethodVisitor(Opcodes.ASM9) {
          private final List<Object> constants = new ArrayList<>();

          @Override
          public void visitLdcInsn(Object value) {
            constants.add(value);
          }

          @Override
          public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
            if (owner.equals("io/weft/bridge/ServletBridge") && (method.equals("route") || method.equals("resource"))) {
              calls.add(name + ":" + String.join(" ", constants.stream().map(String::valueOf).toArray(String[]::new)));
            }
            if (owner.equals("io/weft/bridge/ServletBridge") && method.equals("controllerExit")) {
              calls.add(name + ":exit");
            }
            constants.clear();
          }
        };
      }
    }, 0);
    return calls;
  }
}
