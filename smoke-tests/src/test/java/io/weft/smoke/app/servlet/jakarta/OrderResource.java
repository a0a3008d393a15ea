package io.weft.smoke.app.servlet.jakarta;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** A jakarta.ws.rs resource RESTEasy 6 runs under /app/rs: one order by id (with a regular expression), a sub-resource. */
@Path("orders")
@Produces(MediaType.TEXT_PLAIN)
public class OrderResource {

  @GET
  @Path("{id: [0-9]+}")
  public String order(@PathParam("id") int id) {
    return "order " + id;
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
  }
}
