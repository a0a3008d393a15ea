package io.weft.receiver;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;

/**
 * Counts the spans of an OTLP {@code ExportTraceServiceRequest} by walking its protobuf wire format,
 * without building a message: every tag, length and field of the request, its resource and scope spans
 * and each span is read and checked (a truncated, overlong or malformed request is refused, as the
 * full decoder refuses it), but nothing is kept. This is what {@code --count} costs per span, so a
 * benchmark's receiver sharing the cores with the application under test takes a small share of
 * them; UTF-8 of string fields is the one check it leaves to the full decoder.
 */
final class OtlpWire {
  // ExportTraceServiceRequest.resource_spans = 1, ResourceSpans.scope_spans = 2, ScopeSpans.spans = 2
  private static final int RESOURCE_SPANS = tag(1);
  private static final int SCOPE_SPANS = tag(2);
  private static final int SPANS = tag(2);

  private OtlpWire() {}

  /** The tag of a length-delimited field (a message): the field number, then the wire type in 3 bits. */
  private static int tag(int field) {
    return field << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
  }

  static int countSpans(byte[] body) throws InvalidProtocolBufferException {
    return countSpans(body, body.length);
  }

  /** The spans of the request in the first {@code length} bytes of {@code body}. */
  static int countSpans(byte[] body, int length) throws InvalidProtocolBufferException {
    CodedInputStream in = CodedInputStream.newInstance(body, 0, length);
    try {
      int spans = 0;
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == RESOURCE_SPANS) {
          int outer = in.pushLimit(in.readRawVarint32());
          spans += resourceSpans(in);
          in.popLimit(outer);
        } else {
          in.skipField(tag);
        }
      }
      return spans;
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (IOException e) {
      throw new InvalidProtocolBufferException(e);
    }
  }

  private static int resourceSpans(CodedInputStream in) throws IOException {
    int spans = 0;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag == SCOPE_SPANS) {
        int outer = in.pushLimit(in.readRawVarint32());
        spans += scopeSpans(in);
        in.popLimit(outer);
      } else {
        in.skipField(tag);
      }
    }
    return spans;
  }

  private static int scopeSpans(CodedInputStream in) throws IOException {
    int spans = 0;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag == SPANS) {
        int outer = in.pushLimit(in.readRawVarint32());
        skipAll(in); // every field of the span read and checked: a span cut short is refused
        in.popLimit(outer);
        spans++;
      } else {
        in.skipField(tag);
      }
    }
    return spans;
  }

  private static void skipAll(CodedInputStream in) throws IOException {
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      in.skipField(tag);
    }
  }
}
