package io.weft.agent.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Weft's HTTP/1.1 client against a raw socket peer that answers exactly what each test scripts. */
class Http1ClientTest {

  /** What the peer answers to the n-th request; null closes the connection without answering. */
  private final LinkedBlockingQueue<String> answers = new LinkedBlockingQueue<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<byte[]> bodies = new CopyOnWriteArrayList<>();
  private volatile int connections;
  private volatile CountDownLatch stall = new CountDownLatch(1);
  private ServerSocket server;

  private URI start() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread peer = new Thread(() -> {
      while (!server.isClosed()) {
        try (Socket socket = server.accept()) {
          connections++;
          serve(socket);
        } catch (IOException closed) {
          // next connection, or the end of the test
        }
      }
    }, "http1-peer");
    peer.setDaemon(true);
    peer.start();
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v1/traces");
  }

  private void serve(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    OutputStream out = socket.getOutputStream();
    while (true) {
      String head = readHead(in);
      if (head == null) {
        return;
      }
      requests.add(head);
      int length = 0;
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase().startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      bodies.add(in.readNBytes(length));
      String answer;
      try {
        answer = answers.poll(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (answer == null || answer.equals("CLOSE")) {
        return;
      }
      if (answer.equals("STALL")) {
        try {
          stall.await(10, TimeUnit.SECONDS); // the peer never answers: the client must give up on its own
        } catch (InterruptedException e) {
          return;
        }
        return;
      }
      if (answer.startsWith("TRICKLE:")) { // one byte every 40 ms, for as long as the client listens
        for (byte b : answer.substring(8).getBytes(StandardCharsets.ISO_8859_1)) {
          out.write(b);
          out.flush();
          pause(40);
        }
        return;
      }
      String[] parts = answer.split("\\|PAUSE\\|", -1); // sent apart, 100 ms between them
      for (int i = 0; i < parts.length; i++) {
        if (i > 0) {
          pause(100);
        }
        out.write(parts[i].getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      }
      if (answer.contains("Connection: close") || answer.endsWith("#EOF")) {
        return;
      }
    }
  }

  private static void pause(long millis) throws IOException {
    try {
      Thread.sleep(millis); // the peer's pacing, part of what is tested; nothing waits for data this way
    } catch (InterruptedException e) {
      throw new IOException("interrupted", e);
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
      if (matched == 4) {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  @AfterEach
  void stop() throws IOException {
    stall.countDown();
    if (server != null) {
      server.close();
    }
  }

  @Test
  void postsTheBodyWithItsHeadersAndKeepsTheConnection() throws Exception {
    URI url = start();
    answers.add("HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 3\r\n\r\nabc");
    answers.add("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\nab\r\n1\r\nc\r\n0\r\nTrailer: t\r\n\r\n");
    Http1Client client = new Http1Client(url, Map.of("Authorization", "Bearer s3cret"), 5000);

    Http1Client.Response first = post(client, new byte[] {1, 2, 3, 4}, true);
    // the request at the head of a larger array (an encoder's buffer, handed over): only its own bytes go
    Http1Client.Response second = client.post(new byte[] {5, 6, 7}, 1, false);

    assertEquals(200, first.code);
    assertEquals("OK", first.message);
    assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), first.body);
    assertEquals("application/x-protobuf", first.headers.get("content-type"));
    assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), second.body, "chunked, with an extension and a trailer");
    assertEquals(1, connections, "one kept-alive connection");
    String head = requests.get(0);
    assertTrue(head.startsWith("POST /v1/traces HTTP/1.1\r\n"), head);
    assertTrue(head.contains("\r\nHost: 127.0.0.1:" + url.getPort() + "\r\n"), head);
    assertTrue(head.contains("\r\nContent-Type: application/x-protobuf\r\n"), head);
    assertTrue(head.contains("\r\nContent-Length: 4\r\n"), head);
    assertTrue(head.contains("\r\nContent-Encoding: gzip\r\n"), head);
    assertTrue(head.contains("\r\nAuthorization: Bearer s3cret\r\n"), head);
    assertTrue(!requests.get(1).contains("Content-Encoding"), requests.get(1));
    assertArrayEquals(new byte[] {1, 2, 3, 4}, bodies.get(0));
    assertArrayEquals(new byte[] {5}, bodies.get(1));
    assertTrue(requests.get(1).contains("\r\nContent-Length: 1\r\n"), requests.get(1));
  }

  @Test
  void answersArrivingInPiecesAndBodiesLargerThanTheBufferAreReadWhole() throws Exception {
    URI url = start();
    String large = "x".repeat(20_000) + "end";
    answers.add("HTTP/1.1 200 OK\r\nContent-Length: " + large.length() + "\r\n\r\n" + large);
    answers.add("HTTP/1.1 200 OK\r\nContent-|PAUSE|Length: 7\r\n\r\nabc|PAUSE|defg");
    answers.add("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5000\r\n" + "y".repeat(0x5000)
        + "|PAUSE|\r\n0\r\n\r\n");
    answers.add("HTTP/1.1 204 No Content\r\n\r\n");
    Http1Client client = new Http1Client(url, Map.of(), 5000);

    assertEquals(large, new String(post(client, new byte[] {1}, false).body, StandardCharsets.US_ASCII));
    assertEquals("abcdefg", new String(post(client, new byte[] {2}, false).body, StandardCharsets.US_ASCII));
    assertEquals("y".repeat(0x5000), new String(post(client, new byte[] {3}, false).body, StandardCharsets.US_ASCII));
    assertEquals(204, post(client, new byte[] {4}, false).code, "nothing of an earlier answer was left over");
    assertEquals(1, connections);
  }

  @Test
  void aCollectorTricklingItsAnswerStillTimesOutAtTheDeadline() throws Exception {
    URI url = start();
    answers.add("TRICKLE:HTTP/1.1 200 OK\r\n" + "X-Slow: ".repeat(40));
    Http1Client client = new Http1Client(url, Map.of(), 300);
    long start = System.nanoTime();

    assertThrows(SocketTimeoutException.class, () -> post(client, new byte[] {1}, false));

    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(took >= 250 && took < 1500, "gave up after " + took + " ms, each byte in time but not the answer");
  }

  @Test
  void aConnectionMadeAheadCarriesTheFirstRequest() throws Exception {
    URI url = start();
    answers.add("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    Http1Client client = new Http1Client(url, Map.of(), 5000);

    client.connectAhead();
    client.connectAhead(); // already connected: nothing more

    assertEquals(200, post(client, new byte[] {1}, false).code);
    assertEquals(1, connections, "the request went over the connection made ahead");
    assertEquals(1, requests.size());
  }

  @Test
  void aConnectionMadeAheadThatTheCollectorDroppedIsReplacedOnce() throws Exception {
    URI url = start();
    answers.add("CLOSE"); // the collector dropped the idle connection: the request finds it closed
    answers.add("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    Http1Client client = new Http1Client(url, Map.of(), 5000);
    client.connectAhead();

    assertEquals(200, post(client, new byte[] {1}, false).code, "retried on a new connection, as a kept-alive one");
    assertEquals(2, connections);
    assertEquals(2, requests.size());
  }

  @Test
  void connectingAheadToNobodyFailsAndTheRequestThenFailsOnItsOwn() throws Exception {
    int closedPort;
    try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = gone.getLocalPort();
    }
    Http1Client client = new Http1Client(URI.create("http://127.0.0.1:" + closedPort + "/v1/traces"), Map.of(), 2000);

    assertThrows(java.net.ConnectException.class, client::connectAhead);
    assertThrows(java.net.ConnectException.class, () -> post(client, new byte[] {1}, false));
  }

  @Test
  void aKeptConnectionTheCollectorClosedIsReplacedOnce() throws Exception {
    URI url = start();
    answers.add("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    answers.add("CLOSE"); // closes the kept connection when the next request arrives, without answering
    answers.add("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n");
    Http1Client client = new Http1Client(url, Map.of(), 5000);
    assertEquals(200, post(client, new byte[] {1}, false).code);

    Http1Client.Response retried = post(client, new byte[] {2}, false);

    assertEquals(503, retried.code);
    assertEquals("7", retried.headers.get("retry-after"));
    assertEquals(2, connections);
    assertEquals(3, requests.size(), "the request went again on the new connection");
  }

  @Test
  void answersThatAreNotHttpOrTooLargeAreRefused() throws Exception {
    URI url = start();
    Http1Client client = new Http1Client(url, Map.of(), 5000);
    answers.add("SSH-2.0-OpenSSH_9.2\r\n\r\n");
    assertThrows(ProtocolException.class, () -> post(client, new byte[] {1}, false));
    answers.add("HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n");
    assertThrows(ProtocolException.class, () -> post(client, new byte[] {1}, false));
    answers.add("HTTP/1.1 2x0 OK\r\n\r\n");
    assertThrows(ProtocolException.class, () -> post(client, new byte[] {1}, false));
    answers.add("HTTP/1.1 200 OK\r\n" + "X: y\r\n".repeat(Http1Client.MAX_HEADERS + 1) + "\r\n");
    assertThrows(ProtocolException.class, () -> post(client, new byte[] {1}, false));
    answers.add("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\nshort");
    assertThrows(ProtocolException.class, () -> post(client, new byte[] {1}, false));
    // and then a good answer on a new connection: nothing was left broken
    answers.add("HTTP/1.0 200 OK\r\n\r\nto the end#EOF");
    Http1Client.Response good = post(client, new byte[] {1}, false);
    assertEquals("to the end#EOF", new String(good.body, StandardCharsets.US_ASCII));
  }

  @Test
  void aCollectorThatDoesNotAnswerTimesOutAndCanBeCancelled() throws Exception {
    URI url = start();
    answers.add("STALL");
    Http1Client client = new Http1Client(url, Map.of(), 300);
    long start = System.nanoTime();
    assertThrows(SocketTimeoutException.class, () -> post(client, new byte[] {1}, false));
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(took >= 250 && took < 2500, "gave up after " + took + " ms");
    CountDownLatch first = stall;
    stall = new CountDownLatch(1);
    first.countDown();

    answers.add("STALL");
    Http1Client patient = new Http1Client(url, Map.of(), 60_000);
    Thread canceller = new Thread(() -> {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (requests.size() < 2 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      patient.cancel();
    });
    canceller.start();
    long cancelStart = System.nanoTime();
    assertThrows(IOException.class, () -> post(patient, new byte[] {1}, false));
    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cancelStart) < 2500);
    canceller.join();
  }

  @Test
  void aBodyLargerThanTheSocketBuffersArrivesWholeAndAnEmptyOneAsAHeadAlone() throws Exception {
    URI url = start();
    answers.add("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    answers.add("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    Http1Client client = new Http1Client(url, Map.of(), 10_000);
    byte[] large = new byte[6 * 1024 * 1024 + 7]; // several writes' worth: the kernel takes it in pieces
    new java.util.Random(42).nextBytes(large);

    assertEquals(200, client.post(large, large.length - 7, false).code);
    assertEquals(200, client.post(large, 0, false).code);

    assertArrayEquals(java.util.Arrays.copyOf(large, large.length - 7), bodies.get(0));
    assertTrue(requests.get(0).contains("\r\nContent-Length: " + (large.length - 7) + "\r\n"), requests.get(0));
    assertEquals(0, bodies.get(1).length);
    assertTrue(requests.get(1).contains("\r\nContent-Length: 0\r\n"), requests.get(1));
    assertEquals(1, connections);
  }

  @Test
  void aRequestStuckWritingToACollectorThatStoppedReadingIsCancelled() throws Exception {
    // a peer that reads the first MiB, then no more: the socket buffers fill and the rest of the write blocks
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    CountDownLatch writing = new CountDownLatch(1);
    Thread peer = new Thread(() -> {
      try (Socket socket = server.accept()) {
        socket.getInputStream().readNBytes(1 << 20);
        writing.countDown();
        stall.await(10, TimeUnit.SECONDS);
      } catch (IOException | InterruptedException e) {
        // the end of the test
      }
    });
    peer.setDaemon(true);
    peer.start();
    Http1Client client = new Http1Client(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v1/traces"), Map.of(), 60_000);
    Thread canceller = new Thread(() -> {
      try {
        writing.await(5, TimeUnit.SECONDS); // the body is on its way: 63 MiB of it cannot fit the buffers
      } catch (InterruptedException e) {
        return;
      }
      client.cancel();
    });
    canceller.start();
    long start = System.nanoTime();
    byte[] body = new byte[64 * 1024 * 1024];
    assertThrows(IOException.class, () -> client.post(body, body.length, false));
    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 5000);
    canceller.join();
  }

  @Test
  void anIpv6EndpointIsReachedAndNamedInBrackets() throws Exception {
    try {
      server = new ServerSocket(0, 50, InetAddress.getByName("::1"));
    } catch (IOException noIpv6) {
      Assumptions.abort("this machine has no IPv6 loopback (::1): " + noIpv6);
    }
    int port = server.getLocalPort();
    Thread peer = new Thread(() -> {
      try (Socket socket = server.accept()) {
        requests.add(readHead(socket.getInputStream()));
        socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      } catch (IOException e) {
        // the assertions below fail
      }
    });
    peer.start();
    Http1Client client = new Http1Client(URI.create("http://[::1]:" + port + "/v1/metrics"), Map.of(), 5000);
    assertEquals(200, post(client, new byte[] {1}, false).code);
    peer.join();
    assertTrue(requests.get(0).contains("\r\nHost: [::1]:" + port + "\r\n"), requests.get(0));
  }

  @Test
  void headersThatWouldSplitTheRequestAreRefused() {
    URI url = URI.create("http://127.0.0.1:9/v1/traces");
    assertThrows(IllegalArgumentException.class, () -> new Http1Client(url, Map.of("x-key", "a\r\nInjected: yes"), 1000));
    assertThrows(IllegalArgumentException.class, () -> new Http1Client(url, Map.of("bad name", "v"), 1000));
    assertThrows(IllegalArgumentException.class, () -> new Http1Client(url, Map.of("x-key", "snow☃"), 1000));
  }

  /** A whole array as the request. */
  private static Http1Client.Response post(Http1Client client, byte[] body, boolean gzip) throws IOException {
    return client.post(body, body.length, gzip);
  }
}
