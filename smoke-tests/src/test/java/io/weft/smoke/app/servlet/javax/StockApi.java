package io.weft.smoke.app.servlet.javax;

import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;

/** A JAX-RS interface, as OpenAPI's generator writes them: the annotations here, the code in {@link StockResource}. */
@Path("stock")
@Produces(MediaType.TEXT_PLAIN)
public interface StockApi {

  @GET
  @Path("{sku: [A-Z]+-[0-9]+}")
  String level(@PathParam("sku") String sku);
}
