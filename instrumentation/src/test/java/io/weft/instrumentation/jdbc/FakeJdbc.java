package io.weft.instrumentation.jdbc;

import io.weft.bridge.StateCarrier;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/** Statements and connections made of proxies, for driving {@link JdbcTracer} without a driver. */
final class FakeJdbc {

  final String url;
  final String productName;
  final AtomicInteger metaDataCalls = new AtomicInteger();
  final Connection connection;
  /** Whether its statements and connection are {@link StateCarrier}s, as classes woven while they load are. */
  final boolean carriers;

  FakeJdbc(String url, String productName) {
    this(url, productName, false);
  }

  FakeJdbc(String url, String productName, boolean carriers) {
    this.carriers = carriers;
    this.url = url;
    this.productName = productName;
    DatabaseMetaData metaData = proxy(DatabaseMetaData.class, false, (name) -> {
      switch (name) {
        case "getURL":
          return url;
        case "getDatabaseProductName":
          return productName;
        default:
          return null;
      }
    });
    this.connection = proxy(Connection.class, carriers, name -> {
      if (name.equals("getMetaData")) {
        metaDataCalls.incrementAndGet();
        return metaData;
      }
      return null;
    });
  }

  Statement statement() {
    return proxy(Statement.class, carriers, name -> name.equals("getConnection") ? connection : null);
  }

  PreparedStatement prepared() {
    return proxy(PreparedStatement.class, carriers, name -> name.equals("getConnection") ? connection : null);
  }

  interface Answer {
    Object answer(String methodName);
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, boolean carrier, Answer answer) {
    Class<?>[] types = carrier ? new Class<?>[] {type, StateCarrier.class} : new Class<?>[] {type};
    Object[] state = new Object[1];
    return (T) Proxy.newProxyInstance(FakeJdbc.class.getClassLoader(), types,
        (self, method, args) -> {
          switch (method.getName()) {
            case "weft$state":
              if (args == null) {
                return state[0];
              }
              state[0] = args[0];
              return null;
            case "hashCode":
              return System.identityHashCode(self);
            case "equals":
              return self == args[0];
            case "toString":
              return type.getSimpleName();
            default:
              return answer.answer(method.getName());
          }
        });
  }
}
