package io.weft.instrumentation.jdbc;

import java.util.Arrays;

/**
 * The SQL words {@link SqlSummary} acts on, each with its role; looked up by binary search on the
 * token's own chars, so nothing is allocated per word. Runs in the agent class loader.
 */
final class SqlKeywords {
  // Roles: what a word does to the summary.
  static final int NONE = 0;
  static final int SELECT = 1;
  static final int DML = 2; // INSERT, UPDATE, DELETE, MERGE, UPSERT: commands only at a statement's start
  static final int REPLACE = 3;
  static final int CALL = 4;
  static final int EXEC = 5;
  static final int DDL = 6;
  static final int WITH = 7;
  static final int RECURSIVE = 8;
  static final int PREFIX = 9; // EXPLAIN, ANALYZE: a command before another
  static final int COMMAND = 10; // no table worth naming follows
  static final int COMMAND_OR_CLAUSE = 11; // SET, VALUES, START: a command at the start, else a clause
  static final int FROM = 12;
  static final int JOIN = 13;
  static final int INTO = 14;
  static final int USING = 15;
  static final int CLAUSE = 16; // ends a FROM list

  // Flags, beside the role.
  private static final int SKIPPED_BEFORE_NAME = 1 << 8; // INSERT IGNORE INTO t, DELETE FROM ONLY t
  private static final int MODIFIER = 1 << 9; // CREATE OR REPLACE TEMPORARY VIEW
  private static final int OBJECT_TYPE = 1 << 10; // CREATE TABLE
  private static final int ROLE_MASK = 0xFF;

  private static final String[] WORDS;
  private static final int[] CODES;
  private static final int LONGEST;

  static {
    Object[][] table = {
      {"SELECT", SELECT},
      {"INSERT", DML}, {"UPDATE", DML}, {"DELETE", DML}, {"MERGE", DML}, {"UPSERT", DML},
      {"REPLACE", REPLACE | SKIPPED_BEFORE_NAME | MODIFIER},
      {"CALL", CALL}, {"EXEC", EXEC}, {"EXECUTE", EXEC},
      {"CREATE", DDL}, {"DROP", DDL}, {"ALTER", DDL}, {"TRUNCATE", DDL},
      {"WITH", WITH}, {"RECURSIVE", RECURSIVE},
      {"EXPLAIN", PREFIX}, {"ANALYZE", PREFIX},
      {"BEGIN", COMMAND}, {"COMMIT", COMMAND}, {"ROLLBACK", COMMAND}, {"SAVEPOINT", COMMAND},
      {"RELEASE", COMMAND}, {"SHOW", COMMAND}, {"USE", COMMAND}, {"GRANT", COMMAND},
      {"REVOKE", COMMAND}, {"VACUUM", COMMAND}, {"LOCK", COMMAND}, {"DECLARE", COMMAND},
      {"DESCRIBE", COMMAND}, {"PREPARE", COMMAND}, {"DEALLOCATE", COMMAND}, {"RESET", COMMAND},
      {"LISTEN", COMMAND}, {"NOTIFY", COMMAND}, {"COPY", COMMAND}, {"REFRESH", COMMAND},
      {"SET", COMMAND_OR_CLAUSE}, {"VALUES", COMMAND_OR_CLAUSE}, {"START", COMMAND_OR_CLAUSE},
      {"FROM", FROM}, {"JOIN", JOIN}, {"STRAIGHT_JOIN", JOIN},
      {"INTO", INTO | SKIPPED_BEFORE_NAME}, {"USING", USING},
      {"WHERE", CLAUSE}, {"GROUP", CLAUSE}, {"ORDER", CLAUSE}, {"HAVING", CLAUSE},
      {"LIMIT", CLAUSE}, {"OFFSET", CLAUSE}, {"FETCH", CLAUSE}, {"UNION", CLAUSE},
      {"EXCEPT", CLAUSE}, {"INTERSECT", CLAUSE}, {"MINUS", CLAUSE}, {"ON", CLAUSE},
      {"RETURNING", CLAUSE}, {"FOR", CLAUSE}, {"WINDOW", CLAUSE}, {"CONNECT", CLAUSE},
      {"QUALIFY", CLAUSE}, {"OUTPUT", CLAUSE},
      {"IGNORE", SKIPPED_BEFORE_NAME}, {"ONLY", SKIPPED_BEFORE_NAME},
      {"LATERAL", SKIPPED_BEFORE_NAME}, {"TOP", SKIPPED_BEFORE_NAME},
      {"LOW_PRIORITY", SKIPPED_BEFORE_NAME}, {"DELAYED", SKIPPED_BEFORE_NAME},
      {"HIGH_PRIORITY", SKIPPED_BEFORE_NAME}, {"QUICK", SKIPPED_BEFORE_NAME},
      {"ABORT", SKIPPED_BEFORE_NAME}, {"FAIL", SKIPPED_BEFORE_NAME},
      {"OR", SKIPPED_BEFORE_NAME | MODIFIER}, {"IF", SKIPPED_BEFORE_NAME | MODIFIER},
      {"NOT", SKIPPED_BEFORE_NAME | MODIFIER}, {"EXISTS", SKIPPED_BEFORE_NAME | MODIFIER},
      {"TEMP", MODIFIER}, {"TEMPORARY", MODIFIER}, {"UNIQUE", MODIFIER}, {"GLOBAL", MODIFIER},
      {"LOCAL", MODIFIER}, {"UNLOGGED", MODIFIER}, {"MATERIALIZED", MODIFIER},
      {"EXTERNAL", MODIFIER}, {"VIRTUAL", MODIFIER}, {"CLUSTERED", MODIFIER},
      {"NONCLUSTERED", MODIFIER}, {"FULLTEXT", MODIFIER}, {"SPATIAL", MODIFIER},
      {"TABLE", OBJECT_TYPE}, {"VIEW", OBJECT_TYPE}, {"INDEX", OBJECT_TYPE},
      {"SEQUENCE", OBJECT_TYPE}, {"SCHEMA", OBJECT_TYPE}, {"DATABASE", OBJECT_TYPE},
      {"PROCEDURE", OBJECT_TYPE}, {"FUNCTION", OBJECT_TYPE}, {"TRIGGER", OBJECT_TYPE},
      {"TYPE", OBJECT_TYPE}, {"USER", OBJECT_TYPE}, {"ROLE", OBJECT_TYPE},
      {"EXTENSION", OBJECT_TYPE}, {"DOMAIN", OBJECT_TYPE}, {"SYNONYM", OBJECT_TYPE},
      {"PACKAGE", OBJECT_TYPE},
    };
    Arrays.sort(table, (a, b) -> ((String) a[0]).compareTo((String) b[0]));
    WORDS = new String[table.length];
    CODES = new int[table.length];
    int longest = 0;
    for (int k = 0; k < table.length; k++) {
      WORDS[k] = (String) table[k][0];
      CODES[k] = (Integer) table[k][1];
      longest = Math.max(longest, WORDS[k].length());
    }
    LONGEST = longest;
  }

  private SqlKeywords() {}

  /** The keyword code of the current token, or {@code -1} when it is none of these words. */
  static int lookup(SqlTokens tokens) {
    if (tokens.length() > LONGEST) {
      return -1;
    }
    int low = 0;
    int high = WORDS.length - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      int cmp = tokens.compareUpper(WORDS[mid]);
      if (cmp == 0) {
        return CODES[mid];
      }
      if (cmp < 0) {
        high = mid - 1;
      } else {
        low = mid + 1;
      }
    }
    return -1;
  }

  static int role(int code) {
    return code < 0 ? NONE : code & ROLE_MASK;
  }

  static boolean isSkippedBeforeName(int code) {
    return code >= 0 && (code & SKIPPED_BEFORE_NAME) != 0;
  }

  static boolean isModifier(int code) {
    return code >= 0 && (code & MODIFIER) != 0;
  }

  static boolean isObjectType(int code) {
    return code >= 0 && (code & OBJECT_TYPE) != 0;
  }

  static boolean startsStatement(int role) {
    return role >= SELECT && role <= COMMAND_OR_CLAUSE && role != RECURSIVE;
  }
}
