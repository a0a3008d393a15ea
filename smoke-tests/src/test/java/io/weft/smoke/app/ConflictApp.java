package io.weft.smoke.app;

import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;

/**
 * Ships its own, older OpenTelemetry SDK, Byte Buddy and protobuf on the class path and uses each of
 * them; one of its methods is also configured for Weft. Prints what it saw, including where each
 * library was loaded from, so the test can tell they are the application's own copies.
 */
public final class ConflictApp {

  public static void main(String[] args) throws Exception {
    List<SpanData> exported = new CopyOnWriteArrayList<>();
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(new SpanExporter() {
          @Override
          public CompletableResultCode export(Collection<SpanData> spans) {
            exported.addAll(spans);
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
        }))
        .build();
    Tracer tracer = provider.get("conflict-app");
    tracer.spanBuilder("app-own-span").startSpan().end();
    System.out.println("own otel exported " + exported.size() + " " + exported.get(0).getName()
        + " from " + location(SdkTracerProvider.class));

    Class<?> generated = new ByteBuddy().subclass(Object.class).name("io.weft.smoke.app.Generated").make()
        .load(ConflictApp.class.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER).getLoaded();
    System.out.println("own bytebuddy made " + generated.getName() + " from " + location(ByteBuddy.class));

    com.google.protobuf.Value value = com.google.protobuf.Value.newBuilder().setStringValue("round trip").build();
    com.google.protobuf.Value parsed = com.google.protobuf.Value.parseFrom(value.toByteArray());
    System.out.println("own protobuf " + parsed.getStringValue() + " from " + location(com.google.protobuf.Value.class));

    System.out.println("business " + businessMethod());
    provider.close();
  }

  public static String businessMethod() {
    return "done";
  }

  private static String location(Class<?> type) {
    String path = type.getProtectionDomain().getCodeSource().getLocation().getPath();
    return path.substring(path.lastIndexOf('/') + 1);
  }
}
