package directfixtures;

/** A named interface: its default method's code is woven directly. */
public interface Greeter {
  default String greet(String name) {
    return "hello " + name;
  }
}
