package io.weft.instrumentation.jdbc;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.weft.instrumentation.InstrumentationConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code OTEL_INSTRUMENTATION_COMMON_PEER_SERVICE_MAPPING}, as the OpenTelemetry agent reads it: {@code
 * host=name} or {@code host:port=name} entries, comma-separated, naming the service behind a database's address, so
 * a service map shows {@code orders-db} rather than {@code 10.0.3.7}. The name goes on the CLIENT span as {@code
 * peer.service}, the attribute that agent sends by default; {@code service.peer} in {@code
 * OTEL_SEMCONV_STABILITY_OPT_IN} sends the conventions' newer {@code service.peer.name} instead, {@code
 * service.peer/dup} both. An entry for the address and port wins over one for the address alone; addresses compare
 * without case. Looked up once per database (a connection's facts are cached), never per statement. Agent loader.
 */
final class PeerServices {
  static final String KEY = "otel.instrumentation.common.peer-service-mapping";
  static final AttributeKey<String> PEER_SERVICE = AttributeKey.stringKey("peer.service");
  static final AttributeKey<String> SERVICE_PEER_NAME = AttributeKey.stringKey("service.peer.name");

  static final PeerServices NONE = new PeerServices(new HashMap<>(), true, false);

  /** "host" or "host:port" (lower case) to the service's name. */
  private final Map<String, String> names;
  private final boolean old;
  private final boolean stable;

  private PeerServices(Map<String, String> names, boolean old, boolean stable) {
    this.names = names;
    this.old = old;
    this.stable = stable;
  }

  /** The mapping configured; a malformed entry is one line naming it, and the others apply. */
  static PeerServices from(InstrumentationConfig config) {
    List<String> entries = config.getList(KEY);
    Map<String, String> names = new HashMap<>();
    for (String entry : entries) {
      String key = key(entry);
      int equals = entry.indexOf('=');
      String name = equals < 0 ? "" : entry.substring(equals + 1).trim();
      if (key == null || name.isEmpty()) {
        config.warn("OTEL_INSTRUMENTATION_COMMON_PEER_SERVICE_MAPPING: ignoring the malformed entry '"
            + InstrumentationConfig.printable(entry) + "' (expected host=name or host:port=name)");
        continue;
      }
      names.put(key, name); // a host given twice: the last entry wins, as the OpenTelemetry agent reads a map
    }
    boolean old = true;
    boolean stable = false;
    for (String token : config.getList("otel.semconv-stability.opt-in")) {
      if (token.equalsIgnoreCase("service.peer")) {
        old = false;
        stable = true;
      } else if (token.equalsIgnoreCase("service.peer/dup")) {
        old = true;
        stable = true;
      }
    }
    return names.isEmpty() ? NONE : new PeerServices(names, old, stable);
  }

  /**
   * The entry's address, {@code host} or {@code host:port} ({@code [v6]:port}), lower case; null when it has none. A
   * scheme ({@code https://}) is skipped. An entry with a path is for an HTTP client's URL: it is kept under a key no
   * database address matches.
   */
  static String key(String entry) {
    int equals = entry.indexOf('=');
    if (equals <= 0) {
      return null;
    }
    String address = entry.substring(0, equals).trim().toLowerCase(Locale.ROOT);
    int scheme = address.indexOf("://");
    if (scheme >= 0) {
      address = address.substring(scheme + 3);
    }
    int slash = address.indexOf('/');
    if (slash == 0) {
      return null;
    }
    if (slash > 0) {
      return address;
    }
    String host;
    String port = null;
    if (address.startsWith("[")) {
      int close = address.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = address.substring(1, close);
      String rest = address.substring(close + 1);
      if (rest.startsWith(":")) {
        port = rest.substring(1);
      } else if (!rest.isEmpty()) {
        return null;
      }
    } else {
      int colon = address.indexOf(':');
      if (colon >= 0 && colon == address.lastIndexOf(':')) {
        host = address.substring(0, colon);
        port = address.substring(colon + 1);
      } else {
        host = address; // no port, or a bare IPv6 address
      }
    }
    if (host.isEmpty()) {
      return null;
    }
    if (port == null) {
      return host;
    }
    try {
      int number = Integer.parseInt(port);
      return number > 0 && number <= 65_535 ? host + ":" + number : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  boolean isEmpty() {
    return names.isEmpty();
  }

  /** The service at this address ({@code port} below 1: none known), or null. */
  String resolve(String address, int port) {
    if (address == null || names.isEmpty()) {
      return null;
    }
    String host = stripBrackets(address.toLowerCase(Locale.ROOT));
    String name = port > 0 ? names.get(host + ":" + port) : null;
    return name != null ? name : names.get(host);
  }

  /** The span attributes naming the service at this address: none when the mapping does not name it. */
  Attributes attributes(String address, int port) {
    String name = resolve(address, port);
    if (name == null) {
      return Attributes.empty();
    }
    AttributesBuilder builder = Attributes.builder();
    if (old) {
      builder.put(PEER_SERVICE, name);
    }
    if (stable) {
      builder.put(SERVICE_PEER_NAME, name);
    }
    return builder.build();
  }
}
