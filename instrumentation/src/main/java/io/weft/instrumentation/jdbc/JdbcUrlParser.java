package io.weft.instrumentation.jdbc;

import java.util.Locale;

/**
 * Reads the database system, first server address and port, and database name out of a JDBC URL, or
 * the system out of a driver's product name; runs in the agent loader once per connection, never
 * throws, and never returns user names or passwords. Embedded databases (H2, HSQLDB, Derby, SQLite)
 * have no address and use their name, or their file path as written, as the namespace.
 */
public final class JdbcUrlParser {
  private static final String OTHER_SQL = "other_sql";
  private static final String POSTGRESQL = "postgresql";
  private static final String MYSQL = "mysql";
  private static final String MARIADB = "mariadb";
  private static final String H2 = "h2database";
  private static final String SQL_SERVER = "microsoft.sql_server";
  private static final String ORACLE = "oracle.db";
  private static final String HSQLDB = "hsqldb";
  private static final String DERBY = "derby";
  private static final String DB2 = "ibm.db2";
  private static final String SQLITE = "sqlite";

  private static final JdbcUrlInfo UNKNOWN = new JdbcUrlInfo(OTHER_SQL, null, -1, null);

  // Drivers that wrap another and put its subprotocol after theirs: jdbc:p6spy:postgresql://...
  private static final String[] WRAPPERS = {"p6spy:", "otel:", "log4jdbc:", "aws-wrapper:", "tc:"};

  private JdbcUrlParser() {}

  /** What {@code url} names; {@code other_sql} and unknown fields for anything not understood. */
  public static JdbcUrlInfo parse(String url) {
    if (url == null) {
      return UNKNOWN;
    }
    try {
      return parseUrl(url.trim());
    } catch (RuntimeException e) {
      return UNKNOWN; // unreachable by design: a URL is never worth an exception in the host
    }
  }

  /** The {@code db.system.name} for {@code DatabaseMetaData.getDatabaseProductName()}. */
  public static String dbSystemFromProductName(String productName) {
    if (productName == null) {
      return OTHER_SQL;
    }
    String name = productName.trim().toLowerCase(Locale.ROOT);
    if (name.contains("mariadb")) {
      return MARIADB;
    } else if (name.contains("mysql")) {
      return MYSQL;
    } else if (name.contains("postgres")) {
      return POSTGRESQL;
    } else if (name.equals("h2")) {
      return H2;
    } else if (name.startsWith("hsql")) {
      return HSQLDB;
    } else if (name.contains("derby")) {
      return DERBY;
    } else if (name.startsWith("oracle")) {
      return ORACLE;
    } else if (name.contains("sql server")) {
      return SQL_SERVER;
    } else if (name.startsWith("db2")) {
      return DB2;
    } else if (name.contains("sqlite")) {
      return SQLITE;
    }
    return OTHER_SQL;
  }

  private static JdbcUrlInfo parseUrl(String url) {
    if (!url.regionMatches(true, 0, "jdbc:", 0, 5)) {
      return UNKNOWN;
    }
    int at = 5;
    boolean testcontainers = false;
    for (int round = 0; round < WRAPPERS.length; round++) {
      for (String wrapper : WRAPPERS) {
        if (url.regionMatches(true, at, wrapper, 0, wrapper.length())) {
          at += wrapper.length();
          testcontainers |= wrapper.equals("tc:");
        }
      }
    }
    int colon = url.indexOf(':', at);
    String subprotocol = (colon < 0 ? url.substring(at) : url.substring(at, colon)).toLowerCase(Locale.ROOT);
    String rest = colon < 0 ? "" : url.substring(colon + 1);
    if (testcontainers) {
      return new JdbcUrlInfo(systemOf(subprotocol), null, -1, null); // the container is chosen later
    }
    switch (subprotocol) {
      case "postgresql":
      case "pgsql":
        return network(POSTGRESQL, rest, 5432, "localhost");
      case "h2":
        return h2(rest);
      case "sqlserver":
        return sqlServer(rest);
      case "jtds":
        return rest.regionMatches(true, 0, "sqlserver:", 0, 10)
            ? hierarchical(SQL_SERVER, rest.substring(10), 1433, null) : hierarchical(OTHER_SQL, afterColon(rest), -1, null);
      case "oracle":
        return oracle(rest);
      case "hsqldb":
        return hsqldb(rest);
      case "derby":
        return derby(rest);
      case "db2":
        return db2(rest);
      case "sqlite":
        return sqlite(rest);
      default:
        break;
    }
    if (subprotocol.startsWith("mysql") || subprotocol.startsWith("mariadb")) {
      // jdbc:mysql:loadbalance://, jdbc:mariadb:failover://, jdbc:mysql+srv://
      String system = subprotocol.startsWith("mysql") ? MYSQL : MARIADB;
      int slashes = rest.indexOf("//");
      String afterMode = slashes > 0 && isWord(rest, 0, slashes) ? rest.substring(slashes) : rest;
      return network(system, colon < 0 ? "" : afterMode, 3306, "localhost");
    }
    return rest.startsWith("//") ? hierarchical(OTHER_SQL, rest, -1, null) : UNKNOWN;
  }

  private static String systemOf(String subprotocol) {
    switch (subprotocol) {
      case "postgresql": return POSTGRESQL;
      case "mysql": return MYSQL;
      case "mariadb": return MARIADB;
      case "h2": return H2;
      case "sqlserver": return SQL_SERVER;
      case "oracle": return ORACLE;
      case "hsqldb": return HSQLDB;
      case "derby": return DERBY;
      case "db2": return DB2;
      case "sqlite": return SQLITE;
      default: return OTHER_SQL;
    }
  }

  /** {@code //host:port/db?...}, or a bare {@code db} meaning a database on {@code localHost}. */
  private static JdbcUrlInfo network(String system, String rest, int defaultPort, String localHost) {
    if (rest.startsWith("//")) {
      return hierarchical(system, rest, defaultPort, localHost);
    }
    String database = until(rest, 0, "?;#");
    if (database.isEmpty()) {
      return new JdbcUrlInfo(system, null, -1, null);
    }
    return new JdbcUrlInfo(system, localHost, defaultPort, database);
  }

  /**
   * {@code //[user[:password]@]host[:port][,host2...][/path][?|;|#...]}: everything before the last
   * {@code @} ahead of the parameters is taken for credentials and skipped, so none can leak.
   */
  private static JdbcUrlInfo hierarchical(String system, String rest, int defaultPort, String localHost) {
    String s = rest.startsWith("//") ? rest.substring(2) : rest;
    int limit = indexOfAny(s, 0, "?;#");
    int hostStart = s.lastIndexOf('@', limit - 1) + 1;
    int slash = s.indexOf('/', hostStart);
    if (slash < 0 || slash > limit) {
      slash = limit;
    }
    String[] hostPort = firstHost(s.substring(hostStart, slash), defaultPort);
    String host = hostPort[0] == null ? localHost : hostPort[0];
    int port = host == null ? -1 : parsePort(hostPort[1], defaultPort);
    String path = slash < limit ? s.substring(slash + 1, limit) : "";
    return new JdbcUrlInfo(system, host, port, path.isEmpty() ? null : path);
  }

  /** The first of a comma-separated host list as {host or null, port text or null}. */
  private static String[] firstHost(String hosts, int defaultPort) {
    int depth = 0;
    int end = hosts.length();
    for (int k = 0; k < hosts.length(); k++) {
      char c = hosts.charAt(k);
      if (c == '(' || c == '[') {
        depth++;
      } else if ((c == ')' || c == ']') && depth > 0) {
        depth--;
      } else if (c == ',' && depth == 0) {
        end = k;
        break;
      }
    }
    String host = hosts.substring(0, end).trim();
    if (host.startsWith("[") && host.indexOf(']') > 0 && !host.contains("=")) {
      int close = host.indexOf(']');
      String port = close + 1 < host.length() && host.charAt(close + 1) == ':' ? host.substring(close + 2) : null;
      return new String[] {emptyToNull(host.substring(1, close)), port};
    }
    if (host.indexOf('=') >= 0) {
      // MySQL: address=(host=h)(port=3307)(user=u) or (host=h,port=3307); only host and port are read.
      return new String[] {emptyToNull(valueOf(host, "host")), valueOf(host, "port")};
    }
    int colon = host.indexOf(':');
    if (colon < 0) {
      return new String[] {emptyToNull(host), null};
    }
    return new String[] {emptyToNull(host.substring(0, colon)), host.substring(colon + 1)};
  }

  private static JdbcUrlInfo h2(String rest) {
    String options = until(rest, 0, ";"); // ;DB_CLOSE_DELAY=-1, ;USER=sa;PASSWORD=...
    if (startsWithIgnoreCase(options, "tcp://") || startsWithIgnoreCase(options, "ssl://")) {
      JdbcUrlInfo remote = hierarchical(H2, options.substring(4), 9092, null);
      return new JdbcUrlInfo(H2, remote.serverAddress(), remote.serverPort(), h2Name(remote.namespace()));
    }
    return new JdbcUrlInfo(H2, null, -1, h2Name(options));
  }

  private static String h2Name(String database) {
    if (database == null) {
      return null;
    }
    String name = database;
    if (startsWithIgnoreCase(name, "mem:")) {
      name = name.substring(4);
    } else if (startsWithIgnoreCase(name, "file:")) {
      name = name.substring(5);
    }
    return emptyToNull(name);
  }

  /** {@code //host\instance:port;databaseName=db;...}; only server, port, instance, database read. */
  private static JdbcUrlInfo sqlServer(String rest) {
    String s = rest.startsWith("//") ? rest.substring(2) : rest;
    int semicolon = s.indexOf(';');
    String server = semicolon < 0 ? s : s.substring(0, semicolon);
    server = server.substring(server.lastIndexOf('@') + 1);
    String port = null;
    String instance = null;
    String database = null;
    int colon = server.startsWith("[") ? server.indexOf(':', Math.max(server.indexOf(']'), 0)) : server.lastIndexOf(':');
    if (colon >= 0) {
      port = server.substring(colon + 1);
      server = server.substring(0, colon);
    }
    int backslash = server.indexOf('\\');
    if (backslash >= 0) {
      instance = server.substring(backslash + 1);
      server = server.substring(0, backslash);
    }
    if (server.startsWith("[") && server.endsWith("]")) {
      server = server.substring(1, server.length() - 1);
    }
    String host = emptyToNull(server.trim());
    int at = semicolon;
    while (at >= 0 && at < s.length()) {
      int next = s.indexOf(';', at + 1);
      int end = next < 0 ? s.length() : next;
      int equals = s.indexOf('=', at + 1);
      if (equals > at && equals < end) {
        String key = s.substring(at + 1, equals).trim().toLowerCase(Locale.ROOT);
        String value = unbrace(s.substring(equals + 1, end).trim());
        switch (key) {
          case "databasename":
          case "database":
            database = value;
            break;
          case "servername":
          case "server":
            if (host == null) {
              host = emptyToNull(value);
            }
            break;
          case "portnumber":
          case "port":
            port = value;
            break;
          case "instancename":
            instance = value;
            break;
          default:
            break; // user, password and the rest are never read
        }
      }
      at = next;
    }
    // A named instance without a port is found through the SQL Server Browser: port unknown.
    int defaultPort = instance == null || instance.isEmpty() ? 1433 : -1;
    return new JdbcUrlInfo(SQL_SERVER, host, host == null ? -1 : parsePort(port, defaultPort), emptyToNull(database));
  }

  /** {@code thin:[user/password]@...}: a descriptor, {@code //host:port/service} or {@code host:port:SID}. */
  private static JdbcUrlInfo oracle(String rest) {
    int descriptor = rest.indexOf('(');
    int at = descriptor < 0 ? rest.lastIndexOf('@') : rest.lastIndexOf('@', descriptor);
    if (at < 0) {
      return new JdbcUrlInfo(ORACLE, null, -1, null);
    }
    String s = rest.substring(at + 1).trim();
    if (s.startsWith("(")) {
      String host = valueOf(s, "host");
      String service = valueOf(s, "service_name");
      String namespace = service != null ? service : valueOf(s, "sid");
      host = emptyToNull(host);
      return new JdbcUrlInfo(ORACLE, host, host == null ? -1 : parsePort(valueOf(s, "port"), 1521), emptyToNull(namespace));
    }
    int scheme = s.indexOf("://");
    if (scheme >= 0 && isWord(s, 0, scheme)) {
      s = s.substring(scheme + 3); // tcp://, tcps://
    } else if (s.startsWith("//")) {
      s = s.substring(2);
    }
    s = until(s, 0, "?");
    int hostEnd;
    if (s.startsWith("[")) {
      hostEnd = s.indexOf(']') + 1;
      if (hostEnd == 0) {
        return new JdbcUrlInfo(ORACLE, null, -1, null);
      }
    } else {
      hostEnd = indexOfAny(s, 0, ":/");
    }
    if (hostEnd == s.length()) {
      return new JdbcUrlInfo(ORACLE, null, -1, null); // a TNS alias, not a host we can name
    }
    String host = s.substring(0, hostEnd);
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    String port = null;
    int next = hostEnd;
    if (s.charAt(next) == ':') {
      int portEnd = indexOfAny(s, next + 1, ":/");
      port = s.substring(next + 1, portEnd);
      next = portEnd;
    }
    String namespace = null;
    if (next < s.length()) {
      // host:port:SID, or host:port/service[:server][/instance]
      namespace = until(s, next + 1, ":/");
    }
    host = emptyToNull(host);
    return new JdbcUrlInfo(ORACLE, host, host == null ? -1 : parsePort(port, 1521), emptyToNull(namespace));
  }

  private static JdbcUrlInfo hsqldb(String rest) {
    String s = until(rest, 0, ";");
    String[][] remotes = {{"hsql:", "9001"}, {"hsqls:", "554"}, {"http:", "80"}, {"https:", "443"}};
    for (String[] remote : remotes) {
      if (startsWithIgnoreCase(s, remote[0]) && s.startsWith("//", remote[0].length())) {
        return hierarchical(HSQLDB, s.substring(remote[0].length()), Integer.parseInt(remote[1]), null);
      }
    }
    return new JdbcUrlInfo(HSQLDB, null, -1, emptyToNull(stripPrefix(s, "mem:", "file:", "res:")));
  }

  private static JdbcUrlInfo derby(String rest) {
    String s = until(rest, 0, ";"); // ;create=true;user=...;password=...
    if (s.startsWith("//")) {
      return hierarchical(DERBY, s, 1527, null);
    }
    return new JdbcUrlInfo(DERBY, null, -1, emptyToNull(stripPrefix(s, "memory:", "directory:")));
  }

  private static JdbcUrlInfo db2(String rest) {
    if (rest.startsWith("//")) {
      JdbcUrlInfo info = hierarchical(DB2, rest, 50000, null);
      String database = info.namespace() == null ? null : emptyToNull(until(info.namespace(), 0, ":"));
      return new JdbcUrlInfo(DB2, info.serverAddress(), info.serverPort(), database); // db:key=value;
    }
    return new JdbcUrlInfo(DB2, null, -1, emptyToNull(until(rest, 0, ":;")));
  }

  private static JdbcUrlInfo sqlite(String rest) {
    String s = stripPrefix(until(rest, 0, "?"), "file:");
    return new JdbcUrlInfo(SQLITE, null, -1, s.isEmpty() || s.equals(":memory:") ? null : s);
  }

  /** The value of {@code key=} (any case) up to the next {@code ) , ;}, or {@code null}. */
  private static String valueOf(String s, String key) {
    int from = 0;
    while (true) {
      int at = indexOfIgnoreCase(s, key, from);
      if (at < 0) {
        return null;
      }
      int after = at + key.length();
      boolean startsKey = at == 0 || s.charAt(at - 1) == '(' || s.charAt(at - 1) == ',' || s.charAt(at - 1) == ' ';
      int equals = after;
      while (equals < s.length() && s.charAt(equals) == ' ') {
        equals++;
      }
      if (startsKey && equals < s.length() && s.charAt(equals) == '=') {
        return until(s, equals + 1, "),;(").trim();
      }
      from = at + 1;
    }
  }

  private static int indexOfIgnoreCase(String s, String word, int from) {
    int last = s.length() - word.length();
    for (int k = from; k <= last; k++) {
      if (s.regionMatches(true, k, word, 0, word.length())) {
        return k;
      }
    }
    return -1;
  }

  /** A port from 1 to 65535; absent or empty gives {@code defaultPort}, anything else -1. */
  private static int parsePort(String text, int defaultPort) {
    if (text == null || text.trim().isEmpty()) {
      return defaultPort;
    }
    String digits = text.trim();
    if (digits.length() > 5) {
      return -1;
    }
    int port = 0;
    for (int k = 0; k < digits.length(); k++) {
      char c = digits.charAt(k);
      if (c < '0' || c > '9') {
        return -1;
      }
      port = port * 10 + (c - '0');
    }
    return port >= 1 && port <= 65535 ? port : -1;
  }

  private static String unbrace(String value) {
    return value.length() >= 2 && value.startsWith("{") && value.endsWith("}") ? value.substring(1, value.length() - 1) : value;
  }

  private static String stripPrefix(String s, String... prefixes) {
    for (String prefix : prefixes) {
      if (startsWithIgnoreCase(s, prefix)) {
        return s.substring(prefix.length());
      }
    }
    return s;
  }

  private static String afterColon(String s) {
    int colon = s.indexOf(':');
    return colon < 0 ? "" : s.substring(colon + 1);
  }

  private static boolean startsWithIgnoreCase(String s, String prefix) {
    return s.regionMatches(true, 0, prefix, 0, prefix.length());
  }

  /** Whether {@code s[from, to)} is letters, digits, {@code - + :} only: a mode such as {@code loadbalance:}. */
  private static boolean isWord(String s, int from, int to) {
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      if (!Character.isLetterOrDigit(c) && c != '-' && c != '+' && c != ':') {
        return false;
      }
    }
    return true;
  }

  /** The text from {@code from} up to the first of {@code stops}, or to the end. */
  private static String until(String s, int from, String stops) {
    return from >= s.length() ? "" : s.substring(from, indexOfAny(s, from, stops));
  }

  private static int indexOfAny(String s, int from, String chars) {
    for (int k = from; k < s.length(); k++) {
      if (chars.indexOf(s.charAt(k)) >= 0) {
        return k;
      }
    }
    return s.length();
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
