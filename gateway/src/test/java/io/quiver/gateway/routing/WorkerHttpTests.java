package io.quiver.gateway.routing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The workers' HTTP/1.1 client against a raw socket server that answers byte for byte
 * what each test scripts, so framing, reuse and failures are exact.
 */
class WorkerHttpTests {

	private static final Duration SECONDS = Duration.ofSeconds(5);

	private final WorkerHttp http = new WorkerHttp(Duration.ofSeconds(2));

	private ScriptedServer server;

	@AfterEach
	void close() throws IOException {
		this.http.close();
		if (this.server != null) {
			this.server.close();
		}
	}

	@Test
	void whenTheAnswerHasAContentLengthThenItsBodyIsReadAndTheConnectionReused() throws Exception {
		this.server = new ScriptedServer((request, out) -> write(out,
				"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"));
		for (int i = 0; i < 3; i++) {
			WorkerHttp.WholeResponse answer = this.http.exchange(this.server.uri("/status"), "GET", Map.of(), null,
					SECONDS, 1024);
			assertThat(answer.status()).isEqualTo(200);
			assertThat(answer.text()).isEqualTo("{\"ok\":true}");
		}
		assertThat(this.server.connections.get()).isEqualTo(1);
		assertThat(this.server.requests).hasSize(3)
			.allSatisfy((request) -> assertThat(request)
				.startsWith("GET /status HTTP/1.1\r\nHost: 127.0.0.1:" + this.server.port() + "\r\n"));
	}

	@Test
	void whenTheRequestHasABodyThenItIsSentWithItsLengthAndHeaders() throws Exception {
		this.server = new ScriptedServer(
				(request, out) -> write(out, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"));
		WorkerHttp.WholeResponse answer = this.http.exchange(this.server.uri("/adapters/acme/x@1"), "PUT",
				Map.of("Content-Type", "application/json"), "{\"a\":1}".getBytes(StandardCharsets.UTF_8), SECONDS,
				1024);
		assertThat(answer.status()).isEqualTo(201);
		assertThat(this.server.requests.get(0)).startsWith("PUT /adapters/acme/x@1 HTTP/1.1\r\n")
			.contains("Content-Type: application/json\r\n")
			.contains("Content-Length: 7\r\n")
			.endsWith("\r\n\r\n{\"a\":1}");
	}

	@Test
	void whenTheAnswerIsChunkedThenEachReadPassesOnWhatArrivedAndTheEndIsFound() throws Exception {
		this.server = new ScriptedServer((request, out) -> {
			write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
			write(out, "b\r\ndata: one\n\n\r\n");
			pause(50);
			write(out, "b;ext=1\r\ndata: two\n\n\r\n");
			pause(50);
			write(out, "0\r\nX-Trailer: yes\r\n\r\n");
		});
		for (int round = 0; round < 2; round++) {
			try (WorkerHttp.Response response = this.http.send(this.server.uri("/v1/chat/completions"), "POST",
					Map.of(), new byte[0], SECONDS, SECONDS)) {
				assertThat(response.status()).isEqualTo(200);
				assertThat(response.header("content-type")).isEqualTo("text/event-stream");
				InputStream body = response.body();
				byte[] buffer = new byte[8192];
				List<String> reads = new CopyOnWriteArrayList<>();
				int read;
				while ((read = body.read(buffer)) >= 0) {
					reads.add(new String(buffer, 0, read, StandardCharsets.UTF_8));
				}
				// Not held back until the buffer is full: each chunk as it came.
				assertThat(reads).containsExactly("data: one\n\n", "data: two\n\n");
			}
		}
		assertThat(this.server.connections.get()).isEqualTo(1);
	}

	@Test
	void whenABodyIsClosedBeforeItsEndThenItsConnectionIsNotReused() throws Exception {
		this.server = new ScriptedServer(
				(request, out) -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789"));
		try (WorkerHttp.Response response = this.http.send(this.server.uri("/x"), "GET", Map.of(), null, SECONDS,
				SECONDS)) {
			assertThat(response.body().read(new byte[3])).isEqualTo(3);
		}
		assertThat(this.http.exchange(this.server.uri("/x"), "GET", Map.of(), null, SECONDS, 1024).text())
			.isEqualTo("0123456789");
		assertThat(this.server.connections.get()).isEqualTo(2);
	}

	@Test
	void whenThePooledConnectionWasClosedByTheWorkerThenTheRequestGoesOnANewOne() throws Exception {
		AtomicInteger served = new AtomicInteger();
		this.server = new ScriptedServer((request, out) -> {
			// counted before the answer, which the client may read before this thread
			// runs again
			served.incrementAndGet();
			write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
			// A keep-alive timeout on the worker's side: it closes the idle connection
			// without saying so.
			throw new CloseConnection();
		});
		for (int i = 0; i < 3; i++) {
			assertThat(
					this.http.exchange(this.server.uri("/x"), "POST", Map.of(), new byte[] { 1 }, SECONDS, 16).text())
				.isEqualTo("ok");
		}
		assertThat(served.get()).isEqualTo(3);
		assertThat(this.server.connections.get()).isEqualTo(3);
	}

	@Test
	void whenTheAnswerSaysConnectionCloseThenItIsReadToTheEndOfTheConnection() throws Exception {
		this.server = new ScriptedServer((request, out) -> {
			write(out, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it");
			throw new CloseConnection();
		});
		assertThat(this.http.exchange(this.server.uri("/x"), "GET", Map.of(), null, SECONDS, 1024).text())
			.isEqualTo("all of it");
		assertThat(this.http.idleConnections()).isZero();
	}

	@Test
	void whenNothingListensThenTheFailureSaysNoConnectionCouldBeMade() throws Exception {
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		assertThatExceptionOfType(WorkerHttp.ConnectFailedException.class).isThrownBy(() -> this.http
			.send(URI.create("http://127.0.0.1:" + port + "/x"), "GET", Map.of(), null, SECONDS, SECONDS));
	}

	@Test
	void whenTheWorkerDoesNotStartAnsweringInTimeThenTheSendTimesOut() throws Exception {
		this.server = new ScriptedServer((request, out) -> pause(2_000));
		assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(
				() -> this.http.send(this.server.uri("/x"), "GET", Map.of(), null, Duration.ofMillis(200), SECONDS));
	}

	@Test
	void whenTheAnswerIsNotHttpThenTheFailureSaysSo() throws Exception {
		this.server = new ScriptedServer((request, out) -> {
			write(out, "<html>surprise</html>\r\n\r\n");
			throw new CloseConnection();
		});
		assertThatExceptionOfType(IOException.class)
			.isThrownBy(() -> this.http.send(this.server.uri("/x"), "GET", Map.of(), null, SECONDS, SECONDS))
			.withMessageContaining("not HTTP/1.x");
	}

	@Test
	void whenAChunkedAnswerBreaksOffThenReadingFailsInsteadOfEndingCleanly() throws Exception {
		this.server = new ScriptedServer((request, out) -> {
			write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
			throw new CloseConnection();
		});
		try (WorkerHttp.Response response = this.http.send(this.server.uri("/x"), "GET", Map.of(), null, SECONDS,
				SECONDS)) {
			assertThatExceptionOfType(IOException.class).isThrownBy(() -> response.body().readAllBytes());
		}
	}

	@Test
	void whenAHeaderValueHoldsALineBreakThenNothingIsSent() throws Exception {
		this.server = new ScriptedServer((request, out) -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> this.http.send(this.server.uri("/x"),
				"GET", Map.of("x-request-id", "a\r\nX-Evil: 1"), null, SECONDS, SECONDS));
		assertThat(this.server.requests).isEmpty();
	}

	private static void write(OutputStream out, String text) throws IOException {
		out.write(text.getBytes(StandardCharsets.UTF_8));
		out.flush();
	}

	private static void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Thrown by a script to close the connection after answering. */
	private static final class CloseConnection extends RuntimeException {

	}

	/**
	 * Accepts connections and, for each request it reads (head plus Content-Length body),
	 * runs the script.
	 */
	private static final class ScriptedServer implements AutoCloseable {

		final List<String> requests = new CopyOnWriteArrayList<>();

		final AtomicInteger connections = new AtomicInteger();

		private final ServerSocket socket;

		private final BiConsumerWithIo script;

		ScriptedServer(BiConsumerWithIo script) throws IOException {
			this.script = script;
			this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
			Thread.ofVirtual().start(this::accept);
		}

		int port() {
			return this.socket.getLocalPort();
		}

		URI uri(String path) {
			return URI.create("http://127.0.0.1:" + port() + path);
		}

		private void accept() {
			while (!this.socket.isClosed()) {
				try {
					Socket connection = this.socket.accept();
					this.connections.incrementAndGet();
					Thread.ofVirtual().start(() -> serve(connection));
				}
				catch (IOException ex) {
					return;
				}
			}
		}

		private void serve(Socket connection) {
			try (connection) {
				InputStream in = connection.getInputStream();
				OutputStream out = connection.getOutputStream();
				while (true) {
					String request = readRequest(in);
					if (request == null) {
						return;
					}
					this.requests.add(request);
					this.script.accept(request, out);
				}
			}
			catch (IOException | CloseConnection ex) {
				// The connection ends.
			}
		}

		private static String readRequest(InputStream in) throws IOException {
			ByteArrayOutputStream head = new ByteArrayOutputStream();
			int matched = 0;
			int b;
			while (matched < 4 && (b = in.read()) >= 0) {
				head.write(b);
				matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : ((b == '\r') ? 1 : 0);
			}
			if (matched < 4) {
				return null;
			}
			String text = head.toString(StandardCharsets.ISO_8859_1);
			int length = 0;
			for (String line : text.split("\r\n")) {
				if (line.toLowerCase().startsWith("content-length:")) {
					length = Integer.parseInt(line.substring(15).trim());
				}
			}
			return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

	@FunctionalInterface
	private interface BiConsumerWithIo {

		void accept(String request, OutputStream out) throws IOException;

	}

}
