package io.weft.smoke.boot;

import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/** The configured method of the smoke test: one query, with a literal the agent must not export. */
@Service
public class Items {
  private final JdbcTemplate jdbc;

  public Items(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  public Map<String, Object> find(int id) {
    return jdbc.queryForMap("SELECT CAST(? AS integer) AS id, 'secret-name' AS name", id);
  }
}
