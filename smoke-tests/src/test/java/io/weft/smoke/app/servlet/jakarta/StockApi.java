package io.weft.smoke.app.servlet.jakarta;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * A generic JAX-RS interface: the annotations here, the code in {@link StockResource}, whose method has another descriptor
 * ({@code String level(String)} for {@code Object level(String)}): javac's bridge method between them is what is woven.
 */
@Path("stock")
@Produces(MediaType.TEXT_PLAIN)
public interface StockApi<T> {

  @GET
  @Path("{sku: [A-Z]+-[0-9]+}")
  T level(@PathParam("sku") String sku);
}
