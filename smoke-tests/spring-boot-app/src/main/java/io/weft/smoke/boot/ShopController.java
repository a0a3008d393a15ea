package io.weft.smoke.boot;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Routes with path variables, a plain one, a failing handler and an async one. */
@RestController
public class ShopController {
  private static final Logger LOG = LoggerFactory.getLogger(ShopController.class);

  private final Items items;

  public ShopController(Items items) {
    this.items = items;
  }

  @GetMapping("/items/{id}")
  public Map<String, Object> item(@PathVariable("id") int id) {
    LOG.info("item {}", id); // through Spring Boot's own Logback: the smoke test reads the trace ids in the line
    return items.find(id);
  }

  /** Needs no database: the benchmark's start-up figure waits for its first answer. */
  @GetMapping("/hello")
  public String hello() {
    return "hello";
  }

  @GetMapping("/fail")
  public String fail() {
    throw new IllegalStateException("the smoke test asked for a failure");
  }

  /** Spring MVC completes the request when the future does, on another thread, after the handler returned. */
  @GetMapping("/later/{id}")
  public CompletableFuture<String> later(@PathVariable("id") int id) {
    return CompletableFuture.supplyAsync(() -> "later " + items.find(id).get("id"));
  }
}
