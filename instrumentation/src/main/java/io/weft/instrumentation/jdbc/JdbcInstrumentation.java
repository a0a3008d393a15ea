package io.weft.instrumentation.jdbc;

import io.weft.instrumentation.DebugLines;
import io.weft.instrumentation.DirectAdvice;
import io.weft.instrumentation.SuperTypes;
import java.util.function.Consumer;
import net.bytebuddy.jar.asm.Opcodes;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.isDeclaredBy;
import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.weft.bridge.JdbcBridge;
import io.weft.bridge.StateCarrier;
import io.weft.instrumentation.ClassOutline;
import io.weft.instrumentation.InstrumentationConfig;
import io.weft.instrumentation.Sieve;
import io.weft.instrumentation.TypeInstrumentation;
import io.weft.instrumentation.WeftInstrumentation;
import io.weft.instrumentation.trace.SpanPipeline;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Traces every {@code java.sql} statement execution on any driver or pool: {@code Statement}, {@code
 * PreparedStatement} and {@code CallableStatement} executions and batches, with the SQL of prepared
 * statements taken from {@code Connection.prepareStatement}/{@code prepareCall}. Agent class loader.
 */
public final class JdbcInstrumentation implements WeftInstrumentation {

  static final String SANITIZATION_KEY = "otel.instrumentation.common.db.query-sanitization.enabled";
  /** The name before OpenTelemetry Java agent 2.27 renamed it; still honoured when the new one is unset. */
  static final String OLD_SANITIZATION_KEY = "otel.instrumentation.common.db-statement-sanitizer.enabled";
  static final String INSTRUMENTATION_SCOPE = "io.weft.jdbc";
  /** The OpenTelemetry agent's opt-in: a prepared statement's parameters as {@code db.query.parameter.<key>}. */
  static final String CAPTURE_PARAMETERS_KEY = "otel.instrumentation.jdbc.experimental.capture-query-parameters";
  /** The OpenTelemetry agent's opt-in: a span for each {@code Connection.commit()} and {@code rollback()}. */
  static final String TRANSACTIONS_KEY = "otel.instrumentation.jdbc.experimental.transaction.enabled";
  /** The OpenTelemetry agent's {@code jdbc-datasource} instrumentation, off by default: a span per {@code DataSource.getConnection}. */
  static final String DATA_SOURCES_KEY = "otel.instrumentation.jdbc-datasource.enabled";
  /** The JDBC instrumentation's own sanitizing switch, before the common ones when set (as in the OpenTelemetry agent). */
  static final String JDBC_SANITIZATION_KEY = "otel.instrumentation.jdbc.statement-sanitizer.enabled";
  static final String DURATION_METRIC = "db.client.operation.duration";
  static final List<Double> DURATION_BUCKETS =
      Arrays.asList(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0);

  private static final String PACKAGE = "io.weft.instrumentation.jdbc.";
  private static final String STATEMENT = "java.sql.Statement";
  private static final String PREPARED_STATEMENT = "java.sql.PreparedStatement";
  private static final String CONNECTION = "java.sql.Connection";
  private static final String DATA_SOURCE = "javax.sql.DataSource";

  @Override
  public String name() {
    return "jdbc";
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations(InstrumentationConfig config) {
    return Collections.singletonList(
        new StatementsAndConnections(new DebugLines(config), config.getBoolean(CAPTURE_PARAMETERS_KEY, false),
            config.getBoolean(TRANSACTIONS_KEY, false), config.getBoolean(DATA_SOURCES_KEY, false)));
  }

  private static final String[] ADVISED_NAMES = {
      "execute", "executeQuery", "executeUpdate", "executeLargeUpdate", "executeBatch", "executeLargeBatch",
      "addBatch", "clearBatch", "prepareStatement", "prepareCall"};
  /** The setters whose values are written when parameters are captured (index or, on a callable, name first). */
  static final List<String> SETTERS = Arrays.asList("setBoolean", "setByte", "setShort", "setInt", "setLong",
      "setFloat", "setDouble", "setBigDecimal", "setString", "setNString", "setDate", "setTime", "setTimestamp",
      "setObject", "setURL");

  /** The names of the methods woven, as the settings ask. */
  static String[] advisedNames(boolean parameters, boolean transactions, boolean dataSources) {
    List<String> names = new ArrayList<>(Arrays.asList(ADVISED_NAMES));
    if (parameters) {
      names.addAll(SETTERS);
      names.add("clearParameters");
    }
    if (transactions) {
      names.add("commit");
      names.add("rollback");
    }
    if (dataSources) {
      names.add("getConnection");
    }
    return names.toArray(new String[0]);
  }

  /**
   * A class declaring a method by one of the advised names: only then is the type instrumentation made, so a JVM
   * without JDBC loads none of its weaving code.
   */
  @Override
  public Sieve sieve(InstrumentationConfig config) {
    return Sieve.of(new String[0], advisedNames(config.getBoolean(CAPTURE_PARAMETERS_KEY, false),
        config.getBoolean(TRANSACTIONS_KEY, false), config.getBoolean(DATA_SOURCES_KEY, false)), Collections.<String>emptyList());
  }

  @Override
  public void start(OpenTelemetry openTelemetry, SpanPipeline spans, InstrumentationConfig config) {
    DoubleHistogram duration =
        openTelemetry
            .getMeter(INSTRUMENTATION_SCOPE)
            .histogramBuilder(DURATION_METRIC)
            .setUnit("s")
            .setDescription("Duration of database client operations.")
            .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
            .build();
    JdbcBridge.install(
        new JdbcTracer(spans.tracer(INSTRUMENTATION_SCOPE, null), duration, sanitize(config), PeerServices.from(config),
            config.getBoolean(CAPTURE_PARAMETERS_KEY, false)));
  }

  @Override
  public void checkSettings(InstrumentationConfig config) {
    sanitize(config);
    config.getBoolean(TRANSACTIONS_KEY, false);
    config.getBoolean(DATA_SOURCES_KEY, false);
    PeerServices.from(config);
  }

  /** The JDBC key when set, else the common key, else the one it replaced, else on. */
  static boolean sanitize(InstrumentationConfig config) {
    if (config.getString(JDBC_SANITIZATION_KEY) != null) {
      return config.getBoolean(JDBC_SANITIZATION_KEY, true);
    }
    if (config.getString(SANITIZATION_KEY) != null) {
      return config.getBoolean(SANITIZATION_KEY, true);
    }
    return config.getBoolean(OLD_SANITIZATION_KEY, true);
  }

  /**
   * Statement and connection classes in one hierarchy walk per loaded class; which advice goes where
   * is decided per method, cheap name tests before the declaring type's hierarchy.
   */
  private static final class StatementsAndConnections implements TypeInstrumentation {
    private static final String BRIDGE = "io/weft/bridge/JdbcBridge";
    private static final String EXECUTE = "(Ljava/lang/Object;Ljava/lang/String;)Ljava/lang/Object;";
    private static final DirectAdvice STATEMENT_EXECUTE =
        DirectAdvice.around(BRIDGE, "execute", EXECUTE, "exit", DirectAdvice.THIS, 0);
    private static final DirectAdvice PREPARED_EXECUTE =
        DirectAdvice.around(BRIDGE, "execute", EXECUTE, "exit", DirectAdvice.THIS, DirectAdvice.NULL);
    private static final DirectAdvice EXECUTE_BATCH =
        DirectAdvice.around(BRIDGE, "executeBatch", "(Ljava/lang/Object;)Ljava/lang/Object;", "exit", DirectAdvice.THIS);
    private static final DirectAdvice ADD_BATCH =
        DirectAdvice.afterReturn(BRIDGE, "addBatch", "(Ljava/lang/Object;Ljava/lang/String;)V", DirectAdvice.THIS, 0);
    private static final DirectAdvice PREPARED_ADD_BATCH =
        DirectAdvice.afterReturn(BRIDGE, "addBatch", "(Ljava/lang/Object;Ljava/lang/String;)V", DirectAdvice.THIS, DirectAdvice.NULL);
    private static final DirectAdvice CLEAR_BATCH =
        DirectAdvice.afterReturn(BRIDGE, "clearBatch", "(Ljava/lang/Object;)V", DirectAdvice.THIS);
    private static final DirectAdvice PREPARED =
        DirectAdvice.afterReturn(BRIDGE, "prepared", "(Ljava/lang/Object;Ljava/lang/String;)V", DirectAdvice.RETURNED, 0);
    private static final DirectAdvice CLOSE =
        DirectAdvice.afterReturn(BRIDGE, "closed", "(Ljava/lang/Object;)V", DirectAdvice.THIS);
    private static final DirectAdvice PARAMETER = DirectAdvice.afterReturn(BRIDGE, "parameter",
        "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;)V", DirectAdvice.THIS, DirectAdvice.boxed(0), DirectAdvice.boxed(1));
    private static final DirectAdvice COMMIT =
        DirectAdvice.around(BRIDGE, "commit", "(Ljava/lang/Object;)Ljava/lang/Object;", "exit", DirectAdvice.THIS);
    private static final DirectAdvice ROLLBACK =
        DirectAdvice.around(BRIDGE, "rollback", "(Ljava/lang/Object;)Ljava/lang/Object;", "exit", DirectAdvice.THIS);
    private static final DirectAdvice GET_CONNECTION = DirectAdvice.aroundReturning(BRIDGE, "getConnection",
        "(Ljava/lang/Object;)Ljava/lang/Object;", "gotConnection", DirectAdvice.THIS);
    private static final DirectAdvice CLEAR_PARAMETERS =
        DirectAdvice.afterReturn(BRIDGE, "clearParameters", "(Ljava/lang/Object;)V", DirectAdvice.THIS);
    private static final List<String> STATEMENT_TYPE = Collections.singletonList("java/sql/Statement");
    private static final List<String> PREPARED_TYPE = Collections.singletonList("java/sql/PreparedStatement");
    private static final List<String> CONNECTION_TYPE = Collections.singletonList("java/sql/Connection");
    private static final List<String> DATA_SOURCE_TYPE = Collections.singletonList("javax/sql/DataSource");
    private static final List<String> SERIALIZABLE_TYPE = Collections.singletonList("java/io/Serializable");
    private static final String CARRIER = StateCarrier.class.getName().replace('.', '/');

    private final SuperTypes superTypes = new SuperTypes();
    private final Consumer<String> debug;
    /** Whether a prepared statement's setters are woven: only when its parameters are captured. */
    private final boolean parameters;
    /** Whether a connection's {@code commit()} and {@code rollback()} are woven: only when transactions are traced. */
    private final boolean transactions;
    /** Whether a data source's {@code getConnection} is woven: only when {@code jdbc-datasource} is on. */
    private final boolean dataSources;
    private final byte[][] advised;
    private final byte[][] arguments;

    StatementsAndConnections(Consumer<String> debug, boolean parameters, boolean transactions, boolean dataSources) {
      this.debug = debug;
      this.parameters = parameters;
      this.transactions = transactions;
      this.dataSources = dataSources;
      this.advised = encode(advisedNames(parameters, transactions, dataSources));
      this.arguments = parameters ? ARGUMENTS_WITH_SETTERS : ARGUMENTS;
    }

    @Override
    public boolean weavesDirectly() {
      return true;
    }

    /**
     * The advised methods of a class that is a statement, a prepared statement or a connection: which
     * advice goes on which method as in {@link #transform}, the types from the class files.
     */
    @Override
    public byte[] weaveDirectly(ClassLoader loader, ClassOutline outline, byte[] classFile) {
      return weaveDirectly(loader, outline, classFile, null, null); // module unknown: the class keeps its shape
    }

    /**
     * A statement or connection class being defined also becomes a {@link StateCarrier}: the tracer keeps
     * a statement's SQL and a connection's database facts in the object itself, not in a weak identity
     * map (a put at every prepare and a remove at every close, a weak reference per statement). A class
     * retransformed keeps the shape it was defined with: it carries state only if it did from the start.
     * Left without: a class whose named module does not read the bridge's (unnamed) module yet (the
     * first class the JVM sees transformed in an explicit module; it lets the module read every unnamed
     * module only after), which would fail to load naming the interface, while a call into the bridge
     * is not checked that way; a class whose module is not known ({@code null}); and a serializable
     * class, whose default {@code serialVersionUID} the field and interface would change.
     */
    @Override
    public byte[] weaveDirectly(ClassLoader loader, ClassOutline outline, byte[] classFile, Module module, Class<?> redefined) {
      if (outline.isInterface()) {
        return null;
      }
      Kinds kinds = new Kinds(superTypes.reaches(loader, outline, STATEMENT_TYPE), superTypes.reaches(loader, outline, PREPARED_TYPE),
          superTypes.reaches(loader, outline, CONNECTION_TYPE), parameters, transactions,
          dataSources && superTypes.reaches(loader, outline, DATA_SOURCE_TYPE));
      if (!kinds.statement && !kinds.prepared && !kinds.connection && !kinds.dataSource) {
        return null;
      }
      boolean keepsState = kinds.statement || kinds.prepared || kinds.connection; // a data source keeps nothing
      boolean carries = keepsState && (redefined == null
          ? module != null && module.canRead(StateCarrier.class.getModule()) && !superTypes.reaches(loader, outline, SERIALIZABLE_TYPE)
          : Arrays.asList(redefined.getInterfaces()).contains(StateCarrier.class));
      return DirectAdvice.weave(outline.internalName(), classFile, kinds, carries ? CARRIER : null, debug);
    }

    /** What a class is, and so which of its methods get which advice. */
    private static final class Kinds implements DirectAdvice.Selector {
      final boolean statement;
      final boolean prepared;
      final boolean connection;
      final boolean parameters;
      final boolean transactions;
      final boolean dataSource;

      Kinds(boolean statement, boolean prepared, boolean connection, boolean parameters, boolean transactions, boolean dataSource) {
        this.statement = statement;
        this.prepared = prepared;
        this.connection = connection;
        this.parameters = parameters;
        this.transactions = transactions;
        this.dataSource = dataSource;
      }

      @Override
      public DirectAdvice select(int access, String name, String descriptor) {
        if ((access & (Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC)) != Opcodes.ACC_PUBLIC) {
          return null;
        }
        boolean none = descriptor.startsWith("()");
        boolean stringFirst = descriptor.startsWith("(Ljava/lang/String;");
        switch (name) {
          case "execute":
          case "executeQuery":
          case "executeUpdate":
          case "executeLargeUpdate":
            return stringFirst && statement ? STATEMENT_EXECUTE : none && prepared ? PREPARED_EXECUTE : null;
          case "executeBatch":
          case "executeLargeBatch":
            return none && statement ? EXECUTE_BATCH : null;
          case "addBatch":
            return descriptor.startsWith("(Ljava/lang/String;)") && statement ? ADD_BATCH : none && prepared ? PREPARED_ADD_BATCH : null;
          case "clearBatch":
            return none && statement ? CLEAR_BATCH : null;
          case "close":
            // only in a class the filter let through for another method: close() alone is everywhere, and a
            // statement class overriding only close() leaves its state to the collection of the statement
            return none && statement ? CLOSE : null;
          case "prepareStatement":
          case "prepareCall":
            return stringFirst && connection ? PREPARED : null;
          case "commit":
            return none && connection && transactions ? COMMIT : null;
          case "rollback": // rollback(Savepoint) ends no transaction: not woven
            return none && connection && transactions ? ROLLBACK : null;
          case "clearParameters":
            return none && prepared && parameters ? CLEAR_PARAMETERS : null;
          case "getConnection": // () and (String user, String password)
            return dataSource && (none || descriptor.startsWith("(Ljava/lang/String;Ljava/lang/String;)")) ? GET_CONNECTION : null;
          default:
            // setNull's second argument is a type code, the streams' and LOBs' values are never read: not woven
            return parameters && prepared && SETTERS.contains(name) && (descriptor.startsWith("(I") || stringFirst)
                ? PARAMETER : null;
        }
      }
    }

    // every advised method takes no argument or a String first; a setter an int first
    private static final byte[][] ARGUMENTS = encode("()", "(Ljava/lang/String;");
    private static final byte[][] ARGUMENTS_WITH_SETTERS = encode("()", "(Ljava/lang/String;", "(I");

    private static final int NOT_CODE = ClassOutline.ABSTRACT | ClassOutline.BRIDGE | ClassOutline.SYNTHETIC;

    /**
     * Every class loader sees {@code java.sql}, so the cheap test is the methods: only a class declaring
     * one of the advised methods can be woven. Then its direct super types: a {@code java.sql} type may
     * lead to a statement or connection, any other platform type cannot ({@code java.base} does not
     * know {@code java.sql}), an application type may.
     */
    @Override
    public boolean mayWeave(ClassLoader loader, ClassOutline classFile) {
      if (classFile.isInterface() || !classFile.declaresMethod(ClassOutline.PUBLIC, NOT_CODE, advised, arguments)) {
        return false;
      }
      if (classFile.isMalformed() || mayLeadToJdbc(classFile.superName())) {
        return true;
      }
      for (String name : classFile.interfaceNames()) {
        if (mayLeadToJdbc(name)) {
          return true;
        }
      }
      return false;
    }

    private static boolean mayLeadToJdbc(String superType) {
      return superType != null && (superType.startsWith("java/sql/") || !superType.startsWith("java/"));
    }

    private static byte[][] encode(String... values) {
      byte[][] encoded = new byte[values.length][];
      for (int i = 0; i < values.length; i++) {
        encoded[i] = ClassOutline.encode(values[i]);
      }
      return encoded;
    }

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
      return dataSources ? new JdbcTypes(STATEMENT, CONNECTION, DATA_SOURCE) : new JdbcTypes(STATEMENT, CONNECTION);
    }

    @Override
    public void transform(Advisor advisor) {
      ElementMatcher.Junction<MethodDescription> code =
          isMethod().and(isPublic()).and(not(isAbstract())).and(not(isBridge())).and(not(isSynthetic()));
      ElementMatcher.Junction<MethodDescription> ofStatement = isDeclaredBy(new JdbcTypes(STATEMENT));
      ElementMatcher.Junction<MethodDescription> ofPrepared = isDeclaredBy(new JdbcTypes(PREPARED_STATEMENT));
      ElementMatcher.Junction<MethodDescription> executions =
          namedOneOf("execute", "executeQuery", "executeUpdate", "executeLargeUpdate");

      advisor.advise(code.and(executions).and(takesArgument(0, String.class)).and(ofStatement),
          PACKAGE + "StatementExecuteAdvice");
      advisor.advise(code.and(executions).and(takesArguments(0)).and(ofPrepared),
          PACKAGE + "PreparedStatementExecuteAdvice");
      advisor.advise(code.and(namedOneOf("executeBatch", "executeLargeBatch")).and(takesArguments(0)).and(ofStatement),
          PACKAGE + "StatementExecuteBatchAdvice");
      advisor.advise(code.and(named("addBatch")).and(takesArguments(String.class)).and(ofStatement),
          PACKAGE + "StatementAddBatchAdvice");
      advisor.advise(code.and(named("addBatch")).and(takesArguments(0)).and(ofPrepared),
          PACKAGE + "PreparedStatementAddBatchAdvice");
      advisor.advise(code.and(named("clearBatch")).and(takesArguments(0)).and(ofStatement),
          PACKAGE + "StatementClearBatchAdvice");
      advisor.advise(code.and(named("close")).and(takesArguments(0)).and(ofStatement),
          PACKAGE + "StatementCloseAdvice");
      advisor.advise(code.and(namedOneOf("prepareStatement", "prepareCall")).and(takesArgument(0, String.class))
              .and(isDeclaredBy(new JdbcTypes(CONNECTION))),
          PACKAGE + "ConnectionPrepareAdvice");
    }
  }
}
