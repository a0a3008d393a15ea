package io.weft.instrumentation;

import java.util.Collection;
import java.util.List;

/**
 * What the agent's first filter reads from a class file the JVM is about to define, before Byte Buddy
 * is consulted or even loaded: access flags, the class's own, super class and interface names, the
 * names, descriptors and flags of the methods it declares, and the constant pool's strings as raw
 * bytes. Parsed on first use, once per class, without decoding any string a filter does not ask for;
 * names are internal ({@code a/b/C}). Agent class loader.
 */
public final class ClassOutline {

  /** Method access flags, as the class file stores them. */
  public static final int PUBLIC = 0x0001;
  public static final int BRIDGE = 0x0040;
  public static final int NATIVE = 0x0100;
  public static final int ABSTRACT = 0x0400;
  public static final int SYNTHETIC = 0x1000;

  private static final int ACC_INTERFACE = 0x0200;
  private static final int CONSTANT_UTF8 = 1;

  private final String internalName;
  private final byte[] bytes;
  private String className;
  private boolean parsed;
  private boolean malformed;
  private int access;
  /** Offset of the length of each UTF-8 constant, 0 for other slots. */
  private int[] utf8Offsets;
  private int[] classNameIndexes; // CONSTANT_Class -> its UTF-8 slot, by pool slot
  private String superName;
  private String[] interfaceNames;
  private int[] methodAccess;
  private int[] methodNames; // pool slots
  private int[] methodDescriptors;

  private final Class<?> redefined;

  public ClassOutline(String internalName, byte[] classFile) {
    this(internalName, classFile, null);
  }

  /** {@code redefined}: the loaded class whose file this is, when it is retransformed; {@code null} while it is defined. */
  public ClassOutline(String internalName, byte[] classFile, Class<?> redefined) {
    this.internalName = internalName;
    this.bytes = classFile;
    this.redefined = redefined;
  }

  /**
   * The class being retransformed, whose loaded super types a filter may then ask for without loading
   * anything; {@code null} while the class is being defined (its super types are then mostly not loaded yet).
   */
  public Class<?> redefined() {
    return redefined;
  }

  /** The name the JVM gave with the class file ({@code a/b/C}). */
  public String internalName() {
    return internalName;
  }

  /** The binary name ({@code a.b.C}), as Byte Buddy and the configuration spell it. */
  public String className() {
    if (className == null) {
      className = internalName.replace('/', '.');
    }
    return className;
  }

  /**
   * Whether the class file could not be read (truncated, or a constant-pool entry this reader does
   * not know). Filters answer "may match" for such a class and leave the decision to Byte Buddy.
   */
  public boolean isMalformed() {
    parse();
    return malformed;
  }

  public boolean isInterface() {
    parse();
    return (access & ACC_INTERFACE) != 0;
  }

  /** The internal name of the super class; {@code null} for {@code java/lang/Object} and modules. */
  public String superName() {
    parse();
    return superName;
  }

  public String[] interfaceNames() {
    parse();
    return interfaceNames.clone();
  }

  /**
   * Whether one of {@code wanted} (internal names) may be a super type of this class, as far as its
   * direct super types tell: yes when it names one directly; no when every direct super type is a
   * {@code java.*} class or interface and no wanted name is one (a platform type never extends an
   * application's), or when it has none; otherwise (a super type whose own hierarchy is unknown here)
   * yes. Malformed class files: yes.
   */
  public boolean mayInheritFrom(Collection<String> wanted) {
    parse();
    if (malformed) {
      return true;
    }
    boolean platformMayLead = false;
    for (String name : wanted) {
      if (name.startsWith("java/")) {
        platformMayLead = true;
        break;
      }
    }
    if (superName != null && leadsTo(superName, wanted, platformMayLead)) {
      return true;
    }
    for (String name : interfaceNames) {
      if (leadsTo(name, wanted, platformMayLead)) {
        return true;
      }
    }
    return false;
  }

  private static boolean leadsTo(String superType, Collection<String> wanted, boolean platformMayLead) {
    if (wanted.contains(superType)) {
      return true;
    }
    if (superType.equals("java/lang/Object")) {
      return false;
    }
    return !superType.startsWith("java/") || platformMayLead;
  }

  /**
   * Whether it declares a method with all {@code required} and none of the {@code forbidden} access
   * flags, named one of {@code names}, whose descriptor starts with one of {@code descriptorPrefixes}
   * ({@link #encode}d). Malformed class files: yes.
   */
  public boolean declaresMethod(int required, int forbidden, byte[][] names, byte[][] descriptorPrefixes) {
    parse();
    if (malformed) {
      return true;
    }
    for (int method = 0; method < methodNames.length; method++) {
      int flags = methodAccess[method];
      if ((flags & required) != required || (flags & forbidden) != 0) {
        continue;
      }
      for (byte[] name : names) {
        if (utf8Equals(methodNames[method], name)) {
          for (byte[] prefix : descriptorPrefixes) {
            if (methodDescriptorStartsWith(method, prefix)) {
              return true;
            }
          }
          break;
        }
      }
    }
    return false;
  }

  /**
   * Whether it declares a method named one of {@code names} ({@link #encode}d), whatever its flags and
   * descriptor. Malformed class files: yes.
   */
  public boolean declaresMethodNamed(byte[][] names) {
    parse();
    if (malformed) {
      return true;
    }
    for (int method = 0; method < methodNames.length; method++) {
      for (byte[] name : names) {
        if (utf8Equals(methodNames[method], name)) {
          return true;
        }
      }
    }
    return false;
  }

  /** How many methods the class declares (constructors and initializers included). */
  public int methodCount() {
    parse();
    return methodNames.length;
  }

  public int methodAccess(int method) {
    return methodAccess[method];
  }

  private boolean methodDescriptorStartsWith(int method, byte[] prefix) {
    int offset = utf8Offsets[methodDescriptors[method]];
    int length = readUnsignedShort(offset);
    return length >= prefix.length && regionEquals(offset + 2, prefix);
  }

  /** The name of method number {@code method}, decoded. */
  public String methodName(int method) {
    return utf8(methodNames[method]);
  }

  /**
   * Whether the constant pool holds a string constant (any UTF-8 entry) equal to {@code value}.
   * Malformed class files: yes.
   */
  public boolean hasConstant(byte[] value) {
    parse();
    if (malformed) {
      return true;
    }
    for (int slot = 1; slot < utf8Offsets.length; slot++) {
      if (utf8Offsets[slot] != 0 && utf8Equals(slot, value)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether one of the constant-pool strings is one of {@code values}: one look at each string's length, the bytes
   * compared only where a value has that length. Malformed class files: yes.
   */
  public boolean hasAnyConstant(ConstantSet values) {
    parse();
    if (malformed) {
      return true;
    }
    for (int slot = 1; slot < utf8Offsets.length; slot++) {
      int offset = utf8Offsets[slot];
      if (offset == 0) {
        continue;
      }
      int length = readUnsignedShort(offset);
      if (length < values.byLength.length && values.byLength[length] != null) {
        for (byte[] value : values.byLength[length]) {
          if (regionEquals(offset + 2, value)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Constant-pool strings to look for at once ({@link #hasAnyConstant}), encoded and grouped by length once. */
  public static final class ConstantSet {
    private final byte[][][] byLength;

    public ConstantSet(List<String> values) {
      int longest = 0;
      for (String value : values) {
        longest = Math.max(longest, encode(value).length);
      }
      byLength = new byte[longest + 1][][];
      for (String value : values) {
        byte[] encoded = encode(value);
        byte[][] same = byLength[encoded.length];
        byte[][] grown = same == null ? new byte[1][] : java.util.Arrays.copyOf(same, same.length + 1);
        grown[grown.length - 1] = encoded;
        byLength[encoded.length] = grown;
      }
    }
  }

  /**
   * Whether some constant-pool string contains {@code part}, e.g. a type's internal name inside a
   * method descriptor. Malformed class files: yes.
   */
  public boolean hasConstantContaining(byte[] part) {
    parse();
    if (malformed) {
      return true;
    }
    for (int slot = 1; slot < utf8Offsets.length; slot++) {
      int offset = utf8Offsets[slot];
      if (offset == 0) {
        continue;
      }
      int start = offset + 2;
      for (int i = start, last = start + readUnsignedShort(offset) - part.length; i <= last; i++) {
        if (regionEquals(i, part)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The bytes a class file stores for {@code value}: modified UTF-8 (a NUL and supplementary
   * characters take the JVM's own forms). Filters encode their constants once, with this.
   */
  public static byte[] encode(String value) {
    int length = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      length += c != 0 && c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c != 0 && c < 0x80) {
        out[at++] = (byte) c;
      } else if (c < 0x800) {
        out[at++] = (byte) (0xc0 | (c >> 6));
        out[at++] = (byte) (0x80 | (c & 0x3f));
      } else {
        out[at++] = (byte) (0xe0 | (c >> 12));
        out[at++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        out[at++] = (byte) (0x80 | (c & 0x3f));
      }
    }
    return out;
  }

  private void parse() {
    if (parsed) {
      return;
    }
    parsed = true;
    try {
      read();
    } catch (RuntimeException unreadable) { // index out of bounds or an unknown tag
      malformed = true;
      superName = null;
      interfaceNames = new String[0];
      methodAccess = methodNames = methodDescriptors = new int[0];
      utf8Offsets = new int[0];
    }
  }

  private void read() {
    if (readInt(0) != 0xCAFEBABE) {
      throw new IllegalArgumentException("not a class file");
    }
    int count = readUnsignedShort(8);
    utf8Offsets = new int[count];
    classNameIndexes = new int[count];
    int at = 10;
    for (int slot = 1; slot < count; slot++) {
      int tag = bytes[at];
      switch (tag) {
        case CONSTANT_UTF8:
          utf8Offsets[slot] = at + 1;
          at += 3 + readUnsignedShort(at + 1);
          break;
        case 7: // Class
          classNameIndexes[slot] = readUnsignedShort(at + 1);
          at += 3;
          break;
        case 8: case 16: case 19: case 20: // String, MethodType, Module, Package
          at += 3;
          break;
        case 15: // MethodHandle
          at += 4;
          break;
        case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18: // 4-byte entries
          at += 5;
          break;
        case 5: case 6: // Long, Double take two slots
          at += 9;
          slot++;
          break;
        default:
          throw new IllegalArgumentException("unknown constant tag " + tag);
      }
    }
    access = readUnsignedShort(at);
    int superIndex = readUnsignedShort(at + 4);
    superName = superIndex == 0 ? null : className(superIndex);
    if ("java/lang/Object".equals(superName)) {
      superName = null;
    }
    int interfaces = readUnsignedShort(at + 6);
    at += 8;
    interfaceNames = new String[interfaces];
    for (int i = 0; i < interfaces; i++, at += 2) {
      interfaceNames[i] = className(readUnsignedShort(at));
    }
    at = skipMembers(at);
    int methods = readUnsignedShort(at);
    at += 2;
    methodAccess = new int[methods];
    methodNames = new int[methods];
    methodDescriptors = new int[methods];
    for (int i = 0; i < methods; i++) {
      methodAccess[i] = readUnsignedShort(at);
      methodNames[i] = utf8Slot(readUnsignedShort(at + 2));
      methodDescriptors[i] = utf8Slot(readUnsignedShort(at + 4));
      at = skipAttributes(at + 6);
    }
  }

  private int skipMembers(int at) {
    int members = readUnsignedShort(at);
    at += 2;
    for (int i = 0; i < members; i++) {
      at = skipAttributes(at + 6);
    }
    return at;
  }

  private int skipAttributes(int at) {
    int attributes = readUnsignedShort(at);
    at += 2;
    for (int i = 0; i < attributes; i++) {
      at += 6 + readInt(at + 2);
    }
    if (at > bytes.length) {
      throw new IllegalArgumentException("truncated");
    }
    return at;
  }

  private String className(int classSlot) {
    return utf8(classNameIndexes[classSlot]);
  }

  private int utf8Slot(int slot) {
    if (utf8Offsets[slot] == 0) {
      throw new IllegalArgumentException("not a UTF-8 constant: " + slot);
    }
    return slot;
  }

  private boolean utf8Equals(int slot, byte[] value) {
    int offset = utf8Offsets[slot];
    return readUnsignedShort(offset) == value.length && regionEquals(offset + 2, value);
  }

  /** Decodes a UTF-8 constant; class and member names are ASCII nearly always, so that path is first. */
  private String utf8(int slot) {
    int offset = utf8Offsets[utf8Slot(slot)];
    int length = readUnsignedShort(offset);
    int start = offset + 2;
    char[] chars = new char[length];
    int n = 0;
    for (int i = start, end = start + length; i < end; ) {
      int b = bytes[i++] & 0xff;
      if (b < 0x80) {
        chars[n++] = (char) b;
      } else if ((b & 0xe0) == 0xc0) {
        chars[n++] = (char) (((b & 0x1f) << 6) | (bytes[i++] & 0x3f));
      } else {
        chars[n++] = (char) (((b & 0x0f) << 12) | ((bytes[i++] & 0x3f) << 6) | (bytes[i++] & 0x3f));
      }
    }
    return new String(chars, 0, n);
  }

  private boolean regionEquals(int start, byte[] value) {
    if (start + value.length > bytes.length) {
      return false;
    }
    for (int j = 0; j < value.length; j++) {
      if (bytes[start + j] != value[j]) {
        return false;
      }
    }
    return true;
  }

  private int readUnsignedShort(int at) {
    return ((bytes[at] & 0xff) << 8) | (bytes[at + 1] & 0xff);
  }

  private int readInt(int at) {
    return ((bytes[at] & 0xff) << 24) | ((bytes[at + 1] & 0xff) << 16) | ((bytes[at + 2] & 0xff) << 8) | (bytes[at + 3] & 0xff);
  }
}
