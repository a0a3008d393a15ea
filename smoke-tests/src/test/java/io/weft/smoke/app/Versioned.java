package io.weft.smoke.app;

/** compareTo(Versioned) has a compiler-made bridge compareTo(Object): one call must give one span. */
public class Versioned implements Comparable<Versioned> {
  final int version;

  public Versioned(int version) {
    this.version = version;
  }

  @Override
  public int compareTo(Versioned other) {
    return Integer.compare(version, other.version);
  }
}
