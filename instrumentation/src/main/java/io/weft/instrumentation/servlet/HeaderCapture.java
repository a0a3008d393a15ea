package io.weft.instrumentation.servlet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The request and response headers to record as {@code http.request.header.<name>} and
 * {@code http.response.header.<name>}, from {@code OTEL_INSTRUMENTATION_HTTP_SERVER_CAPTURE_*_HEADERS}.
 * Built once in the agent class loader; the per-request loop reads names and keys by index.
 */
public final class HeaderCapture {

  /** What a sensitive header's value becomes. */
  public static final String REDACTED = "REDACTED";

  /**
   * Headers whose values are recorded as {@link #REDACTED} even when configured: credentials, session
   * cookies, API keys and session-bound tokens. The header still shows up, so its presence is visible.
   */
  public static final List<String> SENSITIVE_HEADERS =
      List.of(
          "authorization", "proxy-authorization", "cookie", "set-cookie",
          "x-api-key", "x-auth-token", "x-amz-security-token", "x-goog-api-key",
          "x-csrf-token", "x-xsrf-token");

  private static final Set<String> SENSITIVE = Set.copyOf(SENSITIVE_HEADERS);

  private final List<String> requestNames;
  private final String[] requestKeys;
  private final List<String> responseNames;
  private final String[] responseKeys;
  private final List<String> rejected;

  private HeaderCapture(List<String> requestHeaders, List<String> responseHeaders) {
    List<String> rejectedNames = new ArrayList<>();
    this.requestNames = validNames(requestHeaders, rejectedNames);
    this.requestKeys = keys("http.request.header.", requestNames);
    this.responseNames = validNames(responseHeaders, rejectedNames);
    this.responseKeys = keys("http.response.header.", responseNames);
    this.rejected = Collections.unmodifiableList(rejectedNames);
  }

  /**
   * Captures the given headers ({@code null} means none). Names are trimmed and lower-cased;
   * duplicates are dropped; a name that is blank or not an RFC 9110 token is left out and listed in
   * {@link #rejectedNames()}.
   */
  public static HeaderCapture of(List<String> requestHeaders, List<String> responseHeaders) {
    return new HeaderCapture(requestHeaders, responseHeaders);
  }

  /** Lower-cased request header names to read, in configured order. */
  public List<String> requestHeaderNames() {
    return requestNames;
  }

  /** {@code http.request.header.<name>} for {@code requestHeaderNames().get(index)}. */
  public String requestAttributeKey(int index) {
    return requestKeys[index];
  }

  /** Lower-cased response header names to read, in configured order. */
  public List<String> responseHeaderNames() {
    return responseNames;
  }

  /** {@code http.response.header.<name>} for {@code responseHeaderNames().get(index)}. */
  public String responseAttributeKey(int index) {
    return responseKeys[index];
  }

  /** Configured names that were ignored, as given, for one warning at startup; often empty. */
  public List<String> rejectedNames() {
    return rejected;
  }

  /** Whether the (lower-case) header's values are always {@link #REDACTED}. */
  public static boolean isSensitive(String lowerName) {
    return lowerName != null && SENSITIVE.contains(lowerName);
  }

  /** The value to record: {@link #REDACTED} for a sensitive header, else {@code rawValue} itself. */
  public static String valueFor(String lowerName, String rawValue) {
    if (rawValue == null) {
      return null;
    }
    return isSensitive(lowerName) ? REDACTED : rawValue;
  }

  private static List<String> validNames(List<String> configured, List<String> rejectedNames) {
    if (configured == null) {
      return List.of();
    }
    Set<String> names = new LinkedHashSet<>();
    for (String name : configured) {
      if (name == null) {
        continue;
      }
      String trimmed = name.trim();
      if (isToken(trimmed)) {
        names.add(trimmed.toLowerCase(Locale.ROOT));
      } else {
        rejectedNames.add(name);
      }
    }
    return List.copyOf(names);
  }

  private static String[] keys(String prefix, List<String> names) {
    String[] keys = new String[names.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = prefix + names.get(i);
    }
    return keys;
  }

  // token = 1*tchar (RFC 9110 section 5.6.2)
  private static boolean isToken(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean alphaNumeric =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alphaNumeric && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }
}
