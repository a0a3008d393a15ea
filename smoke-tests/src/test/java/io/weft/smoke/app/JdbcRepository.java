package io.weft.smoke.app;

public class JdbcRepository implements Repository {
  @Override
  public String load(int id) {
    return "row-" + id;
  }

  public String notInTheInterface() {
    return "untraced";
  }
}
