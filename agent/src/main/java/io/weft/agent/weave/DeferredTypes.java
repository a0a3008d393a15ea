package io.weft.agent.weave;

import io.weft.instrumentation.InstrumentationConfig;
import io.weft.instrumentation.Reweaver;
import io.weft.instrumentation.Sieve;
import io.weft.instrumentation.TypeInstrumentation;
import io.weft.instrumentation.WeftInstrumentation;
import java.util.List;

/**
 * An instrumentation whose type instrumentations are made only when the JVM defines a class its {@link Sieve} passes
 * ({@link WeftInstrumentation#sieve}): until then the first filter asks the sieve alone, and none of their classes is
 * loaded. Made at premain; {@link #make} runs at most once, under the first filter's lock. Agent class loader.
 */
public final class DeferredTypes {

  final WeftInstrumentation instrumentation;
  final Sieve sieve;
  private final InstrumentationConfig config;
  /** What runs each time one of its type instrumentations has woven a class. */
  final Runnable onWoven;
  private Reweaver reweaver; // set before the filter is registered

  public DeferredTypes(WeftInstrumentation instrumentation, Sieve sieve, InstrumentationConfig config, Runnable onWoven) {
    this.instrumentation = instrumentation;
    this.sieve = sieve;
    this.config = config;
    this.onWoven = onWoven;
  }

  void reweaveWith(Reweaver reweaver) {
    this.reweaver = reweaver;
  }

  /** The type instrumentations, made now, each handed the reweaver. */
  List<TypeInstrumentation> make() {
    List<TypeInstrumentation> made = instrumentation.typeInstrumentations(config);
    if (reweaver != null) {
      for (TypeInstrumentation type : made) {
        type.reweaveWith(reweaver);
      }
    }
    config.debug("instrumentation " + instrumentation.name() + ": its first class is here, " + made.size()
        + " type instrumentation(s) made");
    return made;
  }
}
