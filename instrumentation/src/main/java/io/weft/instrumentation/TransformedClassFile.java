package io.weft.instrumentation;

import java.util.function.Function;

/**
 * The class file the agent's transformer is handling on this thread, published around Byte Buddy's
 * transformation so that a matcher can look inside the bytes the JVM already handed over instead of
 * reading the class file a second time. Only published when a type instrumentation asks for it
 * ({@link TypeInstrumentation#readsClassFiles()}). Agent class loader.
 */
public final class TransformedClassFile {

  private static final ThreadLocal<TransformedClassFile> current = new ThreadLocal<>();

  private final String internalName;
  private final byte[] bytes;
  private Object memoKey;
  private Object memo;

  private TransformedClassFile(String internalName, byte[] bytes) {
    this.internalName = internalName;
    this.bytes = bytes;
  }

  /**
   * Publishes a class file for the duration of one transformation; returns what to hand to {@link
   * #exit} in a {@code finally}. Transformations nest (a matcher may load a class), so this is a stack.
   */
  public static Object enter(String internalName, byte[] bytes) {
    TransformedClassFile previous = current.get();
    current.set(internalName == null || bytes == null ? null : new TransformedClassFile(internalName, bytes));
    return previous;
  }

  public static void exit(Object previous) {
    current.set((TransformedClassFile) previous);
  }

  /**
   * The class file of the named class ({@code a.b.C}) if this thread is transforming it right now;
   * {@code null} otherwise, e.g. while Byte Buddy matches already loaded classes before retransforming.
   */
  public static TransformedClassFile of(String className) {
    TransformedClassFile file = current.get();
    if (file == null || file.internalName.length() != className.length()) {
      return null;
    }
    for (int i = 0; i < className.length(); i++) {
      char c = className.charAt(i);
      char d = file.internalName.charAt(i);
      if (c != d && !(c == '.' && d == '/')) {
        return null;
      }
    }
    return file;
  }

  /** The bytes as the JVM handed them over; never modify them. */
  public byte[] bytes() {
    return bytes;
  }

  /**
   * What {@code derive} computes from these bytes, computed once per transformation and per key, so
   * the type matcher, method matchers and weave-time bindings of one class share a single parse.
   */
  @SuppressWarnings("unchecked")
  public <T> T memo(Object key, Function<byte[], T> derive) {
    if (memoKey != key) {
      memo = derive.apply(bytes);
      memoKey = key;
    }
    return (T) memo;
  }
}
