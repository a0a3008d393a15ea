package io.weft.instrumentation.directfixtures;

/** Two levels up from Target. */
public interface Deeper {}
