package io.weft.smoke.app;

public class GreetingHandler extends AbstractHandler {
  @Override
  public String handle(String input) {
    return "hello " + input;
  }
}
