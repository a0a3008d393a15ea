package io.weft.instrumentation;

import java.util.Map;
import java.util.WeakHashMap;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Matches class loaders that can see at least one of the given classes, by a resource look-up (the
 * classes are never loaded), remembered per loader without keeping the loader alive. The cheap first
 * filter in front of name and hierarchy matching. Agent class loader.
 */
public final class LoaderSeesClasses extends ElementMatcher.Junction.AbstractBase<ClassLoader> {

  private final String[] resourceNames;
  private final Map<ClassLoader, Boolean> answers = new WeakHashMap<>();
  private final boolean bootstrapAnswer;

  public LoaderSeesClasses(String... classNames) {
    this.resourceNames = new String[classNames.length];
    for (int i = 0; i < classNames.length; i++) {
      resourceNames[i] = classNames[i].replace('.', '/') + ".class";
    }
    this.bootstrapAnswer = look(ClassLoader.getPlatformClassLoader());
  }

  @Override
  public boolean matches(ClassLoader loader) {
    if (loader == null) {
      return bootstrapAnswer;
    }
    synchronized (answers) {
      Boolean known = answers.get(loader);
      if (known != null) {
        return known;
      }
    }
    boolean answer = look(loader);
    synchronized (answers) {
      answers.put(loader, answer);
    }
    return answer;
  }

  private boolean look(ClassLoader loader) {
    for (String resource : resourceNames) {
      try {
        if (loader.getResource(resource) != null) {
          return true;
        }
      } catch (RuntimeException misbehavingLoader) {
        // some loaders throw on look-ups they do not serve: that is a no
      }
    }
    return false;
  }
}
