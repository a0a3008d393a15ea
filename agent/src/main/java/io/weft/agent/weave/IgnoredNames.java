package io.weft.agent.weave;

import java.util.ArrayList;
import java.util.List;

/**
 * The first test every class the JVM defines meets, so it is a plain prefix and substring test on
 * the internal name ({@code a/b/C}): JDK internals, the agent itself and other agents' classes,
 * generated proxies and accessors, and what the user lists in {@code OTEL_JAVAAGENT_EXCLUDE_CLASSES}
 * ({@code com.acme.generated.*} or exact names). Agent class loader.
 */
public final class IgnoredNames {

  private static final String[] PREFIXES = internal(
    "java.", "jdk.", "sun.", "com.sun.", "javax.management.", "javax.naming.", "javax.crypto.",
    "javax.security.", "javax.net.", "javax.xml.", "org.xml.", "org.w3c.", "org.ietf.",
    "io.weft.agent.", "io.weft.bridge.", "io.weft.instrumentation.", "io.weft.shaded.",
    // joined at run time: the jar's relocation would rewrite these literals into our own shaded packages
    unrelocated("net", "bytebuddy."), unrelocated("io", "opentelemetry.javaagent."), "co.elastic.apm.", "com.newrelic.",
    "com.datadog.", "datadog.", "org.glowroot.", "com.intellij.rt.", unrelocated("org", "jetbrains.kotlin."),
    "org.gradle.", "worker.org.gradle.", "org.apache.maven.surefire.", "org.junit.platform.");

  private static final String[] GENERATED = {
    "$$EnhancerBy", "$$FastClassBy", "$HibernateProxy$", "$ByteBuddy$", "$$SpringCGLIB$$",
    "$$Accessor", "GeneratedMethodAccessor", "GeneratedConstructorAccessor",
    "GeneratedSerializationConstructorAccessor",
  };

  /**
   * {@code first.rest}, made at run time: the shade plugin relocates every string constant that starts with a relocated
   * package ({@code net.bytebuddy}, {@code io.opentelemetry}, {@code org.jetbrains}), so a literal naming the
   * application's or another agent's copy would name Weft's own instead. Agent class loader.
   */
  public static String unrelocated(String first, String rest) {
    return first + '.' + rest;
  }

  private final String[] userPrefixes;
  private final List<String> userNames;
  /** {@code OTEL_JAVAAGENT_EXCLUDE_CLASS_LOADERS}: class loaders' class names, exact or prefixes; empty nearly always. */
  private final String[] loaderPrefixes;
  private final List<String> loaderNames;

  /** From the entries of {@code OTEL_JAVAAGENT_EXCLUDE_CLASSES}: names, or prefixes ending in {@code *}. */
  IgnoredNames(List<String> excludeClasses) {
    this(excludeClasses, List.of());
  }

  /**
   * And the entries of {@code OTEL_JAVAAGENT_EXCLUDE_CLASS_LOADERS}: the class names of class loaders none of whose
   * classes are woven, exact or prefixes ending in {@code *}.
   */
  IgnoredNames(List<String> excludeClasses, List<String> excludeClassLoaders) {
    List<String> prefixes = new ArrayList<>();
    List<String> names = new ArrayList<>();
    split(excludeClasses, prefixes, names, true);
    this.userPrefixes = prefixes.toArray(new String[0]);
    this.userNames = names;
    List<String> loaderPrefixList = new ArrayList<>();
    List<String> loaderNameList = new ArrayList<>();
    split(excludeClassLoaders, loaderPrefixList, loaderNameList, false);
    this.loaderPrefixes = loaderPrefixList.toArray(new String[0]);
    this.loaderNames = loaderNameList;
  }

  private static void split(List<String> entries, List<String> prefixes, List<String> names, boolean internal) {
    for (String entry : entries) {
      String name = internal ? entry.replace('.', '/') : entry;
      if (name.endsWith("*")) {
        prefixes.add(name.substring(0, name.length() - 1));
      } else {
        names.add(name);
      }
    }
  }

  /** Whether no class {@code loader} defines is woven ({@code null}, the boot loader, never is excluded this way). */
  boolean ignoresLoader(ClassLoader loader) {
    if (loader == null || (loaderNames.isEmpty() && loaderPrefixes.length == 0)) {
      return false;
    }
    String name = loader.getClass().getName();
    for (String prefix : loaderPrefixes) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return loaderNames.contains(name);
  }

  /** Whether the class named {@code internalName} ({@code a/b/C}) is never woven. */
  boolean ignores(String internalName) {
    for (String prefix : PREFIXES) {
      if (internalName.startsWith(prefix)) {
        return true;
      }
    }
    if (internalName.indexOf('$') >= 0) {
      if (internalName.contains("$$Lambda")) {
        return true;
      }
      if (internalName.startsWith("com/sun/proxy/$Proxy") || internalName.contains("/$Proxy")) {
        return true;
      }
      for (String marker : GENERATED) {
        if (internalName.contains(marker)) {
          return true;
        }
      }
    }
    for (String prefix : userPrefixes) {
      if (internalName.startsWith(prefix)) {
        return true;
      }
    }
    return !userNames.isEmpty() && userNames.contains(internalName);
  }

  private static String[] internal(String... packages) {
    String[] result = new String[packages.length];
    for (int i = 0; i < packages.length; i++) {
      result[i] = packages[i].replace('.', '/');
    }
    return result;
  }
}
