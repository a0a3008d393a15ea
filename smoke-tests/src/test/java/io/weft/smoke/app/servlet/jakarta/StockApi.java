package io.weft.smoke.app.servlet.jakarta;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** A JAX-RS interface, as OpenAPI's generator writes them: the annotations here, the code in {@link StockResource}. */
@Path("stock")
@Produces(MediaType.TEXT_PLAIN)
public interface StockApi {

  @GET
  @Path("{sku: [A-Z]+-[0-9]+}")
  String level(@PathParam("sku") String sku);
}
