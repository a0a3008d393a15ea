package io.weft.smoke.app.servlet.javax;

import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;

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
