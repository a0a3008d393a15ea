package io.weft.smoke.boot;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

/** Spring MVC's functional endpoints: a route whose handler is a function, not an annotated method. */
@Configuration
public class FunctionalRoutes {

  @Bean
  public RouterFunction<ServerResponse> stock() {
    return RouterFunctions.route()
        .GET("/stock/{sku}", request -> ServerResponse.ok().body("stock of " + request.pathVariable("sku")))
        .build();
  }
}
