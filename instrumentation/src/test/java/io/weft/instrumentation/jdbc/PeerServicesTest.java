package io.weft.instrumentation.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.Attributes;
import io.weft.instrumentation.MapConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The OpenTelemetry agent's peer-service mapping, read the way it is written for that agent. */
class PeerServicesTest {

  private static MapConfig config(String mapping, String optIn) {
    Map<String, String> values = new HashMap<>();
    values.put(PeerServices.KEY, mapping);
    if (optIn != null) {
      values.put("otel.semconv-stability.opt-in", optIn);
    }
    return new MapConfig(values);
  }

  @Test
  void anAddressAndPortWinsOverTheAddressAlone() {
    PeerServices peers = PeerServices.from(config(
        "10.0.3.7=orders-db, 10.0.3.7:5433=orders-replica,Reports.Internal=reports,[::1]:5432=local-v6,fe80::1=link", null));
    assertEquals("orders-db", peers.resolve("10.0.3.7", 5432));
    assertEquals("orders-replica", peers.resolve("10.0.3.7", 5433));
    assertEquals("orders-db", peers.resolve("10.0.3.7", -1), "no port known: the address's entry");
    assertEquals("reports", peers.resolve("reports.internal", 3306), "addresses compare without case");
    assertEquals("local-v6", peers.resolve("[::1]", 5432));
    assertEquals("local-v6", peers.resolve("::1", 5432));
    assertNull(peers.resolve("::1", 5433));
    assertEquals("link", peers.resolve("fe80::1", 5432), "a bare IPv6 address has no port");
    assertNull(peers.resolve("10.0.3.8", 5432));
    assertNull(peers.resolve(null, 5432), "an in-memory database has no address");
  }

  @Test
  void anAddressGivenTwiceTakesItsLastName() {
    PeerServices peers = PeerServices.from(config("127.0.0.1=first, 127.0.0.1=second, db:5432=a, DB:5432=b", null));
    assertEquals("second", peers.resolve("127.0.0.1", 5432), "as the OpenTelemetry agent, which reads the setting as a map");
    assertEquals("b", peers.resolve("db", 5432));
  }

  @Test
  void schemesAreSkippedAndEntriesWithAPathMatchNoDatabase() {
    PeerServices peers = PeerServices.from(config("https://db.internal:5432=orders-db,api.internal/v1=api", null));
    assertEquals("orders-db", peers.resolve("db.internal", 5432));
    assertNull(peers.resolve("api.internal", 443), "a path is an HTTP client's: no database is named by it");
  }

  @Test
  void theAttributeIsPeerServiceUnlessTheNewerNameIsOptedInto() {
    Attributes old = PeerServices.from(config("db=orders-db", null)).attributes("db", 5432);
    assertEquals(Attributes.of(PeerServices.PEER_SERVICE, "orders-db"), old);
    Attributes stable = PeerServices.from(config("db=orders-db", "database,service.peer")).attributes("db", 5432);
    assertEquals(Attributes.of(PeerServices.SERVICE_PEER_NAME, "orders-db"), stable);
    Attributes both = PeerServices.from(config("db=orders-db", "service.peer/dup")).attributes("db", 5432);
    assertEquals(Attributes.of(PeerServices.PEER_SERVICE, "orders-db", PeerServices.SERVICE_PEER_NAME, "orders-db"), both);
    assertEquals(Attributes.empty(), PeerServices.from(config("db=orders-db", null)).attributes("other", 5432));
  }

  @Test
  void malformedEntriesAreReportedOnceEachAndTheOthersApply() {
    MapConfig config = config("noequals,=nameless,db=,db:99999=far,db:x=bad,[::1=open,good:5432=fine,/path=p", null);
    PeerServices peers = PeerServices.from(config);
    assertEquals("fine", peers.resolve("good", 5432));
    assertEquals(8 - 1, config.warnings.size(), config.warnings::toString);
    assertTrue(config.warnings.get(0).startsWith(
        "OTEL_INSTRUMENTATION_COMMON_PEER_SERVICE_MAPPING: ignoring the malformed entry 'noequals'"), config.warnings.get(0));
  }

  @Test
  void unsetOrEmptyIsNone() {
    assertSame(PeerServices.NONE, PeerServices.from(new MapConfig(Map.of())));
    assertSame(PeerServices.NONE, PeerServices.from(config(" , ", null)));
    assertEquals(List.of(), new MapConfig(Map.of()).warnings);
  }
}
