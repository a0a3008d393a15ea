package io.weft.smoke.app.safety;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * An embedded Tomcat 11 in a test application's JVM, driven by reflection (the container's jars are on
 * the child's class path only): start it on an ephemeral port, mount a ServletContainerInitializer,
 * deploy and undeploy WARs, call it over HTTP. Tomcat's own logging is switched off so the application's
 * output is only what it prints itself, identical from run to run.
 */
public final class EmbeddedTomcat {

  private final Object tomcat;
  private final int port;

  private EmbeddedTomcat(Object tomcat, int port) {
    this.tomcat = tomcat;
    this.port = port;
  }

  /** Starts Tomcat; {@code initializer}, when not null, is mounted at {@code /app}. */
  public static EmbeddedTomcat start(Object initializer) throws Exception {
    LogManager.getLogManager().reset();
    Logger.getLogger("").setLevel(Level.OFF);
    Object tomcat = Class.forName("org.apache.catalina.startup.Tomcat").getConstructor().newInstance();
    Path base = Files.createTempDirectory("weft-tomcat");
    Files.createDirectories(base.resolve("webapps"));
    call(tomcat, "setBaseDir", base.toString());
    call(tomcat, "setPort", 0);
    Object connector = call(tomcat, "getConnector");
    if (initializer != null) {
      Object app = call(tomcat, "addContext", "/app", Files.createDirectories(base.resolve("app")).toString());
      call(app, "addServletContainerInitializer", initializer, null);
    }
    call(tomcat, "setAddDefaultWebXmlToWebapp", false); // no JSP servlet: Jasper is not on the class path
    call(tomcat, "start");
    return new EmbeddedTomcat(tomcat, (Integer) call(connector, "getLocalPort"));
  }

  /** Deploys and starts a WAR at {@code contextPath}; returns Tomcat's Context. */
  public Object deploy(String contextPath, String war) throws Exception {
    Object context = call(tomcat, "addWebapp", contextPath, war);
    call(call(context, "getJarScanner"), "setScanClassPath", false);
    return context;
  }

  /** The class loader of a deployed context's web application. */
  public static ClassLoader webappLoader(Object context) throws Exception {
    return (ClassLoader) call(call(context, "getLoader"), "getClassLoader");
  }

  /** Stops and removes a deployed context, as an undeploy does. */
  public void undeploy(Object context) throws Exception {
    call(call(tomcat, "getHost"), "removeChild", context);
  }

  /** GET on this Tomcat: {@code "<status> <body>"}, the body of an error answer left out. */
  public String get(String pathAndQuery) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) new URL("http://127.0.0.1:" + port + pathAndQuery).openConnection();
    connection.setConnectTimeout(10_000);
    connection.setReadTimeout(30_000);
    try {
      int status = connection.getResponseCode();
      if (status >= 400) {
        return String.valueOf(status);
      }
      try (InputStream in = connection.getInputStream()) {
        return status + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } finally {
      connection.disconnect();
    }
  }

  public void stop() throws Exception {
    call(tomcat, "stop");
    call(tomcat, "destroy");
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
        if (!(t == int.class ? Integer.class : t == boolean.class ? Boolean.class : Long.class).isInstance(args[i])) {
          return false;
        }
      } else if (!t.isInstance(args[i])) {
        return false;
      }
    }
    return true;
  }
}
