package io.weft.instrumentation.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HeaderCaptureTest {

  @Test
  void lowerCasesNamesAndPrecomputesKeys() {
    HeaderCapture capture =
        HeaderCapture.of(List.of("X-Request-Id", " Content-Type ", "x-request-id"), List.of("ETag"));
    assertEquals(List.of("x-request-id", "content-type"), capture.requestHeaderNames());
    assertEquals("http.request.header.x-request-id", capture.requestAttributeKey(0));
    assertEquals("http.request.header.content-type", capture.requestAttributeKey(1));
    assertEquals(List.of("etag"), capture.responseHeaderNames());
    assertEquals("http.response.header.etag", capture.responseAttributeKey(0));
    assertSame(capture.requestAttributeKey(0), capture.requestAttributeKey(0));
    assertTrue(capture.rejectedNames().isEmpty());
  }

  @Test
  void rejectsBlankAndInvalidNamesForOneWarning() {
    HeaderCapture capture =
        HeaderCapture.of(
            Arrays.asList("", "  ", "bad name", "colon:", "ünï", "ok", null), null);
    assertEquals(List.of("ok"), capture.requestHeaderNames());
    assertEquals(List.of("", "  ", "bad name", "colon:", "ünï"), capture.rejectedNames());
    assertEquals(List.of(), capture.responseHeaderNames());
  }

  @Test
  void noConfigurationCapturesNothing() {
    HeaderCapture capture = HeaderCapture.of(null, null);
    assertTrue(capture.requestHeaderNames().isEmpty());
    assertTrue(capture.responseHeaderNames().isEmpty());
  }

  @ParameterizedTest(name = "{0}: {1} -> {2}")
  @CsvSource(nullValues = "NULL", value = {
    "authorization, Bearer abc, REDACTED",
    "proxy-authorization, Basic x, REDACTED",
    "cookie, JSESSIONID=1, REDACTED",
    "set-cookie, a=b, REDACTED",
    "x-api-key, k, REDACTED",
    "x-auth-token, t, REDACTED",
    "x-amz-security-token, t, REDACTED",
    "x-request-id, abc, abc",
    "NULL, abc, abc",
    "authorization, NULL, NULL",
    "x-request-id, '', ''",
  })
  void redactsSensitiveValuesOnly(String name, String raw, String expected) {
    assertEquals(expected, HeaderCapture.valueFor(name, raw));
  }

  @Test
  void keepsTheValueInstanceAndMatchesLowerCaseNamesOnly() {
    String raw = new String("abc".toCharArray());
    assertSame(raw, HeaderCapture.valueFor("x-request-id", raw));
    assertTrue(HeaderCapture.isSensitive("authorization"));
    assertFalse(HeaderCapture.isSensitive("Authorization")); // names come lower-cased from the loop
    assertFalse(HeaderCapture.isSensitive(null));
    assertNull(HeaderCapture.valueFor("cookie", null));
  }
}
