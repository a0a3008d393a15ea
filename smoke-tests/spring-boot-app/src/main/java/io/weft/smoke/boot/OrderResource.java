package io.weft.smoke.boot;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** A JAX-RS resource run by Jersey under /shop/api: a list, one order by id (with a regular expression), a sub-resource. */
@Path("/orders")
@Produces(MediaType.TEXT_PLAIN)
public class OrderResource {

  @GET
  public String list() {
    return "orders";
  }

  @GET
  @Path("{id: [0-9]+}")
  public String order(@PathParam("id") int id) {
    return "order " + id;
  }

  @POST
  @Path("{id}/cancel")
  public String cancel(@PathParam("id") String id) {
    throw new IllegalStateException("order " + id + " cannot be cancelled");
  }

  /** A sub-resource locator: the template goes on in the methods of what it returns. */
  @Path("{id}/lines")
  public Lines lines(@PathParam("id") String id) {
    return new Lines(id);
  }

  public static class Lines {
    private final String order;

    Lines(String order) {
      this.order = order;
    }

    @GET
    public String all() {
      return "lines of " + order;
    }

    @GET
    @Path("{line: [0-9]+}")
    public String one(@PathParam("line") int line) {
      return "line " + line + " of " + order;
    }
  }
}
