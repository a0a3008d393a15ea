package io.weft.instrumentation.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QueryRedactorTest {

  private final QueryRedactor redactor = QueryRedactor.defaults();

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
    "password=hunter2|password=REDACTED",
    "a=1&password=hunter2&b=2|a=1&password=REDACTED&b=2",
    "PassWord=x|PassWord=REDACTED",
    "pass%77ord=x|pass%77ord=REDACTED",
    "%70%61%73%73%77%6F%72%64=x|%70%61%73%73%77%6F%72%64=REDACTED",
    "PASS%57ORD=x|PASS%57ORD=REDACTED",
    "api+key=x&api-key=y&api_key=z|api+key=x&api-key=REDACTED&api_key=REDACTED",
    "token=a=b=c&x=1|token=REDACTED&x=1",
    "X-Amz-Signature=abc&X-Amz-Credential=AK%2F2024&X-Amz-Date=1|X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&X-Amz-Date=1",
    "AWSAccessKeyId=AK&Signature=s&Expires=1|AWSAccessKeyId=REDACTED&Signature=REDACTED&Expires=1",
    "sv=2020&sig=abc|sv=2020&sig=REDACTED",
    "x-goog-signature=1|x-goog-signature=REDACTED",
    "key=1&key=2&|key=REDACTED&key=REDACTED&",
    "jsessionid=ABC;x=1&b=2|jsessionid=REDACTED&b=2",
    "a=1&&token=t|a=1&&token=REDACTED",
    "client_secret=s&code=c|client_secret=REDACTED&code=c",
  })
  void redactsSensitiveValues(String query, String expected) {
    assertEquals(expected, redactor.redact(query));
  }

  /** A session carried in the URL ({@code ;jsessionid=}, the servlet way) and any other sensitive path parameter. */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
    "/app/login;jsessionid=SESSIONSECRET123|/app/login;jsessionid=REDACTED",
    "/app/login;JSESSIONID=S/next;v=2|/app/login;JSESSIONID=REDACTED/next;v=2",
    "/a;v=1;token=t;x=2/b;sig=s|/a;v=1;token=REDACTED;x=2/b;sig=REDACTED",
    "/a;jsessionid=/b;jsessionid|/a;jsessionid=/b;jsessionid",
    "/a;;;=x;jsessionid=s|/a;;;=x;jsessionid=REDACTED",
  })
  void redactsSensitivePathParameters(String path, String expected) {
    assertEquals(expected, redactor.redactPath(path));
  }

  @Test
  void aPathWithoutSensitiveParametersIsTheSameInstance() {
    for (String path : List.of("/", "/app/orders/42", "/a;v=1/b;x=y", "/;", "/a;b")) {
      assertSame(path, redactor.redactPath(path));
    }
    assertNull(redactor.redactPath(null));
    String hostile = "/" + ";a".repeat(200_000) + ";jsessionid=s";
    assertTrue(redactor.redactPath(hostile).endsWith(";jsessionid=REDACTED"));
  }

  @Test
  void aCapturedParameterIsSensitiveByTheSameNamesAndCase() {
    assertTrue(redactor.isSensitiveName("Password"));
    assertTrue(redactor.isSensitiveName("X-Amz-Signature"));
    assertTrue(QueryRedactor.withExtraNames(List.of("ticket")).isSensitiveName("TICKET"));
    assertEquals(false, redactor.isSensitiveName("tenant"));
    assertEquals(false, redactor.isSensitiveName("passwords"));
    assertEquals(false, redactor.isSensitiveName(null));
    assertEquals(List.of("tenant", "Page", "page"), ServletSettings.parameterNames(List.of(" tenant", "Page", "", "tenant", "page ")));
    assertEquals("servlet.request.parameter.page", ServletSettings.parameterKey("Page"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "", "a=1", "a=1&b=2", "&", "&&&", "=x", "==", "password", "password=", "password=&token=",
    "a=1&&b", "passwordx=1", "xpassword=1", "pass%7word=1", "pass%=1", "%", "%%%", "%zz=1",
    "p%C3%A4ssword=1", "päss=1", "name=password", "q=token%3Dx", "\u0000\uFFFF\uD800=1",
    "tok%en=1", "keys=1", "a;password=1"
  })
  void leavesEverythingElseAsTheSameInstance(String query) {
    assertSame(query, redactor.redact(query));
  }

  @Test
  void nullStaysNull() {
    assertNull(redactor.redact(null));
  }

  @Test
  void extraNamesAddToTheDefaultsIncludingNonAscii() {
    QueryRedactor extended = QueryRedactor.withExtraNames(Arrays.asList("Otp", " päss ", "", null));
    assertEquals("otp=REDACTED&password=REDACTED", extended.redact("otp=1&password=2"));
    assertEquals("p%C3%A4ss=REDACTED&päss=REDACTED", extended.redact("p%C3%A4ss=1&päss=2"));
    assertEquals("otp=1", redactor.redact("otp=1"));
    assertSame(QueryRedactor.defaults(), QueryRedactor.withExtraNames(List.of()));
    assertSame(QueryRedactor.defaults(), QueryRedactor.withExtraNames(null));
  }

  @Test
  void surrogatePairsCompareAsUtf8() {
    QueryRedactor extended = QueryRedactor.withExtraNames(List.of("k\uD83D\uDD11"));
    assertEquals("k%F0%9F%94%91=REDACTED", extended.redact("k%F0%9F%94%91=1"));
    assertEquals("k\uD83D\uDD11=REDACTED", extended.redact("k\uD83D\uDD11=1"));
  }

  @Test
  void hugeQueriesStayLinear() {
    // each shape would take minutes if a scan restarted from every '&'
    String noEquals = "a&".repeat(1 << 19);
    assertSame(noEquals, redactor.redact(noEquals));
    String longKey = "%41".repeat(1 << 18) + "=1";
    assertSame(longKey, redactor.redact(longKey));
    String many = "token=1&".repeat(1 << 17);
    String redacted = redactor.redact(many);
    assertEquals("token=REDACTED&".repeat(1 << 17), redacted);
    assertTrue(redacted.length() <= many.length() + 7 * (1 << 17));
  }

  @Test
  void binaryJunkNeverThrows() {
    java.util.Random random = new java.util.Random(42);
    char[] alphabet = "=&%+pPaAsSwWoOrRdD0123456789\u00e4\uD800\uDC00\u0000".toCharArray();
    for (int round = 0; round < 2000; round++) {
      char[] query = new char[random.nextInt(40)];
      for (int i = 0; i < query.length; i++) {
        query[i] = alphabet[random.nextInt(alphabet.length)];
      }
      redactor.redact(new String(query));
    }
  }
}
