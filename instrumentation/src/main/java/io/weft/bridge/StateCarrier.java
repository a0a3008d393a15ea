package io.weft.bridge;

/**
 * Implemented by application classes the agent weaves while they load (JDBC statements and
 * connections): one field the agent keeps its own state in, so that the state lives and dies with the
 * object instead of sitting in a weak identity map. Loaded by the bootstrap class loader, like the
 * other bridge types, so every class loader that can reach the bridge sees it. Only the agent calls
 * these methods; the value is the agent's and never an application object.
 */
public interface StateCarrier {

  /** The agent's state for this object, or {@code null}. */
  Object weft$state();

  /** Sets the agent's state for this object. */
  void weft$state(Object state);
}
