package io.weft.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.net.MalformedURLException;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.function.BiConsumer;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Loads the agent's implementation (our code, the relocated OpenTelemetry SDK, Byte Buddy, OkHttp)
 * from the {@code inst/} entries of the agent jar, where they are stored as {@code .classdata} so that
 * no other class loader can load them. Its parent is the platform loader: JDK types (java.sql
 * included) and the bootstrap bridge are visible, the application is not. Loaded from bootstrap; it
 * also carries premain into the agent ({@link #start}).
 */
public final class AgentClassLoader extends ClassLoader {

  private static final String PREFIX = "inst/";

  static {
    registerAsParallelCapable();
  }

  private final JarFile jar;
  private final String jarUrl;
  private final ProtectionDomain domain;
  private volatile BiConsumer<Instrumentation, Boolean> entry;

  public AgentClassLoader(File jarFile) throws IOException {
    super("weft", ClassLoader.getPlatformClassLoader());
    this.jar = new JarFile(jarFile, false);
    this.jarUrl = "jar:" + jarFile.toURI() + "!/";
    this.domain =
        new ProtectionDomain(new CodeSource(jarFile.toURI().toURL(), (Certificate[]) null), null, this, null);
  }

  /**
   * Runs the agent inside this loader: initializing {@code AgentStarter} makes it hand over its entry
   * point ({@link #handOver}), so starting needs no reflective call, which on Java 18+ costs tens of
   * milliseconds of method-handle spinning at JVM start.
   */
  public void start(Instrumentation inst, boolean attached) throws ClassNotFoundException {
    Class.forName("io.weft.agent.AgentStarter", true, this);
    BiConsumer<Instrumentation, Boolean> starter = entry;
    if (starter == null) {
      throw new IllegalStateException("io.weft.agent.AgentStarter did not hand over");
    }
    starter.accept(inst, attached);
  }

  /** Called by {@code AgentStarter}'s static initializer. */
  public void handOver(BiConsumer<Instrumentation, Boolean> starter) {
    entry = starter;
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    JarEntry entry = jar.getJarEntry(PREFIX + name.replace('.', '/') + ".classdata");
    if (entry == null) {
      throw new ClassNotFoundException(name);
    }
    byte[] bytes;
    try (InputStream in = jar.getInputStream(entry)) {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new ClassNotFoundException(name, e);
    }
    definePackageOf(name);
    return defineClass(name, bytes, 0, bytes.length, domain);
  }

  private void definePackageOf(String className) {
    int dot = className.lastIndexOf('.');
    if (dot > 0) {
      String packageName = className.substring(0, dot);
      if (getDefinedPackage(packageName) == null) {
        try {
          definePackage(packageName, null, null, null, null, null, null, null);
        } catch (IllegalArgumentException definedConcurrently) {
          // another thread defined it first: fine
        }
      }
    }
  }

  @Override
  protected URL findResource(String name) {
    String entryName = PREFIX + (name.endsWith(".class") ? name.substring(0, name.length() - 6) + ".classdata" : name);
    if (jar.getJarEntry(entryName) == null) {
      return null;
    }
    try {
      return new URL(jarUrl + entryName);
    } catch (MalformedURLException e) {
      return null;
    }
  }

  @Override
  protected Enumeration<URL> findResources(String name) {
    URL url = findResource(name);
    return url == null ? Collections.emptyEnumeration() : Collections.enumeration(Collections.singletonList(url));
  }

  @Override
  public InputStream getResourceAsStream(String name) {
    // Byte Buddy reads advice bytes through here; serve them straight from the jar, no URL connection
    String entryName = PREFIX + (name.endsWith(".class") ? name.substring(0, name.length() - 6) + ".classdata" : name);
    JarEntry entry = jar.getJarEntry(entryName);
    if (entry == null) {
      return super.getResourceAsStream(name);
    }
    try {
      return jar.getInputStream(entry);
    } catch (IOException e) {
      return null;
    }
  }
}
