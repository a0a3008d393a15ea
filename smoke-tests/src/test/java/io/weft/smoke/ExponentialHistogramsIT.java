package io.weft.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.weft.receiver.OtlpReceiver;
import io.weft.receiver.ReceivedMetric;
import io.weft.receiver.ReceivedSpan;
import io.weft.smoke.app.HelloApp;
import io.weft.smoke.support.ChildJvm;
import io.weft.smoke.support.Jdk;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION=base2_exponential_bucket_histogram} in a real
 * JVM: the method's duration arrives as an OTLP exponential histogram, one call in the bucket its own duration
 * belongs to at the scale sent, the same duration as the call's span.
 */
class ExponentialHistogramsIT {

  @ParameterizedTest(name = "JDK {0}")
  @MethodSource("io.weft.smoke.support.Jdks#all")
  void aTracedCallIsOneCountInTheBucketOfItsDuration(Jdk jdk) {
    try (OtlpReceiver otlp = OtlpReceiver.start();
        ChildJvm app = ChildJvm.withAgent(jdk, otlp)
            .env("OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION", "base2_exponential_bucket_histogram")
            .env("OTEL_INSTRUMENTATION_METHODS_INCLUDE", "io.weft.smoke.app.HelloApp[greet]")
            .start(HelloApp.class)) {
      assertEquals(7, app.awaitExit(), app::describe);
      String out = app.output();
      assertTrue(out.contains("exponential-histograms"), out);
      assertFalse(out.contains("not supported") || out.contains("internal error"), out);

      ReceivedSpan span = otlp.awaitSpan(s -> s.name().endsWith("greet"));
      ReceivedMetric metric = otlp.awaitMetric("weft.method.duration");
      assertEquals(Metric.DataCase.EXPONENTIAL_HISTOGRAM, metric.type());
      assertEquals("s", metric.unit());
      assertEquals(1, metric.proto().getExponentialHistogram().getDataPointsCount());
      ExponentialHistogramDataPoint point = metric.proto().getExponentialHistogram().getDataPoints(0);
      assertEquals("io.weft.smoke.app.HelloApp.greet", point.getAttributes(0).getValue().getStringValue());
      assertEquals(1, point.getCount());
      assertEquals(0, point.getZeroCount());
      double seconds = (span.proto().getEndTimeUnixNano() - span.proto().getStartTimeUnixNano()) / 1e9;
      assertEquals(seconds, point.getSum(), 1e-6, "the call's span and its measurement time the same call");
      assertEquals(point.getSum(), point.getMin());
      assertEquals(point.getSum(), point.getMax());
      // one value: the scale it starts at (the SDK's 20), one bucket holding it
      assertEquals(20, point.getScale());
      assertEquals(1, point.getPositive().getBucketCountsCount());
      assertEquals(1, point.getPositive().getBucketCounts(0));
      // bucket i holds (base^i, base^(i+1)], base = 2^(2^-scale): the logarithm says which
      double index = Math.log(point.getSum()) / Math.log(2) * Math.pow(2, point.getScale());
      assertEquals(Math.ceil(index) - 1, point.getPositive().getOffset(), 1, "offset " + point.getPositive().getOffset() + " for " + point.getSum());
    }
  }
}
