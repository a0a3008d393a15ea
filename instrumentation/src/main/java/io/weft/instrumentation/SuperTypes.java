package io.weft.instrumentation;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a class about to be defined has one of some named super types, read from class files: its
 * own (a {@link ClassOutline}), then each super type's, found as a resource of the defining loader, as
 * Byte Buddy's type pool would, but without its type model. Nothing is loaded. The walk stops at
 * {@code java.*} types other than the wanted ones (a JDK type never leads to a container's or a
 * driver's type) and at types whose class file cannot be found. Each loader's answers are cached by
 * type name, so a hierarchy shared by many classes is read once. Agent class loader.
 */
public final class SuperTypes {

  private static final int MAX_DEPTH = 32;
  private static final String[] NONE = new String[0];

  /** Per loader (weakly): a type's direct super types, as internal names; {@link #NONE} when unreadable. */
  private final Map<ClassLoader, Map<String, String[]>> directByLoader = new WeakHashMap<>();
  private final Map<String, String[]> bootstrap = new ConcurrentHashMap<>();

  /**
   * Whether {@code classFile}'s class is, extends or implements one of {@code wanted} (internal names),
   * looking up its super types' class files through {@code loader}.
   */
  public boolean reaches(ClassLoader loader, ClassOutline classFile, Collection<String> wanted) {
    if (wanted.contains(classFile.internalName())) {
      return true;
    }
    Map<String, String[]> direct = directOf(loader);
    Set<String> visited = new HashSet<>();
    if (classFile.superName() != null && reaches(loader, direct, classFile.superName(), wanted, 1, visited)) {
      return true;
    }
    for (String anInterface : classFile.interfaceNames()) {
      if (reaches(loader, direct, anInterface, wanted, 1, visited)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Which of {@code wanted} (internal names) {@code classFile}'s class extends or implements, itself
   * not counted; the whole hierarchy is walked, in no particular order ({@code java.*} types too when
   * one of {@code wanted} is one).
   */
  public List<String> reachedOf(ClassLoader loader, ClassOutline classFile, Collection<String> wanted) {
    List<String> found = new ArrayList<>();
    boolean platformMayLead = false;
    for (String name : wanted) {
      platformMayLead |= name.startsWith("java/");
    }
    Map<String, String[]> direct = directOf(loader);
    Set<String> visited = new HashSet<>();
    if (classFile.superName() != null) {
      collect(loader, direct, classFile.superName(), wanted, platformMayLead, 1, found, visited);
    }
    for (String anInterface : classFile.interfaceNames()) {
      collect(loader, direct, anInterface, wanted, platformMayLead, 1, found, visited);
    }
    return found;
  }

  private void collect(ClassLoader loader, Map<String, String[]> direct, String type, Collection<String> wanted, boolean platformMayLead,
      int depth, List<String> found, Set<String> visited) {
    if (wanted.contains(type) && !found.contains(type)) {
      found.add(type);
    }
    if ((type.startsWith("java/") && !platformMayLead) || type.equals("java/lang/Object") || depth > MAX_DEPTH
        || !visited.add(type)) {
      return; // a type reached twice (interfaces met along several paths) is walked once
    }
    for (String superType : supersOf(loader, direct, type)) {
      collect(loader, direct, superType, wanted, platformMayLead, depth + 1, found, visited);
    }
  }

  private static String[] supersOf(ClassLoader loader, Map<String, String[]> direct, String type) {
    String[] supers = direct.get(type);
    if (supers == null) {
      supers = read(loader, type);
      direct.put(type, supers);
    }
    return supers;
  }

  private boolean reaches(ClassLoader loader, Map<String, String[]> direct, String type, Collection<String> wanted, int depth,
      Set<String> visited) {
    if (wanted.contains(type)) {
      return true;
    }
    if (type.startsWith("java/") || depth > MAX_DEPTH || !visited.add(type)) {
      return false;
    }
    for (String superType : supersOf(loader, direct, type)) {
      if (reaches(loader, direct, superType, wanted, depth + 1, visited)) {
        return true;
      }
    }
    return false;
  }

  private Map<String, String[]> directOf(ClassLoader loader) {
    if (loader == null) {
      return bootstrap;
    }
    synchronized (directByLoader) {
      return directByLoader.computeIfAbsent(loader, key -> new ConcurrentHashMap<>());
    }
  }

  /** The super class and interfaces of {@code type} from its class file; none when it cannot be read. */
  private static String[] read(ClassLoader loader, String type) {
    String resource = type + ".class";
    try (InputStream in = loader == null ? ClassLoader.getSystemResourceAsStream(resource) : loader.getResourceAsStream(resource)) {
      if (in == null) {
        return NONE;
      }
      ClassOutline outline = new ClassOutline(type, in.readAllBytes());
      if (outline.isMalformed()) {
        return NONE;
      }
      String[] interfaces = outline.interfaceNames();
      String superName = outline.superName();
      if (superName == null) {
        return interfaces;
      }
      String[] all = new String[interfaces.length + 1];
      all[0] = superName;
      System.arraycopy(interfaces, 0, all, 1, interfaces.length);
      return all;
    } catch (IOException | RuntimeException unreadable) {
      return NONE;
    }
  }
}
