package io.weft.agent;

import jdk.internal.misc.Unsafe;

/**
 * Defines a class in the bootstrap loader. A direct call, compiled against {@code jdk.internal.misc}
 * (this source root alone is built with that package exported), so that premain pays for no reflection:
 * on Java 18+ a first reflective call spins method handles for tens of milliseconds. Links only once
 * {@link WeftAgent} has exported the package to this module; on a JDK where it cannot, premain falls
 * back to appending the jar to the bootstrap search path. System class loader, like {@link WeftAgent}.
 */
final class BootstrapDefiner {

  private BootstrapDefiner() {}

  static void define(String name, byte[] classFile) {
    Unsafe.getUnsafe().defineClass(name, classFile, 0, classFile.length, null, null);
  }
}
