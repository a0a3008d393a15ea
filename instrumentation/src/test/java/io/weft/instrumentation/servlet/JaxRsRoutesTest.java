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
      assertTrue(routes.mayWeave(null, outline));
      byte[] woven = routes.weaveDirectly(null, outline, resource);
      assertEquals(List.of("list:route /users ", "get:route /users/{id} /{id}", "replace:route /users/{id} /{id}",
          "orders:locate /users/{id}/orders /{id}/orders"), bridgeCalls(woven), pkg);

      // with controller telemetry: the route and a span around each resource method, named after it
      byte[] withSpans = new JaxRsRoutes(line -> { }, true).weaveDirectly(null, outline, resource);
      assertEquals(List.of("list:resource /users  com.example.Users.list", "list:controllerExit", "list:controllerExit",
          "get:resource /users/{id} /{id} com.example.Users.get", "get:controllerExit", "get:controllerExit",
          "replace:resource /users/{id} /{id} com.example.Users.replace", "replace:controllerExit", "replace:controllerExit",
          "orders:locate /users/{id}/orders /{id}/orders"), bridgeCalls(withSpans), pkg + ": exits on return and on a throw");

      // no @Path on the class: a sub-resource, whose methods extend a locator's template (null: nothing to start with)
      byte[] subResource = resourceClass(pkg, null);
      assertEquals(List.of("list:route null ", "get:route null /{id}", "replace:route null /{id}", "orders:locate null /{id}/orders"),
          bridgeCalls(routes.weaveDirectly(null, new ClassOutline("com/example/Users", subResource), subResource)));
    }
    assertFalse(new JaxRsRoutes(line -> { }, false).mayWeave(null, new ClassOutline("com/example/Plain", plainClass())),
        "a class that names no JAX-RS annotation is not read further");
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
              calls.add(name + ":" + method + (method.equals("controllerExit") ? "" : " " + String.join(" ", constants)));
            }
            constants.clear();
          }
        };
      }
    }, 0);
    return calls;
  }
}
