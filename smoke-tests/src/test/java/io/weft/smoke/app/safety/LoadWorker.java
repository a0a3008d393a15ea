package io.weft.smoke.app.safety;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/** One unit of work of ConcurrencyApp: a traced method that runs one JDBC statement, so its span is the statement's parent. */
public final class LoadWorker {

  private final PreparedStatement insert;
  private final int thread;

  public LoadWorker(PreparedStatement insert, int thread) {
    this.insert = insert;
    this.thread = thread;
  }

  public int unitOfWork(int call) throws SQLException {
    insert.setInt(1, thread);
    insert.setInt(2, call);
    return insert.executeUpdate();
  }
}
