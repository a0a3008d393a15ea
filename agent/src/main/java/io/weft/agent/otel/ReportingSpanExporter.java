package io.weft.agent.otel;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;

/** A span exporter that reports failures and recovery through {@link ExportHealth}. Agent class loader. */
final class ReportingSpanExporter implements SpanExporter {

  private final SpanExporter delegate;
  private final ExportHealth health;

  ReportingSpanExporter(SpanExporter delegate, String what, String endpoint) {
    this.delegate = delegate;
    this.health = new ExportHealth(what, endpoint);
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    return health.watch(delegate.export(spans));
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }
}
