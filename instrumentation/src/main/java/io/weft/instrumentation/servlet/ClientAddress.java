package io.weft.instrumentation.servlet;

/**
 * Picks {@code client.address} for a server span: the first {@code Forwarded} {@code for=}, else the
 * first {@code X-Forwarded-For} entry, else the peer's address. Pure; runs per request in the agent
 * class loader. Both headers are client-controlled: the value is a hint, never an authenticated
 * identity.
 */
public final class ClientAddress {

  // longer than any IPv6 literal with a zone id, short enough to keep junk out of the attribute
  private static final int MAX_LENGTH = 64;

  private ClientAddress() {}

  /**
   * The client address, with port, quotes and IPv6 brackets removed; a header whose first entry is
   * missing, {@code unknown}, obfuscated ({@code _hidden}) or not address-like is skipped. Returns a
   * substring of a header, or {@code remoteAddress} itself, possibly {@code null}.
   */
  public static String resolve(String forwarded, String xForwardedFor, String remoteAddress) {
    String address = fromForwarded(forwarded);
    if (address == null) {
      address = fromXForwardedFor(xForwardedFor);
    }
    return address != null ? address : remoteAddress;
  }

  /** The node of the first {@code for=} in the first element of a {@code Forwarded} header (RFC 7239). */
  static String fromForwarded(String header) {
    if (header == null) {
      return null;
    }
    int elementEnd = header.indexOf(',');
    if (elementEnd < 0) {
      elementEnd = header.length();
    }
    int pair = 0;
    while (pair < elementEnd) {
      int pairEnd = header.indexOf(';', pair);
      if (pairEnd < 0 || pairEnd > elementEnd) {
        pairEnd = elementEnd;
      }
      int name = skipSpaces(header, pair, pairEnd);
      if (header.regionMatches(true, name, "for=", 0, 4) && name + 4 <= pairEnd) {
        return node(header, name + 4, pairEnd);
      }
      pair = pairEnd + 1;
    }
    return null;
  }

  /** The first entry of an {@code X-Forwarded-For} list. */
  static String fromXForwardedFor(String header) {
    if (header == null) {
      return null;
    }
    int end = header.indexOf(',');
    return node(header, 0, end < 0 ? header.length() : end);
  }

  /** An address from {@code [from, to)}: trimmed, unquoted, unbracketed, without port; or null. */
  private static String node(String s, int from, int to) {
    from = skipSpaces(s, from, to);
    while (to > from && s.charAt(to - 1) <= ' ') {
      to--;
    }
    if (to - from >= 2 && s.charAt(from) == '"' && s.charAt(to - 1) == '"') {
      from++;
      to--;
    }
    if (from < to && s.charAt(from) == '[') {
      int close = s.indexOf(']', from);
      if (close < 0 || close >= to) {
        return null;
      }
      from++;
      to = close;
    } else {
      int colon = indexOf(s, ':', from, to);
      // exactly one ':' is host:port; more is a bare IPv6 literal
      if (colon >= 0 && indexOf(s, ':', colon + 1, to) < 0) {
        to = colon;
      }
    }
    if (to <= from || to - from > MAX_LENGTH || !isAddressLike(s, from, to)) {
      return null;
    }
    if (s.charAt(from) == '_' || s.regionMatches(true, from, "unknown", 0, 7) && to - from == 7) {
      return null;
    }
    return from == 0 && to == s.length() ? s : s.substring(from, to);
  }

  // IPv4, IPv6 (with a zone id after '%') and the host names some proxies send
  private static boolean isAddressLike(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      boolean allowed =
          (c >= '0' && c <= '9')
              || (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || c == '.' || c == ':' || c == '%' || c == '-' || c == '_';
      if (!allowed) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(String s, char c, int from, int to) {
    int i = s.indexOf(c, from);
    return i < to ? i : -1;
  }

  private static int skipSpaces(String s, int from, int to) {
    while (from < to && s.charAt(from) <= ' ') {
      from++;
    }
    return from;
  }
}
