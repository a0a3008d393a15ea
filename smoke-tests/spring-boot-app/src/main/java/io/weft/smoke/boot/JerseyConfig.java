package io.weft.smoke.boot;

import org.glassfish.jersey.server.ResourceConfig;
import org.springframework.stereotype.Component;

/** Jersey's resources, named one by one: its package scan cannot read classes inside Boot's nested jars. */
@Component
public class JerseyConfig extends ResourceConfig {

  public JerseyConfig() {
    register(OrderResource.class);
    register(CatalogResource.class);
  }
}
