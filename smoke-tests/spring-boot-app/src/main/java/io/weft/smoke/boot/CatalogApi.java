package io.weft.smoke.boot;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** A JAX-RS interface as OpenAPI's generator writes them: the annotations here, the code in {@link CatalogResource}. */
@Path("/catalog")
@Produces(MediaType.TEXT_PLAIN)
public interface CatalogApi {

  @GET
  @Path("{code}")
  String product(@PathParam("code") String code);

  @DELETE
  @Path("{code}")
  String remove(@PathParam("code") String code);
}
