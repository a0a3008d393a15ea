package io.weft.agent.weave;

import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The first matcher every loaded class meets, so it is a plain prefix and substring test: JDK
 * internals, the agent itself and other agents' classes, generated proxies and accessors, and what the
 * user lists in {@code OTEL_JAVAAGENT_EXCLUDE_CLASSES} ({@code com.acme.generated.*} or exact names).
 * Lambda classes are let through only when a configured interface may need them. Agent class loader.
 */
final class IgnoredTypes extends ElementMatcher.Junction.AbstractBase<TypeDescription> {

  private static final String[] PREFIXES = {
    "java.", "jdk.", "sun.", "com.sun.", "javax.management.", "javax.naming.", "javax.crypto.",
    "javax.security.", "javax.net.", "javax.xml.", "org.xml.", "org.w3c.", "org.ietf.",
    "io.weft.agent.", "io.weft.bridge.", "io.weft.instrumentation.", "io.weft.shaded.",
    "net.bytebuddy.", "io.opentelemetry.javaagent.", "co.elastic.apm.", "com.newrelic.",
    "com.datadog.", "datadog.", "org.glowroot.", "com.intellij.rt.", "org.jetbrains.kotlin.",
    "org.gradle.", "worker.org.gradle.", "org.apache.maven.surefire.", "org.junit.platform.",
  };

  private static final String[] GENERATED = {
    "$$EnhancerBy", "$$FastClassBy", "$HibernateProxy$", "$ByteBuddy$", "$$SpringCGLIB$$",
    "$$Accessor", "GeneratedMethodAccessor", "GeneratedConstructorAccessor",
    "GeneratedSerializationConstructorAccessor",
  };

  private final boolean lambdasWanted;
  private final List<String> userPrefixes;
  private final List<String> userNames;

  IgnoredTypes(boolean lambdasWanted, List<String> userPrefixes, List<String> userNames) {
    this.lambdasWanted = lambdasWanted;
    this.userPrefixes = userPrefixes;
    this.userNames = userNames;
  }

  @Override
  public boolean matches(TypeDescription type) {
    String name = type.getName();
    for (String prefix : PREFIXES) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    if (name.indexOf('$') >= 0) {
      if (name.contains("$$Lambda")) {
        return !lambdasWanted;
      }
      if (name.startsWith("com.sun.proxy.$Proxy") || name.contains(".$Proxy")) {
        return true;
      }
      for (String marker : GENERATED) {
        if (name.contains(marker)) {
          return true;
        }
      }
    }
    for (String prefix : userPrefixes) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return !userNames.isEmpty() && userNames.contains(name);
  }
}
