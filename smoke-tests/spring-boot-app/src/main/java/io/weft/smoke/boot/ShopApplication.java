package io.weft.smoke.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;

/** A Spring Boot shop: Spring MVC under the context path /shop, JdbcTemplate on PostgreSQL. Prints {@code READY <port>}. */
@SpringBootApplication
public class ShopApplication {

  public static void main(String[] args) {
    SpringApplication.run(ShopApplication.class, args);
  }

  @EventListener
  public void ready(WebServerInitializedEvent event) {
    System.out.println("READY " + event.getWebServer().getPort());
  }
}
