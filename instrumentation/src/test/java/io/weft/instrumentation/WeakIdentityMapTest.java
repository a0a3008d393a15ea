package io.weft.instrumentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WeakIdentityMapTest {

  @Test
  void keysCompareByIdentityNotEquals() {
    WeakIdentityMap<String> map = new WeakIdentityMap<>(10);
    String a = new String("same");
    String b = new String("same");
    map.put(a, "a");
    assertEquals("a", map.get(a));
    assertNull(map.get(b));
    map.put(b, "b");
    assertEquals("a", map.get(a));
    assertEquals("b", map.get(b));
    map.remove(a);
    assertNull(map.get(a));
  }

  @Test
  void fullMapsRefuseNewKeysButUpdateKnownOnes() {
    WeakIdentityMap<String> map = new WeakIdentityMap<>(2);
    Object one = new Object();
    Object two = new Object();
    assertTrue(map.put(one, "1"));
    assertTrue(map.put(two, "2"));
    assertFalse(map.put(new Object(), "3"));
    assertTrue(map.put(one, "1 again"));
    assertEquals("1 again", map.get(one));
    assertEquals(2, map.size());
  }

  @Test
  void takeRemovesTheKeyAndAnswersItsValue() {
    WeakIdentityMap<String> map = new WeakIdentityMap<>(10);
    Object key = new Object();
    assertNull(map.take(key), "an empty map");
    map.put(key, "value");
    assertNull(map.take(new Object()));
    assertNull(map.take(null));
    assertEquals("value", map.take(key));
    assertNull(map.take(key), "taken once");
    assertEquals(0, map.size());
  }

  @Test
  void collectedKeysLeave() {
    WeakIdentityMap<String> map = new WeakIdentityMap<>(10);
    map.put(new Object(), "garbage");
    for (int attempt = 0; attempt < 50 && map.size() > 0; attempt++) {
      System.gc(); // bounded: the collector is asked, not waited for
    }
    assertEquals(0, map.size());
  }
}
