package directfixtures;

/** Uses the default method of {@link Greeter} as is. */
public class Greets implements Greeter {}
