package io.weft.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Ids cross between OTLP/JSON hex and JsonFormat base64 both ways, and nothing else is touched. */
class OtlpJsonIdsTest {

  @Test
  void roundTrips() {
    String hex = "{\"traceId\": \"" + TestExports.TRACE_ID + "\",\"spanId\":\"" + TestExports.PARENT_ID
        + "\",\"name\":\"" + TestExports.TRACE_ID + "\"}";

    String base64 = OtlpJsonIds.hexToBase64(hex);

    assertEquals("{\"traceId\": \"S/kvNXezTaajzpKdDg5HNg==\",\"spanId\":\"APBnqgupArc=\",\"name\":\""
        + TestExports.TRACE_ID + "\"}", base64);
    assertEquals(hex, OtlpJsonIds.base64ToHex(base64));
  }
}
