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
 * The sender's OkHttp half: gRPC (HTTP/2), TLS and proxies. Its own class so that a JVM exporting
 * http/protobuf in plain HTTP never loads (or verifies against) OkHttp and Kotlin. The client is built
 * on first use, on the export thread. Used by one thread; {@link #cancel()} may come from another.
 */
final class OkHttpTransport {

  private static final MediaType PROTOBUF = MediaType.get("application/x-protobuf");
  private static final MediaType GRPC = MediaType.get("application/grpc");

  private final Endpoint endpoint;
  private OkHttpClient client;
  private volatile Call current;
  private volatile boolean cancelled;

  OkHttpTransport(Endpoint endpoint) {
    this.endpoint = endpoint;
  }

  /** Sends the first {@code length} bytes of {@code body}. */
  SendResult send(byte[] body, int length, boolean gzip) {
    Call call;
    try {
      call = client().newCall(request(body, length, gzip));
    } catch (IOException | RuntimeException setup) {
      return SendResult.rejected(setup.getClass().getName(), "cannot set up the connection: " + setup.getMessage(), -1);
    }
    current = call;
    try (Response response = call.execute()) {
      if (endpoint.grpc()) {
        return grpcResult(response);
      }
      int code = response.code();
      return OtlpSender.httpResult(code, response.message(), response.header("Retry-After"),
          code >= 200 && code < 300 ? response.body().bytes() : null);
    } catch (InterruptedIOException timeout) {
      return SendResult.retry(timeout.getClass().getName(),
          cancelled ? "cancelled at exit" : "no answer within " + endpoint.timeoutMillis + " ms", -1, -1);
    } catch (IOException | RuntimeException failure) {
      return SendResult.retry(failure.getClass().getName(), OtlpSender.describe(failure), -1, -1);
    } finally {
      current = null;
    }
  }

  void cancel() {
    cancelled = true;
    Call call = current;
    if (call != null) {
      call.cancel();
    }
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
      return SendResult.delivered(0, OtlpResponses.rejected(OtlpSender.unframe(body)));
    }
    String name = OtlpSender.grpcName(code);
    String reason = "gRPC " + name + (message == null ? "" : ": " + OtlpSender.printable(message));
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

  private Request request(byte[] body, int length, boolean gzip) {
    Request.Builder request = new Request.Builder().url(endpoint.requestUrl());
    for (Map.Entry<String, String> header : endpoint.headers.entrySet()) {
      request.addHeader(header.getKey(), header.getValue());
    }
    if (endpoint.grpc()) {
      request.header("te", "trailers");
      if (gzip) {
        request.header("grpc-encoding", "gzip");
      }
      request.post(new GrpcFrame(body, length, gzip));
    } else {
      if (gzip) {
        request.header("Content-Encoding", "gzip");
      }
      request.post(RequestBody.create(body, PROTOBUF, 0, length));
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

  /** A gRPC length-prefixed message, written without copying the payload. */
  private static final class GrpcFrame extends RequestBody {
    private final byte[] message;
    private final int length;
    private final boolean compressed;

    GrpcFrame(byte[] message, int length, boolean compressed) {
      this.message = message;
      this.length = length;
      this.compressed = compressed;
    }

    @Override
    public MediaType contentType() {
      return GRPC;
    }

    @Override
    public long contentLength() {
      return 5L + length;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      sink.writeByte(compressed ? 1 : 0);
      sink.writeInt(length);
      sink.write(message, 0, length);
    }
  }
}
