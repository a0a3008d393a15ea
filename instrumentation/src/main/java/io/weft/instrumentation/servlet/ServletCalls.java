package io.weft.instrumentation.servlet;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * The calls {@link ServletAccessor} makes into one copy of the servlet API, one method per handle, in
 * the order of {@link #NAMES}. Handles kept in fields are not constants to the JIT: each call goes
 * through the handle's lambda forms and is never inlined, about a third of what servlet tracing cost a
 * request under load. So, where the JVM can (JDK 16+), {@link #of} spins a hidden class per servlet API
 * whose {@code static final} fields hold the handles, given to it as class data: static finals are
 * constants, and each call is inlined down to the container's own method. Elsewhere, or if that fails,
 * the handles are called from an array as before. The hidden class lives in the agent's loader, refers
 * to nothing but {@code java.base} and can be unloaded with the servlet API it reads. Agent class loader.
 */
abstract class ServletCalls {

  /** The handle order; each name is a method below whose descriptor is its handle's type. */
  static final List<String> NAMES = Arrays.asList(
      "method", "scheme", "requestUri", "queryString", "serverName", "serverPort", "remoteAddr", "protocol",
      "contextPath", "header", "headers", "headerNames", "dispatcherType", "attribute", "setAttribute",
      "isAsyncStarted", "asyncContext", "mappingPattern", "status", "isCommitted", "responseHeaders",
      "addListener", "eventThrowable", "eventAsyncContext", "parameterValues", "asyncTimeout", "servletPath", "pathInfo",
      "servletContext");

  abstract String method(Object request) throws Throwable;

  abstract String scheme(Object request) throws Throwable;

  abstract String requestUri(Object request) throws Throwable;

  abstract String queryString(Object request) throws Throwable;

  abstract String serverName(Object request) throws Throwable;

  abstract int serverPort(Object request) throws Throwable;

  abstract String remoteAddr(Object request) throws Throwable;

  abstract String protocol(Object request) throws Throwable;

  abstract String contextPath(Object request) throws Throwable;

  abstract String header(Object request, String name) throws Throwable;

  abstract Enumeration<?> headers(Object request, String name) throws Throwable;

  abstract Enumeration<?> headerNames(Object request) throws Throwable;

  abstract Object dispatcherType(Object request) throws Throwable;

  abstract Object attribute(Object request, String name) throws Throwable;

  abstract void setAttribute(Object request, String name, Object value) throws Throwable;

  abstract boolean isAsyncStarted(Object request) throws Throwable;

  abstract Object asyncContext(Object request) throws Throwable;

  /** Only when the API has it (Servlet 4+): the handle is null otherwise. */
  abstract String mappingPattern(Object request) throws Throwable;

  abstract int status(Object response) throws Throwable;

  abstract boolean isCommitted(Object response) throws Throwable;

  abstract Collection<?> responseHeaders(Object response, String name) throws Throwable;

  abstract void addListener(Object asyncContext, Object listener) throws Throwable;

  abstract Throwable eventThrowable(Object event) throws Throwable;

  abstract Object eventAsyncContext(Object event) throws Throwable;

  /** {@code getParameterValues(name)}: a {@code String[]} or null. */
  abstract Object parameterValues(Object request, String name) throws Throwable;

  /** {@code AsyncContext.getTimeout()}, in milliseconds. */
  abstract long asyncTimeout(Object asyncContext) throws Throwable;

  abstract String servletPath(Object request) throws Throwable;

  abstract String pathInfo(Object request) throws Throwable;

  abstract Object servletContext(Object request) throws Throwable;

  /** Which kind this is, for tests and the debug line. */
  abstract boolean constant();

  /** Calls for {@code handles} (in {@link #NAMES} order, each of its method's type; null where absent). */
  static ServletCalls of(MethodHandle[] handles) {
    if (!matches(handles)) {
      throw new IllegalArgumentException("handles do not match " + NAMES);
    }
    ServletCalls constant = constantCalls(handles);
    return constant != null ? constant : new Handles(handles);
  }

  /** The calls through handles held in an array: what runs where no hidden class can be made. */
  static ServletCalls viaHandles(MethodHandle[] handles) {
    if (!matches(handles)) {
      throw new IllegalArgumentException("handles do not match " + NAMES);
    }
    return new Handles(handles);
  }

  private static boolean matches(MethodHandle[] handles) {
    if (handles.length != NAMES.size()) {
      return false;
    }
    for (int i = 0; i < handles.length; i++) {
      Method m = declared(NAMES.get(i));
      if (m == null) {
        return false;
      }
      if (handles[i] != null && !handles[i].type().equals(MethodType.methodType(m.getReturnType(), m.getParameterTypes()))) {
        return false;
      }
    }
    return true;
  }

  private static Method declared(String name) {
    for (Method m : ServletCalls.class.getDeclaredMethods()) {
      if (m.getName().equals(name) && java.lang.reflect.Modifier.isAbstract(m.getModifiers())) {
        return m;
      }
    }
    return null;
  }

  // ---- the hidden class ----

  private static final String OWNER = Type.getInternalName(ServletCalls.class);
  private static final String CONSTANT = OWNER + "$Constant";
  private static final String HANDLE = Type.getInternalName(MethodHandle.class);

  /** A hidden class's instance, or null where the JVM has no class data for hidden classes (before 16) or it fails. */
  private static ServletCalls constantCalls(MethodHandle[] handles) {
    try {
      Class<?> option = Class.forName("java.lang.invoke.MethodHandles$Lookup$ClassOption");
      Method define = MethodHandles.Lookup.class.getMethod(
          "defineHiddenClassWithClassData", byte[].class, Object.class, boolean.class, Array.newInstance(option, 0).getClass());
      MethodHandles.Lookup defined = (MethodHandles.Lookup) define.invoke(
          MethodHandles.lookup(), bytes(handles), Arrays.asList(handles), true, Array.newInstance(option, 0));
      return (ServletCalls) defined.findConstructor(defined.lookupClass(), MethodType.methodType(void.class)).invoke();
    } catch (ClassNotFoundException | NoSuchMethodException before16) {
      return null;
    } catch (Throwable e) {
      io.weft.instrumentation.InternalErrors.report("servlet calls as constants (they go through handles instead)", e);
      return null;
    }
  }

  /** {@code CONSTANT extends ServletCalls}: a static final per handle, set from the class data; a method per handle. */
  static byte[] bytes(MethodHandle[] handles) {
    ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    cw.visit(Opcodes.V11, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER | Opcodes.ACC_SYNTHETIC, CONSTANT, null, OWNER, null);
    for (int i = 0; i < handles.length; i++) {
      cw.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_FINAL, "h" + i, "L" + HANDLE + ";", null, null).visitEnd();
    }
    // static { List data = MethodHandles.classData(MethodHandles.lookup(), "_", List.class); h0 = (MethodHandle) data.get(0); ... }
    MethodVisitor init = cw.visitMethod(Opcodes.ACC_STATIC, "<clinit>", "()V", null, null);
    init.visitCode();
    init.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/invoke/MethodHandles", "lookup", "()Ljava/lang/invoke/MethodHandles$Lookup;", false);
    init.visitLdcInsn("_");
    init.visitLdcInsn(Type.getType(List.class));
    init.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/invoke/MethodHandles", "classData",
        "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/Class;)Ljava/lang/Object;", false);
    init.visitTypeInsn(Opcodes.CHECKCAST, "java/util/List");
    init.visitVarInsn(Opcodes.ASTORE, 0);
    for (int i = 0; i < handles.length; i++) {
      init.visitVarInsn(Opcodes.ALOAD, 0);
      init.visitLdcInsn(i);
      init.visitMethodInsn(Opcodes.INVOKEINTERFACE, "java/util/List", "get", "(I)Ljava/lang/Object;", true);
      init.visitTypeInsn(Opcodes.CHECKCAST, HANDLE);
      init.visitFieldInsn(Opcodes.PUTSTATIC, CONSTANT, "h" + i, "L" + HANDLE + ";");
    }
    init.visitInsn(Opcodes.RETURN);
    init.visitMaxs(0, 0);
    init.visitEnd();

    MethodVisitor ctor = cw.visitMethod(0, "<init>", "()V", null, null);
    ctor.visitCode();
    ctor.visitVarInsn(Opcodes.ALOAD, 0);
    ctor.visitMethodInsn(Opcodes.INVOKESPECIAL, OWNER, "<init>", "()V", false);
    ctor.visitInsn(Opcodes.RETURN);
    ctor.visitMaxs(0, 0);
    ctor.visitEnd();

    MethodVisitor constant = cw.visitMethod(0, "constant", "()Z", null, null);
    constant.visitCode();
    constant.visitInsn(Opcodes.ICONST_1);
    constant.visitInsn(Opcodes.IRETURN);
    constant.visitMaxs(0, 0);
    constant.visitEnd();

    for (int i = 0; i < handles.length; i++) {
      Method m = declared(NAMES.get(i));
      String descriptor = Type.getMethodDescriptor(m);
      MethodVisitor mv = cw.visitMethod(0, m.getName(), descriptor, null, null);
      mv.visitCode();
      mv.visitFieldInsn(Opcodes.GETSTATIC, CONSTANT, "h" + i, "L" + HANDLE + ";");
      int slot = 1;
      for (Type parameter : Type.getArgumentTypes(descriptor)) {
        mv.visitVarInsn(parameter.getOpcode(Opcodes.ILOAD), slot);
        slot += parameter.getSize();
      }
      mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, HANDLE, "invokeExact", descriptor, false);
      mv.visitInsn(Type.getReturnType(descriptor).getOpcode(Opcodes.IRETURN));
      mv.visitMaxs(0, 0);
      mv.visitEnd();
    }
    cw.visitEnd();
    return cw.toByteArray();
  }

  /** The handles from an array: each call through the handle's lambda forms. */
  private static final class Handles extends ServletCalls {
    private final MethodHandle[] h;

    Handles(MethodHandle[] handles) {
      this.h = handles.clone();
    }

    @Override
    boolean constant() {
      return false;
    }

    @Override
    String method(Object request) throws Throwable {
      return (String) h[0].invokeExact(request);
    }

    @Override
    String scheme(Object request) throws Throwable {
      return (String) h[1].invokeExact(request);
    }

    @Override
    String requestUri(Object request) throws Throwable {
      return (String) h[2].invokeExact(request);
    }

    @Override
    String queryString(Object request) throws Throwable {
      return (String) h[3].invokeExact(request);
    }

    @Override
    String serverName(Object request) throws Throwable {
      return (String) h[4].invokeExact(request);
    }

    @Override
    int serverPort(Object request) throws Throwable {
      return (int) h[5].invokeExact(request);
    }

    @Override
    String remoteAddr(Object request) throws Throwable {
      return (String) h[6].invokeExact(request);
    }

    @Override
    String protocol(Object request) throws Throwable {
      return (String) h[7].invokeExact(request);
    }

    @Override
    String contextPath(Object request) throws Throwable {
      return (String) h[8].invokeExact(request);
    }

    @Override
    String header(Object request, String name) throws Throwable {
      return (String) h[9].invokeExact(request, name);
    }

    @Override
    Enumeration<?> headers(Object request, String name) throws Throwable {
      return (Enumeration<?>) h[10].invokeExact(request, name);
    }

    @Override
    Enumeration<?> headerNames(Object request) throws Throwable {
      return (Enumeration<?>) h[11].invokeExact(request);
    }

    @Override
    Object dispatcherType(Object request) throws Throwable {
      return (Object) h[12].invokeExact(request);
    }

    @Override
    Object attribute(Object request, String name) throws Throwable {
      return (Object) h[13].invokeExact(request, name);
    }

    @Override
    void setAttribute(Object request, String name, Object value) throws Throwable {
      h[14].invokeExact(request, name, value);
    }

    @Override
    boolean isAsyncStarted(Object request) throws Throwable {
      return (boolean) h[15].invokeExact(request);
    }

    @Override
    Object asyncContext(Object request) throws Throwable {
      return (Object) h[16].invokeExact(request);
    }

    @Override
    String mappingPattern(Object request) throws Throwable {
      return (String) h[17].invokeExact(request);
    }

    @Override
    int status(Object response) throws Throwable {
      return (int) h[18].invokeExact(response);
    }

    @Override
    boolean isCommitted(Object response) throws Throwable {
      return (boolean) h[19].invokeExact(response);
    }

    @Override
    Collection<?> responseHeaders(Object response, String name) throws Throwable {
      return (Collection<?>) h[20].invokeExact(response, name);
    }

    @Override
    void addListener(Object asyncContext, Object listener) throws Throwable {
      h[21].invokeExact(asyncContext, listener);
    }

    @Override
    Throwable eventThrowable(Object event) throws Throwable {
      return (Throwable) h[22].invokeExact(event);
    }

    @Override
    Object eventAsyncContext(Object event) throws Throwable {
      return (Object) h[23].invokeExact(event);
    }

    @Override
    Object parameterValues(Object request, String name) throws Throwable {
      return (Object) h[24].invokeExact(request, name);
    }

    @Override
    long asyncTimeout(Object asyncContext) throws Throwable {
      return (long) h[25].invokeExact(asyncContext);
    }

    @Override
    String servletPath(Object request) throws Throwable {
      return (String) h[26].invokeExact(request);
    }

    @Override
    String pathInfo(Object request) throws Throwable {
      return (String) h[27].invokeExact(request);
    }

    @Override
    Object servletContext(Object request) throws Throwable {
      return (Object) h[28].invokeExact(request);
    }
  }
}
