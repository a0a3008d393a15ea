package io.weft.instrumentation.directfixtures;

/** A super type for SuperTypesTest, reached through Target. */
public interface Marker extends Deeper {}
