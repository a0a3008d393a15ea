package io.weft.instrumentation.servlet;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ServletErrorCauseTest {

  @Test
  void aServletExceptionStandsForItsCause() {
    IllegalStateException cause = new IllegalStateException("boom");
    assertSame(cause, ServletTracer.cause(new jakarta.servlet.ServletException("Request processing failed", cause)));
    assertSame(cause, ServletTracer.cause(new javax.servlet.ServletException("Request processing failed", cause)));
  }

  @Test
  void nestedWrappersAndSubclassesAreUnwrappedToTheFirstOtherException() {
    IOException cause = new IOException("disk");
    RuntimeException wrapped = new RuntimeException("not a servlet exception", cause);
    Throwable thrown = new jakarta.servlet.ServletException(new NestedServletException("inner", wrapped));
    assertSame(wrapped, ServletTracer.cause(thrown), "unwrapped through servlet exceptions only");
  }

  @Test
  void aServletExceptionWithoutCauseAndAnyOtherExceptionStandForThemselves() {
    jakarta.servlet.ServletException alone = new jakarta.servlet.ServletException("no cause");
    assertSame(alone, ServletTracer.cause(alone));
    IllegalArgumentException other = new IllegalArgumentException("x", new IllegalStateException());
    assertSame(other, ServletTracer.cause(other));
    Error error = new OutOfMemoryError();
    assertSame(error, ServletTracer.cause(error));
  }

  @Test
  @Timeout(5)
  void aCycleOfWrappersEnds() {
    SelfCaused a = new SelfCaused();
    SelfCaused b = new SelfCaused();
    a.other = b;
    b.other = a;
    Throwable found = ServletTracer.cause(a);
    assertTrue(found == a || found == b, "bounded: one of the two, never a hang");
  }

  @Test
  void aWrapperWhoseGetCauseThrowsStandsForItself() {
    jakarta.servlet.ServletException broken = new jakarta.servlet.ServletException("broken") {
      @Override
      public synchronized Throwable getCause() {
        throw new IllegalStateException("an application's getCause that fails");
      }
    };
    assertSame(broken, ServletTracer.cause(broken));
  }

  /** As Spring 5's {@code NestedServletException}: a subclass. */
  static final class NestedServletException extends javax.servlet.ServletException {
    NestedServletException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  static final class SelfCaused extends jakarta.servlet.ServletException {
    SelfCaused other;

    @Override
    public synchronized Throwable getCause() {
      return other;
    }
  }
}
