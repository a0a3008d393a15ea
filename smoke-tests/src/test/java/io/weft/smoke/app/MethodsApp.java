package io.weft.smoke.app;

import io.weft.smoke.app.service.OrderService;
import io.weft.smoke.app.service.UserService;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;

/** Exercises every kind of method selection once, prints what it saw, and exits 0. */
public final class MethodsApp {

  public static void main(String[] args) throws Exception {
    Shop shop = new Shop("corner");
    System.out.println("placed " + shop.placeOrder("apple"));
    System.out.println(shop.find(7) + " " + shop.find("k"));
    try {
      shop.fail("bad order");
    } catch (IllegalArgumentException e) {
      System.out.println("caught " + e.getMessage() + " " + (e.getClass() == IllegalArgumentException.class));
    }
    System.out.println("recursed " + shop.recurse(3));
    System.out.println("secret " + shop.secretStuff());
    System.out.println("async " + shop.later(false).get());
    try {
      shop.later(true).get();
    } catch (ExecutionException e) {
      System.out.println("async failed " + e.getCause().getMessage());
    }

    Repository repository = new JdbcRepository();
    System.out.println("loaded " + repository.load(5) + " " + new JdbcRepository().notInTheInterface());
    AbstractHandler handler = new GreetingHandler();
    System.out.println(handler.handle("world"));
    Pricing doubler = amount -> amount * 2;
    System.out.println("priced " + doubler.apply(21));
    int surcharge = args.length + 5;
    Pricing surcharged = amount -> amount + surcharge;
    System.out.println("surcharged " + surcharged.apply(10));
    Pricing tripler = Prices::triple;
    System.out.println("tripled " + tripler.apply(14));
    System.out.println("discounted " + shop.discounted(50));

    @SuppressWarnings({"rawtypes", "unchecked"})
    Comparable<Object> viaBridge = (Comparable) new Versioned(2);
    System.out.println("compared " + viaBridge.compareTo(new Versioned(1)));

    System.out.println(new OrderService().getOrder(1) + " " + new UserService().getUser(2));
    new UserService().deleteUser(3);

    Annotated annotated = new Annotated();
    System.out.println(annotated.work() + " " + annotated.named() + " " + annotated.plain() + " " + annotated.excluded());

    Path classes = Path.of(MethodsApp.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (URLClassLoader isolated = new URLClassLoader("isolated", new URL[] {classes.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      Class<?> plugin = isolated.loadClass(Plugin.class.getName());
      Object result = plugin.getMethod("run").invoke(plugin.getConstructor().newInstance());
      System.out.println(result + " (loader " + plugin.getClassLoader().getName() + ")");
    }
    System.out.println("methods app done");
  }
}
