package io.weft.receiver;

import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts trace and span ids between OTLP/JSON's hex and the base64 protobuf's JsonFormat uses for
 * bytes fields. The OTLP spec makes ids the one exception to the proto3 JSON mapping.
 */
final class OtlpJsonIds {
  // Hex ids are 32 or 16 characters; base64 of 16 or 8 bytes is 24 or 12, so the lengths never collide.
  private static final Pattern ID = Pattern.compile(
      "\"(traceId|trace_id|spanId|span_id|parentSpanId|parent_span_id)\"(\\s*:\\s*)\"([0-9a-fA-F]{32}|[0-9a-fA-F]{16})\"");

  private static final Pattern BASE64_ID = Pattern.compile(
      "\"(traceId|spanId|parentSpanId)\"(\\s*:\\s*)\"([A-Za-z0-9+/]{22}==|[A-Za-z0-9+/]{11}=)\"");

  private OtlpJsonIds() {}

  /** For JsonFormat output: turns its base64 ids into OTLP/JSON's lower-case hex. */
  static String base64ToHex(String json) {
    Matcher matcher = BASE64_ID.matcher(json);
    StringBuilder out = new StringBuilder(json.length());
    while (matcher.find()) {
      String hex = HexFormat.of().formatHex(Base64.getDecoder().decode(matcher.group(3)));
      matcher.appendReplacement(out,
          Matcher.quoteReplacement("\"" + matcher.group(1) + "\"" + matcher.group(2) + "\"" + hex + "\""));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  /** For OTLP/JSON input: turns its hex ids into the base64 JsonFormat parses. */
  static String hexToBase64(String json) {
    Matcher matcher = ID.matcher(json);
    StringBuilder out = new StringBuilder(json.length());
    while (matcher.find()) {
      String base64 = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(matcher.group(3)));
      matcher.appendReplacement(out,
          Matcher.quoteReplacement("\"" + matcher.group(1) + "\"" + matcher.group(2) + "\"" + base64 + "\""));
    }
    matcher.appendTail(out);
    return out.toString();
  }
}
