package io.weft.instrumentation.jdbc;

import java.util.Arrays;
import java.util.List;

/**
 * The low-cardinality {@code db.query.summary} of one SQL statement, with the operation, collection
 * and stored procedure it names; computed in one linear pass in the agent class loader, never throws.
 * Following the semantic conventions, operations and targets are listed in the order they appear, a
 * subquery's included ({@code SELECT SELECT orders customers}), names exactly as written, quotes and
 * schema included; CTE names after {@code WITH} are left out.
 */
public final class SqlSummary {

  /** The conventions' bound: a longer summary is cut after its last whole word that fits. */
  public static final int MAX_SUMMARY_LENGTH = 255;

  private static final SqlSummary UNKNOWN = new SqlSummary(null, null, null, null);

  private final String summary;
  private final String operationName;
  private final String collectionName;
  private final String storedProcedureName;

  private SqlSummary(String summary, String operationName, String collectionName,
      String storedProcedureName) {
    this.summary = summary;
    this.operationName = operationName;
    this.collectionName = collectionName;
    this.storedProcedureName = storedProcedureName;
  }

  /**
   * Summarizes a statement, best sanitized first (literals are skipped either way). A statement that
   * does not start with a known SQL command gives a summary whose getters all return {@code null}.
   */
  public static SqlSummary of(String sql) {
    if (sql == null || sql.isEmpty()) {
      return UNKNOWN;
    }
    try {
      return new Parser(sql).run();
    } catch (RuntimeException e) {
      return UNKNOWN; // unreachable by design; a summary is never worth an exception in the host
    }
  }

  /** {@code SELECT owners pets}, {@code CREATE TABLE users}; {@code null} when not understood. */
  public String summary() {
    return summary;
  }

  /** The first operation, upper case: {@code SELECT}, {@code CALL}, {@code CREATE TABLE}. */
  public String operationName() {
    return operationName;
  }

  /** The only table the statement names, or {@code null} when it names none or several, or calls. */
  public String collectionName() {
    return collectionName;
  }

  /** The procedure of a {@code CALL}, {@code {call p(?)}} or {@code EXEC} statement. */
  public String storedProcedureName() {
    return storedProcedureName;
  }

  /**
   * The summary of a JDBC batch: {@code BATCH } and the common summary when every statement has the
   * same one, else {@code BATCH}; a batch of one is that statement's summary (the conventions model
   * it as a single operation).
   */
  public static String batchSummary(List<String> summaries) {
    if (summaries == null || summaries.isEmpty()) {
      return "BATCH";
    }
    String first = summaries.get(0);
    if (summaries.size() == 1) {
      return first;
    }
    for (int k = 1; k < summaries.size(); k++) {
      if (first == null || !first.equals(summaries.get(k))) {
        return "BATCH";
      }
    }
    return batchOf(first);
  }

  /** {@link #batchSummary(List)} for an array. */
  public static String batchSummary(String[] summaries) {
    return batchSummary(summaries == null ? null : Arrays.asList(summaries));
  }

  private static String batchOf(String summary) {
    String batch = "BATCH " + summary;
    if (batch.length() <= MAX_SUMMARY_LENGTH) {
      return batch;
    }
    int space = batch.lastIndexOf(' ', MAX_SUMMARY_LENGTH);
    return batch.substring(0, space); // "BATCH " guarantees a space inside the bound
  }

  @Override
  public String toString() {
    return "SqlSummary{" + summary + ", operation=" + operationName + ", collection="
        + collectionName + ", procedure=" + storedProcedureName + "}";
  }

  /** One walk over the tokens of one statement. */
  private static final class Parser {
    // What the next name means.
    private static final int EXPECT_NOTHING = 0;
    private static final int EXPECT_TABLE = 1;
    private static final int EXPECT_PROCEDURE = 2;
    private static final int EXPECT_OBJECT_TYPE = 3; // after CREATE, DROP, ALTER, TRUNCATE

    private final SqlTokens tokens;
    private final StringBuilder out = new StringBuilder(32);
    private boolean full;
    private boolean started;
    private boolean statementStart = true;
    private boolean skipToStatementEnd;
    private int expect = EXPECT_NOTHING;
    private int depth;
    private long fromListAtDepth; // bit d: a FROM list is open at parenthesis depth d (d < 64)
    private boolean inWith;
    private boolean cteNameNext;

    private int firstRole = -1;
    private int operationLength;
    private int targets;
    private int targetStart = -1;
    private int targetEnd;
    private int procedureStart = -1;
    private int procedureEnd;

    Parser(String sql) {
      this.tokens = new SqlTokens(sql);
    }

    SqlSummary run() {
      int kind;
      while ((kind = tokens.next()) != SqlTokens.END) {
        if (kind == SqlTokens.SEMICOLON) {
          endStatement();
        } else if (skipToStatementEnd) {
          continue;
        } else if (kind == SqlTokens.OPEN) {
          open();
        } else if (kind == SqlTokens.CLOSE) {
          close();
        } else if (kind == SqlTokens.COMMA) {
          comma();
        } else if (kind == SqlTokens.WORD) {
          if (!word(SqlKeywords.lookup(tokens))) {
            return UNKNOWN;
          }
        } else if (kind == SqlTokens.NAME) {
          if (!started) {
            return UNKNOWN;
          }
          name();
        } else if (!started && !tokens.isJdbcEscapeOpening()) {
          return UNKNOWN;
        } else {
          other();
        }
      }
      return result();
    }

    private SqlSummary result() {
      if (out.length() == 0) {
        return UNKNOWN;
      }
      String summary = out.toString();
      String operation = operationLength > 0 ? summary.substring(0, operationLength) : null;
      boolean call = firstRole == SqlKeywords.CALL || firstRole == SqlKeywords.EXEC;
      String collection = !call && targets == 1 ? tokens.text(targetStart, targetEnd) : null;
      String procedure = call && procedureStart >= 0
          ? tokens.text(procedureStart, procedureEnd) : null;
      return new SqlSummary(summary, operation, collection, procedure);
    }

    private void endStatement() {
      depth = 0;
      fromListAtDepth = 0;
      expect = EXPECT_NOTHING;
      statementStart = true;
      skipToStatementEnd = false;
      inWith = false;
      cteNameNext = false;
    }

    private void open() {
      if (expect != EXPECT_NOTHING) {
        expect = EXPECT_NOTHING; // a subquery, a VALUES row or a column list, not a name
      }
      depth++;
      if (depth < 64) {
        fromListAtDepth &= ~(1L << depth);
      }
      statementStart = true;
    }

    private void close() {
      if (depth > 0) {
        depth--;
      }
      expect = EXPECT_NOTHING;
      statementStart = inWith && depth == 0; // WITH c AS (...) UPDATE ...
    }

    private void comma() {
      if (inWith && depth == 0) {
        cteNameNext = true;
      } else if (depth < 64 && (fromListAtDepth & (1L << depth)) != 0) {
        expect = EXPECT_TABLE;
      }
      statementStart = false;
    }

    private void other() {
      if (expect != EXPECT_PROCEDURE) {
        expect = EXPECT_NOTHING;
      }
      statementStart = false;
    }

    private void name() {
      if (cteNameNext) {
        cteNameNext = false;
      } else if (expect != EXPECT_NOTHING) {
        target();
      }
      statementStart = false;
    }

    /** Handles a bare word; {@code false} when the statement does not start with a command. */
    private boolean word(int keyword) {
      int role = SqlKeywords.role(keyword);
      if (!started) {
        if (!SqlKeywords.startsStatement(role)) {
          return false;
        }
        started = true;
      }
      if (cteNameNext) {
        if (role != SqlKeywords.RECURSIVE) {
          cteNameNext = false;
        }
        return true;
      }
      if (expect == EXPECT_OBJECT_TYPE) {
        if (SqlKeywords.isModifier(keyword)) {
          return true;
        }
        if (SqlKeywords.isObjectType(keyword)) {
          appendOperation();
          expect = EXPECT_TABLE;
          return true;
        }
        expect = EXPECT_TABLE; // TRUNCATE users
      }
      if (expect != EXPECT_NOTHING) {
        if (SqlKeywords.isSkippedBeforeName(keyword)
            || (expect == EXPECT_PROCEDURE && tokens.startsWith('@'))) { // EXEC @rc = p
          return true;
        }
        if (role == SqlKeywords.NONE) {
          target();
          statementStart = false;
          return true;
        }
        expect = EXPECT_NOTHING;
      }
      boolean atStart = statementStart;
      statementStart = false;
      switch (role) {
        case SqlKeywords.SELECT:
          operation(SqlKeywords.SELECT);
          break;
        case SqlKeywords.DML:
        case SqlKeywords.REPLACE:
          if (atStart) {
            operation(role);
            expect = EXPECT_TABLE;
          }
          break;
        case SqlKeywords.CALL:
          operation(role);
          expect = EXPECT_PROCEDURE;
          break;
        case SqlKeywords.EXEC:
          if (atStart) {
            operation(role);
            expect = EXPECT_PROCEDURE;
          }
          break;
        case SqlKeywords.DDL:
          if (atStart) {
            operation(role);
            expect = EXPECT_OBJECT_TYPE;
          }
          break;
        case SqlKeywords.WITH:
          if (atStart) {
            inWith = true;
            cteNameNext = true;
          }
          break;
        case SqlKeywords.PREFIX:
          if (atStart) {
            operation(role);
            statementStart = true; // EXPLAIN UPDATE t
          }
          break;
        case SqlKeywords.COMMAND:
        case SqlKeywords.COMMAND_OR_CLAUSE:
          if (atStart) {
            operation(role);
            skipToStatementEnd = true; // SET, COMMIT, GRANT ...: no table worth naming
          } else if (role == SqlKeywords.COMMAND_OR_CLAUSE) {
            endFromList();
          }
          break;
        case SqlKeywords.FROM:
          if (depth < 64) {
            fromListAtDepth |= 1L << depth;
          }
          expect = EXPECT_TABLE;
          break;
        case SqlKeywords.JOIN:
        case SqlKeywords.INTO:
        case SqlKeywords.USING:
          expect = EXPECT_TABLE;
          break;
        case SqlKeywords.CLAUSE:
          endFromList();
          break;
        default:
          break;
      }
      return true;
    }

    private void endFromList() {
      if (depth < 64) {
        fromListAtDepth &= ~(1L << depth);
      }
    }

    private void operation(int role) {
      if (depth == 0) {
        inWith = false; // the main statement after the CTEs: its commas are no longer theirs
      }
      if (firstRole < 0) {
        firstRole = role;
      }
      boolean first = out.length() == 0;
      append(true);
      if (first) {
        operationLength = out.length();
      }
    }

    /** Adds the object type to the operation just written: CREATE TABLE. */
    private void appendOperation() {
      boolean extendsFirst = operationLength == out.length();
      append(true);
      if (extendsFirst) {
        operationLength = out.length();
      }
    }

    private void target() {
      if (expect == EXPECT_PROCEDURE) {
        if (procedureStart < 0) {
          procedureStart = tokens.start();
          procedureEnd = tokens.end();
        }
      } else {
        if (targets++ == 0) {
          targetStart = tokens.start();
          targetEnd = tokens.end();
        }
      }
      expect = EXPECT_NOTHING;
      append(false);
    }

    /** Appends the current token after a space, unless the summary is full: then never again. */
    private void append(boolean upperCase) {
      if (full) {
        return;
      }
      int length = tokens.end() - tokens.start();
      int separator = out.length() == 0 ? 0 : 1;
      if (out.length() + separator + length > MAX_SUMMARY_LENGTH) {
        full = true;
        return;
      }
      if (separator == 1) {
        out.append(' ');
      }
      tokens.appendTo(out, upperCase);
    }
  }
}
