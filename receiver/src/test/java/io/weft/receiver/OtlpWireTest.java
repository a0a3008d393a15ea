package io.weft.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Counting spans from the wire must agree with the full decoder on what it accepts and refuses. */
class OtlpWireTest {

  @Test
  void countsEverySpanOfEveryScopeAndResourceAsTheDecoderFindsThem() throws Exception {
    ExportTraceServiceRequest one = TestExports.parentAndChild();
    Span extra = TestExports.span("1111111111111111", "", "x", Span.SpanKind.SPAN_KIND_INTERNAL, 0, 1).build();
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(one.getResourceSpans(0))
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(TestExports.checkout())
            .addScopeSpans(ScopeSpans.newBuilder().addSpans(extra).addSpans(extra).addSpans(extra))
            .addScopeSpans(ScopeSpans.newBuilder()) // an empty scope
            .addScopeSpans(ScopeSpans.newBuilder().addSpans(extra)))
        .addResourceSpans(ResourceSpans.newBuilder()) // an empty resource
        // a field a newer OTLP might add, at the top: skipped, as the decoder keeps it as unknown
        .setUnknownFields(UnknownFieldSet.newBuilder()
            .addField(9, UnknownFieldSet.Field.newBuilder().addVarint(7).addLengthDelimited(TestExports.id("abcd")).build())
            .build())
        .build();
    byte[] bytes = request.toByteArray();
    assertEquals(2 + 3 + 1, OtlpWire.countSpans(bytes));
    assertEquals(ReceivedSpan.flatten(ExportTraceServiceRequest.parseFrom(bytes)).size(), OtlpWire.countSpans(bytes));
    assertEquals(0, OtlpWire.countSpans(new byte[0]), "an empty request is a valid one with no spans");
  }

  @Test
  void refusesWhatTheDecoderRefuses() {
    byte[] whole = TestExports.parentAndChild().toByteArray();
    // one resource: every cut falls inside it, so the decoder refuses each one, and so must the count
    for (int cut = 1; cut < whole.length; cut++) {
      byte[] truncated = Arrays.copyOf(whole, cut);
      assertThrows(InvalidProtocolBufferException.class, () -> ExportTraceServiceRequest.parseFrom(truncated), "cut at " + cut);
      assertThrows(InvalidProtocolBufferException.class, () -> OtlpWire.countSpans(truncated), "cut at " + cut);
    }
    assertThrows(InvalidProtocolBufferException.class, () -> OtlpWire.countSpans(HttpExportHandler.GARBAGE_BODY));
    // a length that runs past the end of the request
    assertThrows(InvalidProtocolBufferException.class, () -> OtlpWire.countSpans(new byte[] {0x0A, 0x7F, 0x12, 0x00}));
    // field number 0 is never valid
    assertThrows(InvalidProtocolBufferException.class, () -> OtlpWire.countSpans(new byte[] {0x02, 0x00}));
  }
}
