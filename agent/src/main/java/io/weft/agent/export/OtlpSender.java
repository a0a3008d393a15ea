package io.weft.agent.export;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

/**
 * Sends one encoded OTLP request over http/protobuf or gRPC and classifies the answer as the OTLP
 * specification says: delivered (with any partial-success rejections), worth retrying (429, 502,
 * 503, 504, retryable gRPC codes, network failures; with the collector's {@code Retry-After}), or
 * rejected for good. http/protobuf to a plain {@code http://} endpoint goes through {@link Http1Client};
 * gRPC, TLS and proxies through {@link OkHttpTransport}. Either is made on first use, on the export thread,
 * so start-up never pays for it. One per signal, used by one thread; {@link #cancel()} may come from another.
 */
final class OtlpSender {

  private final Endpoint endpoint;
  private Boolean plainHttp;
  private volatile Http1Client plain;
  private volatile OkHttpTransport okHttp;
  private volatile boolean cancelled;

  OtlpSender(Endpoint endpoint) {
    this.endpoint = endpoint;
  }

  /** Sends the first {@code length} bytes of {@code body}. */
  SendResult send(byte[] body, int length, boolean gzip) {
    if (plainHttp()) {
      return sendPlain(body, length, gzip);
    }
    OkHttpTransport transport = okHttp;
    if (transport == null) {
      transport = new OkHttpTransport(endpoint);
      okHttp = transport;
      if (cancelled) {
        transport.cancel();
      }
    }
    return transport.send(body, length, gzip);
  }

  /**
   * http/protobuf to an {@code http://} endpoint reached without a proxy: Weft's own small HTTP/1.1
   * client, so that OkHttp and Kotlin are never loaded for the most common set-up.
   */
  private boolean plainHttp() {
    if (plainHttp == null) {
      boolean plain = false;
      if (!endpoint.grpc() && endpoint.url.regionMatches(true, 0, "http:", 0, 5)) {
        try {
          URI uri = new URI(endpoint.requestUrl());
          ProxySelector proxies = ProxySelector.getDefault();
          plain = uri.getHost() != null;
          for (Proxy proxy : proxies == null ? List.<Proxy>of() : proxies.select(uri)) {
            plain &= proxy.type() == Proxy.Type.DIRECT;
          }
        } catch (URISyntaxException | RuntimeException unusual) {
          plain = false; // OkHttp says what is wrong with it
        }
      }
      plainHttp = plain;
    }
    return plainHttp;
  }

  /**
   * Opens the connection the first request will use, before there is one to send: a short-lived JVM's
   * exit then finds the socket classes loaded and the connection made. Silent: a collector that is not
   * there yet is reported by the first request, which also connects anew. Plain HTTP only; OkHttp is
   * left unloaded until gRPC or TLS is used.
   */
  void connectAhead() {
    if (!plainHttp()) {
      return;
    }
    try {
      Http1Client client = plainClient();
      client.connectAhead();
    } catch (URISyntaxException | IOException | RuntimeException notYet) {
      // the first request tries again and says what is wrong
    }
  }

  private Http1Client plainClient() throws URISyntaxException {
    Http1Client client = plain;
    if (client == null) {
      client = new Http1Client(new URI(endpoint.requestUrl()), endpoint.headers, endpoint.timeoutMillis);
      plain = client;
      if (cancelled) {
        client.cancel();
      }
    }
    return client;
  }

  private SendResult sendPlain(byte[] body, int length, boolean gzip) {
    Http1Client client;
    try {
      client = plainClient();
    } catch (URISyntaxException | RuntimeException setup) {
      return SendResult.rejected(setup.getClass().getName(), "cannot set up the connection: " + setup.getMessage(), -1);
    }
    try {
      Http1Client.Response response = client.post(body, length, gzip);
      return httpResult(response.code, response.message, response.headers.get("retry-after"), response.body);
    } catch (InterruptedIOException timeout) {
      return SendResult.retry(timeout.getClass().getName(),
          cancelled ? "cancelled at exit" : "no answer within " + endpoint.timeoutMillis + " ms", -1, -1);
    } catch (IOException failure) {
      return SendResult.retry(failure.getClass().getName(), cancelled ? "cancelled at exit" : describe(failure), -1, -1);
    }
  }

  /** Aborts the request in flight, if any: used when the exit flush runs out of time. */
  void cancel() {
    cancelled = true;
    OkHttpTransport transport = okHttp;
    if (transport != null) {
      transport.cancel();
    }
    Http1Client client = plain;
    if (client != null) {
      client.cancel();
    }
  }

  static SendResult httpResult(int code, String message, String retryAfterHeader, byte[] body) {
    if (code >= 200 && code < 300) {
      return SendResult.delivered(code, OtlpResponses.rejected(body == null ? new byte[0] : body));
    }
    String reason = "HTTP " + code + (message == null || message.isEmpty() ? "" : " " + printable(message));
    if (code == 429 || code == 502 || code == 503 || code == 504) {
      long retryAfter = Backoff.parseRetryAfter(retryAfterHeader, System.currentTimeMillis());
      return SendResult.retry(String.valueOf(code), reason + (retryAfter >= 0 ? " (Retry-After " + retryAfter + " ms)" : ""), retryAfter, code);
    }
    return SendResult.rejected(String.valueOf(code), reason, code);
  }

  /** The message of a gRPC length-prefixed frame, or nothing when it is not one. */
  static byte[] unframe(byte[] frame) {
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

  static String describe(Throwable failure) {
    String message = failure.getMessage();
    String name = failure.getClass().getSimpleName();
    return message == null ? name : name + ": " + printable(message);
  }

  static String printable(String text) {
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


}
