package io.weft.instrumentation;

import java.util.Map;
import java.util.WeakHashMap;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Matches class loaders that can see at least one of the given classes, by a resource look-up (the
 * classes are never loaded), remembered per loader without keeping the loader alive. The cheap first
 * filter in front of name and hierarchy matching, for the agent's first filter and, through {@link
 * #asMatcher}, for Byte Buddy; a plain class so that the first filter loads nothing of Byte Buddy.
 * Agent class loader.
 */
public final class LoaderSeesClasses {

  private final String[] resourceNames;
  private final Map<ClassLoader, Boolean> answers = new WeakHashMap<>();
  private volatile Boolean bootstrapAnswer; // asked on first need: the agent's start-up stays free of look-ups

  public LoaderSeesClasses(String... classNames) {
    this.resourceNames = new String[classNames.length];
    for (int i = 0; i < classNames.length; i++) {
      resourceNames[i] = classNames[i].replace('.', '/') + ".class";
    }
  }

  /** Whether {@code loader} ({@code null}: bootstrap) can see one of the classes. */
  public boolean matches(ClassLoader loader) {
    if (loader == null) {
      Boolean answer = bootstrapAnswer;
      if (answer == null) {
        bootstrapAnswer = answer = look(ClassLoader.getPlatformClassLoader());
      }
      return answer;
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

  /** The same answers as Byte Buddy's class-loader matcher. */
  public ElementMatcher<ClassLoader> asMatcher() {
    return new Matcher(this);
  }

  private static final class Matcher extends ElementMatcher.Junction.AbstractBase<ClassLoader> {
    private final LoaderSeesClasses answers;

    Matcher(LoaderSeesClasses answers) {
      this.answers = answers;
    }

    @Override
    public boolean matches(ClassLoader loader) {
      return answers.matches(loader);
    }
  }
}
