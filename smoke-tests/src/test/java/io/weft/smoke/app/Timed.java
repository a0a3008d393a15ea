package io.weft.smoke.app;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** An application's own "trace this" annotation, for OTEL_INSTRUMENTATION_EXTERNAL_ANNOTATIONS_INCLUDE. */
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Timed {}
