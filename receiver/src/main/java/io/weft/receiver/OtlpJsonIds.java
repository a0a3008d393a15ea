package io.weft.receiver;

import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the hex trace and span ids of OTLP/JSON into the base64 that protobuf's JsonFormat expects
 * for bytes fields. The OTLP spec makes ids the one exception to the proto3 JSON mapping.
 */
final class OtlpJsonIds {
  // Hex ids are 32 or 16 characters; base64 of 16 or 8 bytes is 24 or 12, so the lengths never collide.
  private static final Pattern ID = Pattern.compile(
      "\"(traceId|trace_id|spanId|span_id|parentSpanId|parent_span_id)\"(\\s*:\\s*)\"([0-9a-fA-F]{32}|[0-9a-fA-F]{16})\"");

  private OtlpJsonIds() {}

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
