package io.weft.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** TLS on both transports with a certificate made at test time, trusted from its PEM file, and refused with the other one. */
class TlsReceiverTest {
  private final OtlpReceiver receiver = OtlpReceiver.startTls().withTimeout(Duration.ofSeconds(10));

  @AfterEach
  void stop() {
    receiver.close();
  }

  @Test
  void thePemFilesHoldTwoDifferentCertificatesFor127001() throws Exception {
    X509Certificate served = read(receiver.certificatePem());
    X509Certificate other = read(TestCertificate.other().certificatePem());

    assertEquals(TestCertificate.receiver().certificate(), served);
    assertNotEquals(served.getPublicKey(), other.getPublicKey());
    assertTrue(served.getSubjectAlternativeNames().contains(List.of(7, "127.0.0.1")), served.getSubjectAlternativeNames().toString());
    assertTrue(Files.readString(TestCertificate.receiver().privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----\n"));
    assertTrue(receiver.httpEndpoint().startsWith("https://127.0.0.1:"));
  }

  @Test
  void httpsWithTheServedCertificateTrusted() throws Exception {
    HttpResponse<byte[]> response = post(client(receiver.certificatePem()));

    assertEquals(200, response.statusCode());
    assertEquals(2, receiver.awaitSpans(SpanMatchers.inTrace(TestExports.TRACE_ID), 2).size());
  }

  @Test
  void httpsTrustingTheOtherCertificateFailsTheHandshakeAndIsCounted() throws Exception {
    HttpClient wrong = client(TestCertificate.other().certificatePem());

    assertThrows(SSLHandshakeException.class, () -> post(wrong));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (receiver.tlsHandshakeFailures() == 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // counted on the receiver's thread
    }
    assertEquals(1, receiver.tlsHandshakeFailures());
    assertTrue(receiver.attempts().isEmpty(), "no request got through");
  }

  @Test
  void grpcOverTlsWithTheRightAndTheWrongCertificate() throws Exception {
    assertEquals(Status.Code.OK, grpcExport(receiver.certificatePem()).getCode());
    Status wrong = grpcExport(TestCertificate.other().certificatePem());

    assertEquals(Status.Code.UNAVAILABLE, wrong.getCode(), wrong.toString());
    assertEquals(2, receiver.spans().size());
  }

  @Test
  void restartKeepsTls() throws Exception {
    receiver.stop();
    receiver.restart();

    assertEquals(200, post(client(receiver.certificatePem())).statusCode());
  }

  private HttpResponse<byte[]> post(HttpClient client) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(receiver.httpEndpoint() + "/v1/traces"))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(TestExports.parentAndChild().toByteArray()))
        .build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** A client that trusts only the certificate in this PEM file, as OTEL_EXPORTER_OTLP_CERTIFICATE makes an exporter do. */
  private static HttpClient client(Path pem) throws Exception {
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    trusted.setCertificateEntry("collector", read(pem));
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, trust.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
  }

  private Status grpcExport(Path trustedPem) throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", receiver.grpcPort())
        .sslContext(GrpcSslContexts.forClient().trustManager(trustedPem.toFile()).build())
        .build();
    try {
      ClientCalls.blockingUnaryCall(channel, GrpcExportService.TRACE_EXPORT,
          CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), TestExports.parentAndChild());
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static X509Certificate read(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }
}
