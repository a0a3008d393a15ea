package io.weft.instrumentation.jdbc;

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

  FakeJdbc(String url, String productName) {
    this.url = url;
    this.productName = productName;
    DatabaseMetaData metaData = proxy(DatabaseMetaData.class, (name) -> {
      switch (name) {
        case "getURL":
          return url;
        case "getDatabaseProductName":
          return productName;
        default:
          return null;
      }
    });
    this.connection = proxy(Connection.class, name -> {
      if (name.equals("getMetaData")) {
        metaDataCalls.incrementAndGet();
        return metaData;
      }
      return null;
    });
  }

  Statement statement() {
    return proxy(Statement.class, name -> name.equals("getConnection") ? connection : null);
  }

  PreparedStatement prepared() {
    return proxy(PreparedStatement.class, name -> name.equals("getConnection") ? connection : null);
  }

  interface Answer {
    Object answer(String methodName);
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, Answer answer) {
    return (T) Proxy.newProxyInstance(FakeJdbc.class.getClassLoader(), new Class<?>[] {type},
        (self, method, args) -> {
          switch (method.getName()) {
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
