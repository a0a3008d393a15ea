package io.weft.instrumentation.methods;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the advice parameter that receives the woven method's id in the {@link MethodRegistry}, a
 * constant written into the bytecode at weave time. Only read by Byte Buddy, never at run time.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface MethodId {}
