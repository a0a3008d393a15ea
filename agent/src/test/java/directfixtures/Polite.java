package directfixtures;

/** Overrides the named interface's method: woven through the hierarchy. */
public class Polite implements Greeter {
  @Override
  public String greet(String name) {
    return "good day " + name;
  }

  public String other() {
    return "not configured";
  }
}
