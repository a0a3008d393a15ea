package io.weft.agent.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.weft.instrumentation.trace.LeanSpan;
import io.weft.instrumentation.trace.SamplingPolicy;
import io.weft.instrumentation.trace.SpanPipeline;
import io.weft.instrumentation.trace.TelemetryResource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The span queue's batches as encoded requests: spans of the SDK's own tracer are copied into span
 * data, a lean span is its own, and each batch of the configured size is one request in the buffer.
 */
class SpanQueueProcessorTest {

  private final ExportBuffer buffer = new ExportBuffer("traces", 1 << 20, null, 0, line -> {});
  private final SpanQueueProcessor processor = new SpanQueueProcessor(100, 4, 3_600_000, buffer, false, new ExportStats());
  private final List<SpanData> ended = new ArrayList<>();

  @Test
  void sdkAndLeanSpansGoOutInBatchesOfTheConfiguredSize() throws Exception {
    Resource resource = Resource.getDefault();
    SdkTracerProvider sdk = SdkTracerProvider.builder().setResource(resource)
        .addSpanProcessor(new EndedSpans(ended)).addSpanProcessor(processor).build();
    for (int i = 0; i < 3; i++) {
      sdk.get("sdk-scope").spanBuilder("sdk " + i).startSpan().end();
    }
    LeanSpan lean = new SpanPipeline(SamplingPolicy.of("always_on", 1.0), processor, new TelemetryResource(resource.getAttributes()), SpanLimits.getDefault())
        .tracer("lean-scope", null).start("lean", SpanKind.SERVER, Attributes.empty(), Context.root(), System.nanoTime());
    lean.end();
    ended.add(lean);
    for (int i = 3; i < 5; i++) {
      sdk.get("sdk-scope").spanBuilder("sdk " + i).startSpan().end();
    }
    processor.closeAndDrain();

    // six spans in batches of four: the first mixes both kinds (the SDK's marshalers write it), the second is the rest
    assertArrayEquals(expected(ended.subList(0, 4)), next(4));
    assertArrayEquals(expected(ended.subList(4, 6)), next(2));
    assertNull(buffer.peek(0), "nothing else was queued");
  }

  private byte[] next(int items) throws InterruptedException {
    Payload payload = buffer.peek(0);
    assertNotNull(payload);
    assertEquals(items, payload.items);
    byte[] bytes = buffer.read(payload);
    buffer.remove(payload);
    return bytes;
  }

  private static byte[] expected(List<SpanData> spans) throws Exception {
    return SpanQueueProcessor.encode(TraceRequestMarshaler.create(new ArrayList<>(spans)), false);
  }
}
