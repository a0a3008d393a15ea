package io.weft.instrumentation.methods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import net.bytebuddy.jar.asm.Type;
import net.bytebuddy.utility.OpenedClassReader;
import org.junit.jupiter.api.Test;

/** The call-site scanner on class files javac compiled from {@link LambdaFixtures}. */
class LambdaCallSitesTest {

  private static final String PRICING = LambdaFixtures.Pricing.class.getName();
  private final LambdaCallSites pricingApply =
      new LambdaCallSites(List.of(PRICING, "com.acme.NotLoaded"), (type, method) -> type.equals(PRICING) && method.equals("apply"));

  @Test
  void findsEveryLambdaOfTheNamedInterfaceAndNothingElse() throws IOException {
    Map<String, LambdaCallSites.Implemented> bodies = pricingApply.scan(classFile(LambdaFixtures.Declaring.class));

    Set<String> enclosing = new TreeSet<>();
    for (String body : bodies.keySet()) {
      enclosing.add(body.split("\\$")[1]); // lambda$capturingThis$2(I)I
    }
    assertEquals(
        new TreeSet<>(List.of("nonCapturing", "capturingLocal", "capturingThis", "nonCapturingInInstanceMethod", "serializable", "nested")),
        enclosing,
        "method references, other interfaces and the Supplier around a Pricing are left out: " + bodies.keySet());
    assertEquals(6, bodies.size(), bodies.keySet().toString());
    for (LambdaCallSites.Implemented implemented : bodies.values()) {
      assertEquals(PRICING, implemented.interfaceName);
      assertEquals("apply", implemented.methodName);
    }
  }

  @Test
  void everyBodyFoundIsASyntheticMethodOfTheDeclaringClass() throws IOException {
    Set<String> found = pricingApply.scan(classFile(LambdaFixtures.Declaring.class)).keySet();
    Map<String, Method> declared =
        Arrays.stream(LambdaFixtures.Declaring.class.getDeclaredMethods())
            .collect(Collectors.toMap(m -> m.getName() + Type.getMethodDescriptor(m), m -> m));
    for (String body : found) {
      Method method = declared.get(body);
      assertTrue(method != null && method.isSynthetic() && !method.isBridge(), body + " in " + declared.keySet());
    }
    assertTrue(found.stream().anyMatch(body -> !Modifier.isStatic(declared.get(body).getModifiers())),
        "the lambda capturing this has an instance method as body");
  }

  @Test
  void methodReferencesAreNotLambdaBodies() throws IOException {
    byte[] classFile = classFile(LambdaFixtures.OnlyMethodReferences.class);
    assertTrue(pricingApply.mayDeclareLambdas(OpenedClassReader.of(classFile), classFile));
    assertEquals(Map.of(), pricingApply.scan(classFile));
  }

  @Test
  void theConstantPoolCheckNeedsBothTheFactoryAndANamedType() throws IOException {
    for (Class<?> fixture : List.of(LambdaFixtures.NoLambdas.class, LambdaFixtures.OtherLambdas.class, LambdaFixtures.class)) {
      byte[] classFile = classFile(fixture);
      assertFalse(pricingApply.mayDeclareLambdas(OpenedClassReader.of(classFile), classFile), fixture.getName());
      assertEquals(Map.of(), pricingApply.scan(classFile), fixture.getName());
    }
    byte[] declaring = classFile(LambdaFixtures.Declaring.class);
    assertTrue(pricingApply.mayDeclareLambdas(OpenedClassReader.of(declaring), declaring));
  }

  @Test
  void anExcludedOrUnconfiguredMethodSelectsNoBody() throws IOException {
    LambdaCallSites excluded = new LambdaCallSites(List.of(PRICING), (type, method) -> false);
    assertEquals(Map.of(), excluded.scan(classFile(LambdaFixtures.Declaring.class)));
    LambdaCallSites otherType = new LambdaCallSites(List.of(LambdaFixtures.Unnamed.class.getName()), (type, method) -> true);
    Map<String, LambdaCallSites.Implemented> unnamed = otherType.scan(classFile(LambdaFixtures.Declaring.class));
    assertEquals(1, unnamed.size(), unnamed.toString());
    assertTrue(unnamed.keySet().iterator().next().startsWith("lambda$otherInterfaces$"), unnamed.toString());
  }

  @Test
  void aMalformedClassFileThrowsForTheCallerToContain() throws IOException {
    byte[] truncated = Arrays.copyOf(classFile(LambdaFixtures.Declaring.class), 200);
    assertThrows(RuntimeException.class, () -> pricingApply.scan(truncated));
    assertThrows(RuntimeException.class, () -> pricingApply.scan(new byte[] {1, 2, 3}));
  }

  private static byte[] classFile(Class<?> type) throws IOException {
    try (InputStream in = type.getResourceAsStream(type.getName().substring(type.getName().lastIndexOf('.') + 1) + ".class")) {
      return in.readAllBytes();
    }
  }
}
