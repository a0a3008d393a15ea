package io.weft.smoke.app.servlet;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Starts an embedded servlet container in a child JVM: {@code tomcat <initializer> [war]} or {@code
 * jetty <initializer>}. The container is reached by reflection because the Tomcat 9 and Tomcat 11 jars
 * share class names with different servlet types, so no test class can be compiled against both; the
 * container's jars come from smoke-libs/<group>. The app is a ServletContainerInitializer mounted at
 * /app; a WAR, when given, is deployed at /war. Prints {@code READY <port>}.
 */
public final class ServletContainers {

  private ServletContainers() {}

  public static void main(String[] args) throws Exception {
    Object initializer = Class.forName(args[1]).getConstructor().newInstance();
    int port = args[0].equals("jetty") ? jetty(initializer) : tomcat(initializer, args.length > 2 ? args[2] : null);
    System.out.println("READY " + port);
    // Tomcat 8.5's connector threads are all daemons: keep the JVM up until the test stops it
    Thread.currentThread().join();
  }

  private static int tomcat(Object initializer, String war) throws Exception {
    Class<?> tomcatClass = Class.forName("org.apache.catalina.startup.Tomcat");
    Object tomcat = tomcatClass.getConstructor().newInstance();
    Path base = Files.createTempDirectory("weft-tomcat");
    Files.createDirectories(base.resolve("webapps"));
    call(tomcat, "setBaseDir", base.toString());
    call(tomcat, "setPort", 0);
    Object connector = call(tomcat, "getConnector");
    Object app = call(tomcat, "addContext", "/app", Files.createDirectories(base.resolve("app")).toString());
    call(app, "addServletContainerInitializer", initializer, null);
    if (war != null) {
      call(tomcat, "setAddDefaultWebXmlToWebapp", false); // no JSP servlet: Jasper is not on the class path
      Object webapp = call(tomcat, "addWebapp", "/war", war);
      call(call(webapp, "getJarScanner"), "setScanClassPath", false);
    }
    call(tomcat, "start");
    return (Integer) call(connector, "getLocalPort");
  }

  private static int jetty(Object initializer) throws Exception {
    Object server = Class.forName("org.eclipse.jetty.server.Server").getConstructor(int.class).newInstance(0);
    Object app = Class.forName("org.eclipse.jetty.ee10.servlet.ServletContextHandler")
        .getConstructor(String.class).newInstance("/app");
    call(app, "addServletContainerInitializer", initializer, new Class<?>[0]);
    call(server, "setHandler", app);
    call(server, "start");
    return ((java.net.URI) call(server, "getURI")).getPort();
  }

  /** Calls the public method of that name whose parameters accept the arguments. */
  private static Object call(Object target, String name, Object... args) throws Exception {
    for (Method m : target.getClass().getMethods()) {
      if (m.getName().equals(name) && m.getParameterCount() == args.length && accepts(m.getParameterTypes(), args)) {
        return m.invoke(target, args);
      }
    }
    throw new NoSuchMethodException(target.getClass().getName() + "." + name);
  }

  private static boolean accepts(Class<?>[] types, Object[] args) {
    for (int i = 0; i < types.length; i++) {
      Class<?> t = types[i];
      if (args[i] == null) {
        if (t.isPrimitive()) {
          return false;
        }
      } else if (t.isPrimitive()) {
        Class<?> boxed = t == int.class ? Integer.class : t == boolean.class ? Boolean.class : Long.class;
        if (!boxed.isInstance(args[i])) {
          return false;
        }
      } else if (!t.isInstance(args[i])) {
        return false;
      }
    }
    return true;
  }
}
