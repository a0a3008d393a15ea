package io.weft.agent.otel;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;

/**
 * Prints one line per span on stderr: {@code OTEL_TRACES_EXPORTER=console}, and in debug mode every
 * span as it ends. No logging framework is involved. Agent class loader.
 */
final class ConsoleSpanExporter implements SpanExporter {

  private final String label;

  ConsoleSpanExporter(String label) {
    this.label = label;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    StringBuilder out = new StringBuilder();
    for (SpanData span : spans) {
      out.append("[weft] ").append(label).append(": '").append(span.getName()).append("' ")
          .append(span.getKind()).append(" trace=").append(span.getTraceId())
          .append(" span=").append(span.getSpanId())
          .append(span.getParentSpanContext().isValid() ? " parent=" + span.getParentSpanId() : " (root)")
          .append(' ').append((span.getEndEpochNanos() - span.getStartEpochNanos()) / 1000).append("us ")
          .append(span.getStatus().getStatusCode()).append(' ').append(span.getAttributes()).append('\n');
    }
    System.err.print(out);
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
