package io.weft.bridge;

/**
 * The door from woven servlet advice into the agent. Loaded by the bootstrap class loader so that
 * container and webapp classes can call it; uses {@code java.base} types only: requests and responses
 * travel as {@code Object} and are read on the agent side.
 */
public final class ServletBridge {

  /** Until the agent installs its handler: waits at the {@link StartupGate}, then hands over. */
  private static final Handler STARTING =
      new Handler() {
        @Override
        public Object enter(Object request, Object response) {
          StartupGate.await();
          Handler ready = handler;
          return ready == this ? null : ready.enter(request, response);
        }

        @Override
        public void exit(Object call, Throwable thrown) {
          Handler ready = handler;
          if (ready != this) {
            ready.exit(call, thrown);
          }
        }

        @Override
        public Runnable wrap(Runnable task) {
          Handler ready = handler;
          return ready == this ? task : ready.wrap(task);
        }
      };

  private static volatile Handler handler = STARTING;

  private ServletBridge() {}

  /**
   * Called on entry to {@code Servlet.service} and {@code Filter.doFilter}. Returns what {@link #exit}
   * must finish, or {@code null} when not recording or when the request is already traced further out
   * (nested filters and servlets, forwards, includes).
   */
  public static Object enter(Object request, Object response) {
    try {
      return handler.enter(request, response);
    } catch (Throwable e) {
      return null; // woven code calls these directly: nothing may reach the application
    }
  }

  /** Ends what {@link #enter} started, or hands it to the async cycle when the request went async. */
  public static void exit(Object call, Throwable thrown) {
    if (call != null) {
      try {
        handler.exit(call, thrown);
      } catch (Throwable e) {
        // as above
      }
    }
  }

  /** The task for {@code AsyncContext.start}, carrying the request's context to the thread that runs it. */
  public static Runnable wrap(Runnable task) {
    try {
      return handler.wrap(task);
    } catch (Throwable e) {
      return task;
    }
  }

  /**
   * Spring MVC's {@code AbstractHandlerMethodAdapter.handle(request, response, handler)} starts (woven only when
   * controller telemetry is asked for): returns what {@link #controllerExit} must finish, or {@code null}.
   */
  public static Object controller(Object handler) {
    try {
      return ServletBridge.handler.controller(handler);
    } catch (Throwable e) {
      return null;
    }
  }

  /**
   * Spring MVC's {@code DispatcherServlet.render(modelAndView, request, response)} starts (woven only when view
   * telemetry is asked for): returns what {@link #controllerExit} must finish, or {@code null}.
   */
  public static Object view(Object modelAndView) {
    try {
      return handler.view(modelAndView);
    } catch (Throwable e) {
      return null;
    }
  }

  /** Ends what {@link #controller} or {@link #view} started; {@code thrown} may be null. */
  public static void controllerExit(Object call, Throwable thrown) {
    if (call != null) {
      try {
        handler.controllerExit(call, thrown);
      } catch (Throwable e) {
        // as above
      }
    }
  }

  /**
   * A JAX-RS resource method starts: {@code template} is its route under the servlet's path ({@code /users/{id}}), null
   * in a class without {@code @Path} (a sub-resource); {@code ownPath} its own {@code @Path} ({@code /{id}}, or empty).
   * Both read from its annotations when the class was woven.
   */
  public static void route(String template, String ownPath) {
    try {
      handler.route(template, ownPath);
    } catch (Throwable e) {
      // as above
    }
  }

  /** A JAX-RS sub-resource locator starts; as {@link #route}. */
  public static void locate(String template, String ownPath) {
    try {
      handler.locate(template, ownPath);
    } catch (Throwable e) {
      // as above
    }
  }

  /**
   * As {@link #route}, for a resource method woven while controller telemetry is asked for: {@code function} is its
   * class's and its own name ({@code com.example.OrderResource.order}); returns what {@link #controllerExit} must
   * finish, or {@code null}.
   */
  public static Object resource(String template, String ownPath, String function) {
    try {
      return handler.resource(template, ownPath, function);
    } catch (Throwable e) {
      return null;
    }
  }

  /** As {@link #locate}, for a sub-resource locator woven while controller telemetry is asked for; as {@link #resource}. */
  public static Object locator(String template, String ownPath, String function) {
    try {
      return handler.locator(template, ownPath, function);
    } catch (Throwable e) {
      return null;
    }
  }

  public static void install(Handler ready) {
    handler = ready;
  }

  /** Implemented in the agent class loader. Implementations never throw. */
  public interface Handler {
    Handler NOOP =
        new Handler() {
          @Override
          public Object enter(Object request, Object response) {
            return null;
          }

          @Override
          public void exit(Object call, Throwable thrown) {}

          @Override
          public Runnable wrap(Runnable task) {
            return task;
          }
        };

    Object enter(Object request, Object response);

    void exit(Object call, Throwable thrown);

    Runnable wrap(Runnable task);

    /** A JAX-RS resource method got the current request ({@link ServletBridge#route}). */
    default void route(String template, String ownPath) {}

    /** A JAX-RS sub-resource locator got the current request ({@link ServletBridge#locate}). */
    default void locate(String template, String ownPath) {}

    /** As {@link #route}, and a controller span named after {@code function} when asked for. */
    default Object resource(String template, String ownPath, String function) {
      route(template, ownPath);
      return null;
    }

    /** As {@link #locate}, and a controller span named after {@code function} when asked for. */
    default Object locator(String template, String ownPath, String function) {
      locate(template, ownPath);
      return null;
    }

    /** A framework's controller method is about to handle the request. */
    default Object controller(Object handler) {
      return null;
    }

    /** A framework is about to render the request's view. */
    default Object view(Object modelAndView) {
      return null;
    }

    default void controllerExit(Object call, Throwable thrown) {}
  }
}
