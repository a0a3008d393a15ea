package io.weft.instrumentation.servlet;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Replaces the values of sensitive query parameters with {@code REDACTED} before the query becomes
 * {@code url.query}. Built once from configuration; {@link #redact} runs per request in the agent
 * class loader.
 */
public final class QueryRedactor {

  /** What a sensitive value becomes. */
  public static final String REDACTED = "REDACTED";

  /**
   * Parameter names whose values are always redacted, compared ignoring ASCII case: credentials,
   * signed-URL parts (AWS SigV2/SigV4, Google Cloud Storage, Azure SAS {@code sig}) and session ids.
   * {@code WEFT_HTTP_SENSITIVE_QUERY_PARAMETERS} adds to this list; it cannot remove from it.
   */
  public static final List<String> DEFAULT_SENSITIVE_NAMES =
      List.of(
          "password", "passwd", "pwd", "secret", "client_secret",
          "token", "access_token", "refresh_token", "id_token",
          "api_key", "apikey", "api-key", "key",
          "auth", "authorization", "session", "sessionid", "jsessionid",
          "AWSAccessKeyId", "Signature", "sig", "X-Amz-Signature", "X-Amz-Credential",
          "X-Amz-Security-Token", "X-Goog-Signature", "X-Goog-Credential");

  private static final QueryRedactor DEFAULTS = new QueryRedactor(DEFAULT_SENSITIVE_NAMES);

  // names as lower-cased UTF-8 bytes, grouped by byte length: a key is decoded in place and compared
  // only with the names of its decoded length, so nothing is allocated unless a value is redacted
  private final byte[][][] namesByLength;

  private QueryRedactor(Collection<String> names) {
    List<byte[]> encoded = new ArrayList<>();
    int longest = 0;
    for (String name : names) {
      if (name == null || name.isBlank()) {
        continue;
      }
      byte[] bytes = name.trim().getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) lowerAscii(bytes[i] & 0xFF);
      }
      encoded.add(bytes);
      longest = Math.max(longest, bytes.length);
    }
    int[] counts = new int[longest + 1];
    for (byte[] name : encoded) {
      counts[name.length]++;
    }
    byte[][][] byLength = new byte[longest + 1][][];
    for (int length = 0; length <= longest; length++) {
      byLength[length] = new byte[counts[length]][];
    }
    for (byte[] name : encoded) {
      byLength[name.length][--counts[name.length]] = name;
    }
    this.namesByLength = byLength;
  }

  /** Redacts {@link #DEFAULT_SENSITIVE_NAMES}. */
  public static QueryRedactor defaults() {
    return DEFAULTS;
  }

  /**
   * Redacts {@link #DEFAULT_SENSITIVE_NAMES} plus {@code extraNames} (the parsed
   * {@code WEFT_HTTP_SENSITIVE_QUERY_PARAMETERS}); blank and {@code null} entries are skipped.
   */
  public static QueryRedactor withExtraNames(Collection<String> extraNames) {
    if (extraNames == null || extraNames.isEmpty()) {
      return DEFAULTS;
    }
    List<String> names = new ArrayList<>(DEFAULT_SENSITIVE_NAMES);
    names.addAll(extraNames);
    return new QueryRedactor(names);
  }

  /**
   * The query (the raw text after {@code ?}) with each sensitive parameter's non-empty value replaced
   * by {@link #REDACTED}; the key is kept as sent. Parameters are separated by {@code &} only; a name is
   * percent-decoded (and {@code +} read as a space) for the comparison, and malformed escapes are
   * compared literally. Returns {@code query} itself, {@code null} included, when nothing is redacted.
   * Linear in the length; never truncates: the result is at most 7 chars longer per redacted value,
   * and {@code OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT} still applies when the SDK records it.
   */
  public String redact(String query) {
    if (query == null) {
      return null;
    }
    StringBuilder out = null;
    int copied = 0; // query[0, copied) is already in out
    int length = query.length();
    int start = 0;
    int equals = -1;
    while (start <= length) {
      int end = query.indexOf('&', start);
      if (end < 0) {
        end = length;
      }
      if (equals < start) {
        // searched again only once passed, so "a&a&a..." without '=' stays linear
        equals = query.indexOf('=', start);
        if (equals < 0) {
          equals = Integer.MAX_VALUE;
        }
      }
      if (equals < end - 1 && isSensitive(query, start, equals)) {
        if (out == null) {
          out = new StringBuilder(length + REDACTED.length());
        }
        out.append(query, copied, equals + 1).append(REDACTED);
        copied = end;
      }
      start = end + 1;
    }
    if (out == null) {
      return query;
    }
    return out.append(query, copied, length).toString();
  }

  /**
   * The path with the values of its sensitive path parameters ({@code /login;jsessionid=...}, the servlet way of
   * carrying a session in the URL, or any other {@code ;name=value} of a segment whose name is sensitive) replaced by
   * {@link #REDACTED}. Returns {@code path} itself, {@code null} included, when it has no {@code ;} or nothing is
   * redacted; linear in the length.
   */
  public String redactPath(String path) {
    if (path == null) {
      return null;
    }
    int semicolon = path.indexOf(';');
    if (semicolon < 0) {
      return path;
    }
    StringBuilder out = null;
    int copied = 0; // path[0, copied) is already in out
    int length = path.length();
    int start = semicolon + 1; // a parameter's name starts here
    while (true) {
      int end = start;
      int equals = -1;
      while (end < length && path.charAt(end) != ';' && path.charAt(end) != '/') {
        if (equals < 0 && path.charAt(end) == '=') {
          equals = end;
        }
        end++;
      }
      if (equals >= 0 && equals < end - 1 && isSensitive(path, start, equals)) {
        if (out == null) {
          out = new StringBuilder(length + REDACTED.length());
        }
        out.append(path, copied, equals + 1).append(REDACTED);
        copied = end;
      }
      int next = end < length && path.charAt(end) == ';' ? end : path.indexOf(';', end);
      if (next < 0) {
        break;
      }
      start = next + 1;
    }
    return out == null ? path : out.append(path, copied, length).toString();
  }

  /** Whether a parameter of this name (compared as in a query, ASCII case ignored) has its values redacted. */
  public boolean isSensitiveName(String name) {
    return name != null && isSensitive(name, 0, name.length());
  }

  private boolean isSensitive(String query, int from, int to) {
    int decodedLength = decodedLength(query, from, to, namesByLength.length - 1);
    if (decodedLength < 0) {
      return false;
    }
    for (byte[] name : namesByLength[decodedLength]) {
      if (decodedEquals(query, from, to, name)) {
        return true;
      }
    }
    return false;
  }

  /** Length in bytes of the decoded name, or -1 as soon as it passes {@code limit}. */
  private static int decodedLength(String s, int from, int to, int limit) {
    int length = 0;
    int i = from;
    while (i < to) {
      char c = s.charAt(i);
      if (c == '%' && isEscape(s, i, to)) {
        length++;
        i += 3;
      } else if (c < 0x80) {
        length++;
        i++;
      } else {
        int codePoint = s.codePointAt(i);
        length += utf8Length(codePoint);
        i += Character.charCount(codePoint);
      }
      if (length > limit) {
        return -1;
      }
    }
    return length;
  }

  private static boolean decodedEquals(String s, int from, int to, byte[] name) {
    int j = 0;
    int i = from;
    while (i < to) {
      char c = s.charAt(i);
      if (c == '%' && isEscape(s, i, to)) {
        int b = hex(s.charAt(i + 1)) << 4 | hex(s.charAt(i + 2));
        if (lowerAscii(b) != (name[j++] & 0xFF)) {
          return false;
        }
        i += 3;
      } else if (c < 0x80) {
        if (lowerAscii(c == '+' ? ' ' : c) != (name[j++] & 0xFF)) {
          return false;
        }
        i++;
      } else {
        // a raw non-ASCII char compares as its UTF-8 bytes, so "p%C3%A4ss" and "päss" are one name
        int codePoint = s.codePointAt(i);
        int bytes = utf8Length(codePoint);
        for (int k = 0; k < bytes; k++) {
          if (utf8Byte(codePoint, bytes, k) != (name[j++] & 0xFF)) {
            return false;
          }
        }
        i += Character.charCount(codePoint);
      }
    }
    return j == name.length;
  }

  private static boolean isEscape(String s, int i, int to) {
    return i + 2 < to && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0;
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static int lowerAscii(int b) {
    return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
  }

  private static int utf8Length(int codePoint) {
    if (codePoint < 0x80) {
      return 1;
    }
    if (codePoint < 0x800) {
      return 2;
    }
    return codePoint < 0x10000 ? 3 : 4;
  }

  /** Byte {@code index} (0 = first) of the {@code length}-byte UTF-8 form of {@code codePoint}. */
  private static int utf8Byte(int codePoint, int length, int index) {
    if (index == 0) {
      int lead = length == 1 ? 0 : length == 2 ? 0xC0 : length == 3 ? 0xE0 : 0xF0;
      return lead | (codePoint >> (6 * (length - 1)));
    }
    return 0x80 | ((codePoint >> (6 * (length - 1 - index))) & 0x3F);
  }
}
