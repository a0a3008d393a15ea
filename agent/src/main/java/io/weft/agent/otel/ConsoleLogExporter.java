package io.weft.agent.otel;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import java.util.Collection;

/**
 * Prints one line per log record on stderr ({@code OTEL_LOGS_EXPORTER=console}): severity, scope (the logger),
 * the body with control characters replaced so that a record is one line whatever it holds, its trace and span
 * when it has them, and its attributes. Agent class loader.
 */
final class ConsoleLogExporter implements io.opentelemetry.sdk.logs.export.LogRecordExporter {

  private static final int BODY_AT_MOST = 2000;

  @Override
  public CompletableResultCode export(Collection<LogRecordData> logs) {
    StringBuilder out = new StringBuilder();
    for (LogRecordData log : logs) {
      out.append("[weft] log: ").append(log.getSeverityText() == null ? log.getSeverity() : log.getSeverityText())
          .append(' ').append(log.getInstrumentationScopeInfo().getName()).append(" '");
      oneLine(log.getBodyValue() == null ? "" : log.getBodyValue().asString(), out);
      out.append('\'');
      if (log.getSpanContext().isValid()) {
        out.append(" trace=").append(log.getSpanContext().getTraceId()).append(" span=").append(log.getSpanContext().getSpanId());
      }
      if (!log.getAttributes().isEmpty()) {
        out.append(' ');
        oneLine(log.getAttributes().toString(), out);
      }
      out.append('\n');
    }
    System.err.print(out);
    return CompletableResultCode.ofSuccess();
  }

  private static void oneLine(String text, StringBuilder out) {
    int end = Math.min(text.length(), BODY_AT_MOST);
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      out.append(c == '\n' ? '|' : c == '\t' ? ' ' : Character.isISOControl(c) ? '?' : c);
    }
    if (text.length() > end) {
      out.append("...");
    }
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
