package io.weft.agent.export;

import io.opentelemetry.exporter.internal.TlsUtil;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.Call;
import okhttp3.ConnectionSpec;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;

/**
 * Sends one encoded OTLP request over http/protobuf or gRPC and classifies the answer as the OTLP
 * specification says: delivered (with any partial-success rejections), worth retrying (429, 502,
 * 503, 504, retryable gRPC codes, network failures; with the collector's {@code Retry-After}), or
 * rejected for good. The HTTP client is built on first use, on the export thread, so start-up never
 * pays for it. One per signal, used by one thread; {@link #cancel()} may come from another.
 */
final class OtlpSender {

  private static final MediaType PROTOBUF = MediaType.get("application/x-protobuf");
  private static final MediaType GRPC = MediaType.get("application/grpc");

  private final Endpoint endpoint;
  private OkHttpClient client;
  private volatile Call current;
  private volatile boolean cancelled;

  OtlpSender(Endpoint endpoint) {
    this.endpoint = endpoint;
  }

  SendResult send(byte[] body, boolean gzip) {
    Call call;
    try {
      call = client().newCall(request(body, gzip));
    } catch (IOException | RuntimeException setup) {
      return SendResult.rejected(setup.getClass().getName(), "cannot set up the connection: " + setup.getMessage(), -1);
    }
    current = call;
    try (Response response = call.execute()) {
      return endpoint.grpc() ? grpcResult(response) : httpResult(response);
    } catch (InterruptedIOException timeout) {
      return SendResult.retry(timeout.getClass().getName(),
          cancelled ? "cancelled at exit" : "no answer within " + endpoint.timeoutMillis + " ms", -1, -1);
    } catch (IOException | RuntimeException failure) {
      return SendResult.retry(failure.getClass().getName(), describe(failure), -1, -1);
    } finally {
      current = null;
    }
  }

  /** Aborts the request in flight, if any: used when the exit flush runs out of time. */
  void cancel() {
    cancelled = true;
    Call call = current;
    if (call != null) {
      call.cancel();
    }
  }

  private SendResult httpResult(Response response) throws IOException {
    int code = response.code();
    if (code >= 200 && code < 300) {
      return SendResult.delivered(code, OtlpResponses.rejected(response.body().bytes()));
    }
    String reason = "HTTP " + code + (response.message().isEmpty() ? "" : " " + printable(response.message()));
    if (code == 429 || code == 502 || code == 503 || code == 504) {
      long retryAfter = Backoff.parseRetryAfter(response.header("Retry-After"), System.currentTimeMillis());
      return SendResult.retry(String.valueOf(code), reason + (retryAfter >= 0 ? " (Retry-After " + retryAfter + " ms)" : ""), retryAfter, code);
    }
    return SendResult.rejected(String.valueOf(code), reason, code);
  }

  private SendResult grpcResult(Response response) throws IOException {
    int http = response.code();
    if (http != 200) {
      String reason = "HTTP " + http + " from a gRPC endpoint";
      boolean retry = http == 429 || http == 502 || http == 503 || http == 504;
      return retry ? SendResult.retry(String.valueOf(http), reason, -1, http) : SendResult.rejected(String.valueOf(http), reason, http);
    }
    byte[] body = response.body().bytes();
    String status = response.header("grpc-status");
    String message = response.header("grpc-message");
    String details = response.header("grpc-status-details-bin");
    if (status == null) {
      status = response.trailers().get("grpc-status");
      message = response.trailers().get("grpc-message");
      details = response.trailers().get("grpc-status-details-bin");
    }
    int code;
    try {
      code = status == null ? -1 : Integer.parseInt(status.trim());
    } catch (NumberFormatException garbage) {
      code = -1;
    }
    if (code == 0) {
      return SendResult.delivered(0, OtlpResponses.rejected(unframe(body)));
    }
    String name = grpcName(code);
    String reason = "gRPC " + name + (message == null ? "" : ": " + printable(message));
    switch (code) {
      case 1: case 4: case 8: case 10: case 11: case 14: case 15:
        long retryDelay = OtlpResponses.grpcRetryDelayMillis(details);
        return SendResult.retry(name, reason + (retryDelay >= 0 ? " (RetryInfo " + retryDelay + " ms)" : ""), retryDelay, code);
      case -1:
        return SendResult.retry("grpc_status_missing", "the answer has no gRPC status", -1, code);
      default:
        return SendResult.rejected(name, reason, code);
    }
  }

  /** The message of a gRPC length-prefixed frame, or nothing when it is not one. */
  private static byte[] unframe(byte[] frame) {
    if (frame.length < 5 || frame[0] != 0) {
      return new byte[0];
    }
    int length = ((frame[1] & 0xff) << 24) | ((frame[2] & 0xff) << 16) | ((frame[3] & 0xff) << 8) | (frame[4] & 0xff);
    if (length < 0 || length > frame.length - 5) {
      return new byte[0];
    }
    byte[] message = new byte[length];
    System.arraycopy(frame, 5, message, 0, length);
    return message;
  }

  private Request request(byte[] body, boolean gzip) {
    Request.Builder request = new Request.Builder().url(endpoint.requestUrl());
    for (Map.Entry<String, String> header : endpoint.headers.entrySet()) {
      request.addHeader(header.getKey(), header.getValue());
    }
    if (endpoint.grpc()) {
      request.header("te", "trailers");
      if (gzip) {
        request.header("grpc-encoding", "gzip");
      }
      request.post(new GrpcFrame(body, gzip));
    } else {
      if (gzip) {
        request.header("Content-Encoding", "gzip");
      }
      request.post(RequestBody.create(body, PROTOBUF, 0, body.length));
    }
    return request.build();
  }

  private OkHttpClient client() throws IOException {
    if (client == null) {
      Duration timeout = Duration.ofMillis(endpoint.timeoutMillis);
      OkHttpClient.Builder builder = new OkHttpClient.Builder()
          .callTimeout(timeout)
          .connectTimeout(timeout)
          .readTimeout(timeout)
          .writeTimeout(timeout)
          // Weft retries with its own backoff: a silent immediate retry would hide the failure from it
          .retryOnConnectionFailure(false)
          .socketFactory(new NoDelaySockets());
      boolean https = endpoint.url.regionMatches(true, 0, "https:", 0, 6);
      if (!https) {
        // plain http: without a TLS connection spec OkHttp never loads the platform trust store (seconds of CPU)
        builder.connectionSpecs(Collections.singletonList(ConnectionSpec.CLEARTEXT));
      }
      if (endpoint.grpc()) {
        builder.protocols(https ? List.of(Protocol.HTTP_2, Protocol.HTTP_1_1) : Collections.singletonList(Protocol.H2_PRIOR_KNOWLEDGE));
      }
      if (https && (endpoint.trustedCertificates != null || endpoint.clientKey != null)) {
        X509TrustManager trust = endpoint.trustedCertificates != null
            ? TlsUtil.trustManager(endpoint.trustedCertificates) : TlsUtil.defaultTrustManager();
        KeyManager[] keys = endpoint.clientKey != null && endpoint.clientCertificate != null
            ? new KeyManager[] {TlsUtil.keyManager(endpoint.clientKey, endpoint.clientCertificate)} : null;
        try {
          SSLContext tls = SSLContext.getInstance("TLS");
          tls.init(keys, new TrustManager[] {trust}, null);
          builder.sslSocketFactory(tls.getSocketFactory(), trust);
        } catch (java.security.GeneralSecurityException e) {
          throw new IOException("TLS setup failed: " + e.getMessage(), e);
        }
      }
      client = builder.build();
    }
    return client;
  }

  private static String describe(Throwable failure) {
    String message = failure.getMessage();
    String name = failure.getClass().getSimpleName();
    return message == null ? name : name + ": " + printable(message);
  }

  private static String printable(String text) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), 200));
    for (int i = 0; i < text.length() && out.length() < 200; i++) {
      char c = text.charAt(i);
      out.append(Character.isISOControl(c) ? '?' : c);
    }
    return out.toString();
  }

  static String grpcName(int code) {
    String[] names = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
        "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
    return code >= 0 && code < names.length ? names[code] : "grpc_" + code;
  }

  /** A gRPC length-prefixed message, written without copying the payload. */
  private static final class GrpcFrame extends RequestBody {
    private final byte[] message;
    private final boolean compressed;

    GrpcFrame(byte[] message, boolean compressed) {
      this.message = message;
      this.compressed = compressed;
    }

    @Override
    public MediaType contentType() {
      return GRPC;
    }

    @Override
    public long contentLength() {
      return 5L + message.length;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      sink.writeByte(compressed ? 1 : 0);
      sink.writeInt(message.length);
      sink.write(message);
    }
  }
}
