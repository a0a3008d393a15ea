package io.weft.instrumentation.methods;

import java.io.Serializable;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;

/** Compiled fixtures for {@link LambdaCallSitesTest}: each shape of lambda javac emits, and look-alikes. */
final class LambdaFixtures {

  private LambdaFixtures() {}

  interface Pricing {
    int apply(int amount);
  }

  interface Unnamed {
    int apply(int amount);
  }

  static int triple(int amount) {
    return amount * 3;
  }

  /** One method per shape; the method name is in its lambda body's name (lambda$nonCapturing$0). */
  static final class Declaring {
    private final int offset = 1;

    static int nonCapturing() {
      Pricing p = a -> a * 2;
      return p.apply(1);
    }

    static int capturingLocal(int k) {
      Pricing p = a -> a + k;
      return p.apply(1);
    }

    int capturingThis() {
      Pricing p = a -> a + offset;
      return p.apply(1);
    }

    int nonCapturingInInstanceMethod() {
      Pricing p = a -> a - 1;
      return p.apply(1);
    }

    static int serializable() { // LambdaMetafactory.altMetafactory
      Pricing p = (Pricing & Serializable) a -> a;
      return p.apply(1);
    }

    static int nested() { // the Supplier's body is not a Pricing, the lambda inside it is
      Supplier<Pricing> s = () -> a -> a * 5;
      return s.get().apply(1);
    }

    static int methodReference() {
      Pricing p = LambdaFixtures::triple;
      return p.apply(1);
    }

    static int sameClassMethodReference() {
      Pricing p = Declaring::own;
      return p.apply(1);
    }

    static int own(int amount) {
      return amount;
    }

    static int otherInterfaces() {
      Unnamed u = a -> a;
      IntUnaryOperator op = a -> a;
      return u.apply(op.applyAsInt(1));
    }
  }

  static final class OnlyMethodReferences {
    static int run() {
      Pricing p = LambdaFixtures::triple;
      return p.apply(2);
    }
  }

  static final class NoLambdas {
    static int run(Pricing p) {
      return p.apply(2);
    }
  }

  static final class OtherLambdas {
    static Supplier<String> run() {
      return () -> "x";
    }
  }
}
