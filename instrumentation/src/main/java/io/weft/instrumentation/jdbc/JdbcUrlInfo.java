package io.weft.instrumentation.jdbc;

import java.util.Objects;

/**
 * What a JDBC URL tells about the database it names, as {@code db.*} and {@code server.*} attribute
 * values; never holds a user name or a password. Made by {@link JdbcUrlParser} in the agent loader.
 */
public final class JdbcUrlInfo {
  private final String dbSystemName;
  private final String serverAddress;
  private final int serverPort;
  private final String namespace;

  JdbcUrlInfo(String dbSystemName, String serverAddress, int serverPort, String namespace) {
    this.dbSystemName = dbSystemName;
    this.serverAddress = serverAddress;
    this.serverPort = serverPort;
    this.namespace = namespace;
  }

  /** {@code db.system.name}: {@code postgresql}, {@code mysql}, ...; {@code other_sql}, never null. */
  public String dbSystemName() {
    return dbSystemName;
  }

  /** {@code server.address} of the first listed host, or {@code null} (embedded or unknown). */
  public String serverAddress() {
    return serverAddress;
  }

  /** {@code server.port}, the system's default when the URL names none; {@code -1} when unknown. */
  public int serverPort() {
    return serverPort;
  }

  /** {@code db.namespace}: the database, service or SID, or an embedded database's name or path. */
  public String namespace() {
    return namespace;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof JdbcUrlInfo)) {
      return false;
    }
    JdbcUrlInfo that = (JdbcUrlInfo) other;
    return serverPort == that.serverPort && dbSystemName.equals(that.dbSystemName)
        && Objects.equals(serverAddress, that.serverAddress) && Objects.equals(namespace, that.namespace);
  }

  @Override
  public int hashCode() {
    return Objects.hash(dbSystemName, serverAddress, serverPort, namespace);
  }

  @Override
  public String toString() {
    return dbSystemName + " " + serverAddress + ":" + serverPort + " " + namespace;
  }
}
