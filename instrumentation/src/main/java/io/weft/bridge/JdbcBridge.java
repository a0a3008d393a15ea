package io.weft.bridge;

/**
 * The door from woven JDBC advice into the agent. Loaded by the bootstrap class loader so that driver
 * and pool classes in any class loader can call it; {@code java.sql} is not visible from bootstrap,
 * so statements travel as {@code Object} and the agent side casts them.
 */
public final class JdbcBridge {

  /**
   * Until the agent installs its handler: waits at the {@link StartupGate}, then hands over; also for
   * the calls that only record a statement's SQL, which the first traced execution needs.
   */
  private static final Handler STARTING =
      new Handler() {
        @Override
        public Object execute(Object statement, String sql) {
          Handler ready = await(this);
          return ready == null ? null : ready.execute(statement, sql);
        }

        @Override
        public Object executeBatch(Object statement) {
          Handler ready = await(this);
          return ready == null ? null : ready.executeBatch(statement);
        }

        @Override
        public void exit(Object call, Throwable thrown) {
          Handler ready = handler;
          if (ready != this) {
            ready.exit(call, thrown);
          }
        }

        @Override
        public void prepared(Object statement, String sql) {
          Handler ready = await(this);
          if (ready != null) {
            ready.prepared(statement, sql);
          }
        }

        @Override
        public void addBatch(Object statement, String sql) {
          Handler ready = await(this);
          if (ready != null) {
            ready.addBatch(statement, sql);
          }
        }

        @Override
        public void clearBatch(Object statement) {
          Handler ready = await(this);
          if (ready != null) {
            ready.clearBatch(statement);
          }
        }

        @Override
        public Object transaction(Object connection, String operation) {
          Handler ready = await(this);
          return ready == null ? null : ready.transaction(connection, operation);
        }

        @Override
        public Object connectionRequested(Object dataSource) {
          Handler ready = await(this);
          return ready == null ? null : ready.connectionRequested(dataSource);
        }

        @Override
        public void connectionReturned(Object call, Object connection, Throwable thrown) {
          Handler ready = handler;
          if (ready != this) {
            ready.connectionReturned(call, connection, thrown);
          }
        }

        @Override
        public void closed(Object statement) {
          Handler ready = handler; // nothing was kept for it before the handler existed: no need to wait
          if (ready != this) {
            ready.closed(statement);
          }
        }

        @Override
        public void parameter(Object statement, Object key, Object value) {
          Handler ready = await(this);
          if (ready != null) {
            ready.parameter(statement, key, value);
          }
        }

        @Override
        public void clearParameters(Object statement) {
          Handler ready = await(this);
          if (ready != null) {
            ready.clearParameters(statement);
          }
        }
      };

  private static volatile Handler handler = STARTING;

  /** The {@code db.operation.name} of a transaction's end, as {@link Handler#transaction} receives it. */
  public static final String COMMIT = "COMMIT";
  public static final String ROLLBACK = "ROLLBACK";

  private JdbcBridge() {}

  /**
   * A statement starts executing {@code sql}, or, when {@code sql} is {@code null}, the text its
   * connection prepared it with. Returns what {@link #exit} must finish, or {@code null}.
   */
  public static Object execute(Object statement, String sql) {
    try {
      return handler.execute(statement, sql);
    } catch (Throwable e) {
      return null; // woven code calls these directly: nothing may reach the application
    }
  }

  /** A statement starts executing its batch. Returns what {@link #exit} must finish, or {@code null}. */
  public static Object executeBatch(Object statement) {
    try {
      return handler.executeBatch(statement);
    } catch (Throwable e) {
      return null;
    }
  }

  /**
   * {@code commit()} on a connection starts. Returns what {@link #exit} must finish, or {@code null}. Woven only
   * when transactions are traced ({@code otel.instrumentation.jdbc.experimental.transaction.enabled}).
   */
  public static Object commit(Object connection) {
    try {
      return handler.transaction(connection, COMMIT);
    } catch (Throwable e) {
      return null;
    }
  }

  /** {@code rollback()} on a connection starts; as {@link #commit}. */
  public static Object rollback(Object connection) {
    try {
      return handler.transaction(connection, ROLLBACK);
    } catch (Throwable e) {
      return null;
    }
  }

  /**
   * {@code getConnection()} or {@code getConnection(user, password)} on a {@code DataSource} starts. Returns what
   * {@link #gotConnection} must finish, or {@code null}. Woven only when {@code otel.instrumentation.jdbc-datasource.enabled}.
   */
  public static Object getConnection(Object dataSource) {
    try {
      return handler.connectionRequested(dataSource);
    } catch (Throwable e) {
      return null;
    }
  }

  /** Ends what {@link #getConnection} started: {@code connection} is what it returned (null when it threw). */
  public static void gotConnection(Object call, Object connection, Throwable thrown) {
    if (call != null) {
      try {
        handler.connectionReturned(call, connection, thrown);
      } catch (Throwable e) {
        // the handler reports its own failures; nothing may reach the application
      }
    }
  }

  /** Ends what {@link #execute}, {@link #executeBatch}, {@link #commit} or {@link #rollback} started; {@code thrown} may be null. */
  public static void exit(Object call, Throwable thrown) {
    if (call != null) {
      try {
        handler.exit(call, thrown);
      } catch (Throwable e) {
        // as above
      }
    }
  }

  /** A connection prepared {@code statement} for {@code sql} ({@code prepareStatement}, {@code prepareCall}). */
  public static void prepared(Object statement, String sql) {
    if (statement != null) {
      try {
        handler.prepared(statement, sql);
      } catch (Throwable e) {
        // as above
      }
    }
  }

  /** {@code addBatch(sql)} on a statement, or {@code addBatch()} ({@code sql} null) on a prepared one. */
  public static void addBatch(Object statement, String sql) {
    try {
      handler.addBatch(statement, sql);
    } catch (Throwable e) {
      // as above
    }
  }

  /** {@code close()}: what was kept for the statement can go now, not at the garbage collection after it dies. */
  public static void closed(Object statement) {
    try {
      handler.closed(statement);
    } catch (Throwable e) {
      // as above
    }
  }

  /** {@code clearBatch()}: the statement's batch is empty again. */
  public static void clearBatch(Object statement) {
    try {
      handler.clearBatch(statement);
    } catch (Throwable e) {
      // as above
    }
  }

  /**
   * {@code set…(index or name, value)} on a prepared or callable statement ({@code key} an {@code Integer}, 1 for
   * the first, or the parameter's name; {@code value} boxed if primitive). Woven only when query parameters are
   * captured.
   */
  public static void parameter(Object statement, Object key, Object value) {
    try {
      handler.parameter(statement, key, value);
    } catch (Throwable e) {
      // as above
    }
  }

  /** {@code clearParameters()}: woven only when query parameters are captured. */
  public static void clearParameters(Object statement) {
    try {
      handler.clearParameters(statement);
    } catch (Throwable e) {
      // as above
    }
  }

  public static void install(Handler ready) {
    handler = ready;
  }

  /** The installed handler once the gate lets the caller through; {@code null} when there is none. */
  private static Handler await(Handler starting) {
    StartupGate.await();
    Handler ready = handler;
    return ready == starting ? null : ready;
  }

  /** Implemented in the agent class loader. Implementations never throw. */
  public interface Handler {
    Handler NOOP =
        new Handler() {
          @Override
          public Object execute(Object statement, String sql) {
            return null;
          }

          @Override
          public Object executeBatch(Object statement) {
            return null;
          }

          @Override
          public void exit(Object call, Throwable thrown) {}

          @Override
          public void prepared(Object statement, String sql) {}

          @Override
          public void addBatch(Object statement, String sql) {}

          @Override
          public void clearBatch(Object statement) {}
        };

    Object execute(Object statement, String sql);

    Object executeBatch(Object statement);

    void exit(Object call, Throwable thrown);

    void prepared(Object statement, String sql);

    void addBatch(Object statement, String sql);

    void clearBatch(Object statement);

    /** A connection's {@code commit()} or {@code rollback()} ({@link #COMMIT}, {@link #ROLLBACK}) starts. */
    default Object transaction(Object connection, String operation) {
      return null;
    }

    /** A {@code DataSource}'s {@code getConnection} starts. */
    default Object connectionRequested(Object dataSource) {
      return null;
    }

    /** ... and ends, with the connection it returned or what it threw. */
    default void connectionReturned(Object call, Object connection, Throwable thrown) {}

    default void closed(Object statement) {}

    default void parameter(Object statement, Object key, Object value) {}

    default void clearParameters(Object statement) {}
  }
}
