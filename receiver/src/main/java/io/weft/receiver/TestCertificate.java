package io.weft.receiver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed certificate for {@code 127.0.0.1} and {@code localhost} (EC P-256), made at test time by
 * the JDK's {@code keytool} into a temporary directory, once per JVM. {@link #receiver()} is what
 * {@link OtlpReceiver#startTls} serves: give its {@link #certificatePem()} to a client as the trusted
 * certificate ({@code OTEL_EXPORTER_OTLP_CERTIFICATE}). {@link #other()} is a second one with its own
 * key: trusting it instead is the "wrong certificate" case. Both PEM files stay until the JVM exits.
 */
public final class TestCertificate {
  static final String ALIAS = "weft";
  private static final char[] PASSWORD = "weft-test-only".toCharArray();
  private static final long KEYTOOL_TIMEOUT_SECONDS = 120;

  private static List<TestCertificate> made;

  private final String name;
  private final KeyStore keyStore;
  private final X509Certificate certificate;
  private final Path certificatePem;
  private final Path privateKeyPem;

  private TestCertificate(String name, KeyStore keyStore, Path dir) throws GeneralSecurityException, IOException {
    this.name = name;
    this.keyStore = keyStore;
    this.certificate = (X509Certificate) keyStore.getCertificate(ALIAS);
    this.certificatePem = dir.resolve(name + "-certificate.pem");
    this.privateKeyPem = dir.resolve(name + "-key.pem");
    Files.writeString(certificatePem, pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
    PrivateKey key = (PrivateKey) keyStore.getKey(ALIAS, PASSWORD);
    Files.writeString(privateKeyPem, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII); // PKCS#8
    certificatePem.toFile().deleteOnExit();
    privateKeyPem.toFile().deleteOnExit();
  }

  /** The certificate {@link OtlpReceiver#startTls} serves. */
  public static TestCertificate receiver() {
    return both().get(0);
  }

  /** A different self-signed certificate with the same names: a client trusting only this one must refuse the receiver. */
  public static TestCertificate other() {
    return both().get(1);
  }

  /** The certificate as a PEM file, what {@code OTEL_EXPORTER_OTLP_CERTIFICATE} takes. */
  public Path certificatePem() {
    return certificatePem;
  }

  /** The private key as an unencrypted PKCS#8 PEM file (for a client-certificate setting). */
  public Path privateKeyPem() {
    return privateKeyPem;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  KeyManagerFactory keyManagers() {
    try {
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(keyStore, PASSWORD);
      return factory;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot use the " + name + " test certificate", e);
    }
  }

  SSLContext serverContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers().getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot use the " + name + " test certificate", e);
    }
  }

  @Override
  public String toString() {
    return name + " test certificate " + certificate.getSubjectX500Principal() + " (" + certificatePem + ")";
  }

  /** Makes both at first use, with two keytool runs side by side (each is a JVM start). */
  private static synchronized List<TestCertificate> both() {
    if (made == null) {
      try {
        Path dir = Files.createTempDirectory("weft-tls-");
        dir.toFile().deleteOnExit();
        List<String> names = List.of("receiver", "other");
        List<Process> keytools = new ArrayList<>();
        for (String name : names) {
          keytools.add(keytool(dir, name));
        }
        List<TestCertificate> certificates = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
          certificates.add(new TestCertificate(names.get(i), finish(keytools.get(i), dir, names.get(i)), dir));
        }
        made = List.copyOf(certificates);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot make the test certificates", e);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot read the test certificates keytool made", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while making the test certificates", e);
      }
    }
    return made;
  }

  private static Process keytool(Path dir, String name) throws IOException {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    List<String> command = List.of(keytool.toString(),
        "-J-XX:TieredStopAtLevel=1", "-J-Xmx64m",
        "-genkeypair", "-alias", ALIAS,
        "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
        "-dname", "CN=weft " + name + " test certificate",
        "-ext", "SAN=IP:127.0.0.1,DNS:localhost",
        "-validity", "30",
        "-storetype", "PKCS12", "-keystore", dir.resolve(name + ".p12").toString(),
        "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  private static KeyStore finish(Process keytool, Path dir, String name)
      throws IOException, InterruptedException, GeneralSecurityException {
    if (!keytool.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      keytool.destroyForcibly();
      throw new IOException("keytool did not finish within " + KEYTOOL_TIMEOUT_SECONDS + " s");
    }
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (keytool.exitValue() != 0) {
      throw new IOException("keytool failed (" + keytool.exitValue() + "): " + output.strip());
    }
    Path file = dir.resolve(name + ".p12");
    file.toFile().deleteOnExit();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, PASSWORD);
    }
    return store;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
