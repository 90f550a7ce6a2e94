package io.quiver.gateway.routing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.quiver.gateway.TestWorkers;

/**
 * An inference worker in an OS process of its own, for fault tests that kill workers for
 * real. The process runs this class's {@link #main} on the test JVM's JDK with only the
 * test classes on its class path (it needs nothing but the JDK), so it starts about as
 * fast as a JVM can and a restart fits in a test; the real worker takes far longer to
 * load a model and cannot be made to fail on cue. It speaks the worker protocol
 * ({@code /status}, {@code /v1/models}, {@code /v1/chat/completions} and
 * {@code /v1/completions}, streamed or not) on raw sockets, HTTP/1.1 with keep-alive, so
 * a {@link Fault} can break the answer at the byte level, down to a reset connection.
 * <p>
 * Every process started is killed when the test ends ({@link #close()}), when the test
 * JVM exits (a shutdown hook), and, should the test JVM itself be killed, by the child:
 * it exits once its parent is gone.
 */
public final class TestWorkerProcess implements AutoCloseable {

	/** How the worker answers generation requests. */
	public enum Fault {

		/** Well formed, streamed in several events when asked. */
		NONE,

		/** {@code 200 application/json} whose body is an HTML error page. */
		GARBAGE,

		/** A complete HTTP answer whose JSON body stops halfway. */
		TRUNCATED_JSON,

		/**
		 * Half the body its {@code Content-Length} announces, then the connection is
		 * closed.
		 */
		SHORT_BODY,

		/**
		 * {@code 200 text/html}, as a misconfigured proxy in front of a worker answers.
		 */
		WRONG_CONTENT_TYPE,

		/**
		 * The first stream event (or half a plain answer), then the connection is reset
		 * (RST, not FIN).
		 */
		RESET_MIDSTREAM;

		/**
		 * @return the base model a worker with this fault serves, so each fault has a
		 * worker of its own
		 */
		public String model() {
			return name().toLowerCase(Locale.ROOT).replace('_', '-') + "-model";
		}

	}

	private static final Set<TestWorkerProcess> STARTED = ConcurrentHashMap.newKeySet();

	static {
		Runtime.getRuntime()
			.addShutdownHook(new Thread(() -> STARTED.forEach(TestWorkerProcess::close), "worker-processes-stop"));
	}

	private final String model;

	private final int port;

	private final Path log;

	private Fault fault = Fault.NONE;

	private long delayMillis;

	private volatile Process process;

	private TestWorkerProcess(String model, int port) {
		this.model = model;
		this.port = port;
		this.log = Path.of("target", "worker-processes", model + "-" + port + ".log").toAbsolutePath();
	}

	/**
	 * @param model the base model it serves
	 * @return a worker on a reserved free port, not started yet
	 */
	public static TestWorkerProcess serving(String model) {
		try {
			return new TestWorkerProcess(model, TestWorkers.freePort());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * @param fault how it answers generation requests
	 * @return this worker
	 */
	public TestWorkerProcess fault(Fault fault) {
		this.fault = fault;
		return this;
	}

	/**
	 * @param delayMillis how long it thinks before it answers a generation request
	 * @return this worker
	 */
	public TestWorkerProcess delay(long delayMillis) {
		this.delayMillis = delayMillis;
		return this;
	}

	/**
	 * Starts the processes together (JVM start-up is the slow part) and waits until each
	 * answers {@code /status}.
	 * @param workers workers not running now
	 */
	public static void startAll(List<TestWorkerProcess> workers) {
		workers.forEach(TestWorkerProcess::launch);
		workers.forEach(TestWorkerProcess::awaitReady);
	}

	/** Starts (or, after {@link #kill()}, restarts) the process on its port. */
	public void start() {
		launch();
		awaitReady();
	}

	/**
	 * Kills the process with SIGKILL ({@link Process#destroyForcibly()}): no shutdown
	 * code runs, the kernel closes its sockets.
	 */
	public void kill() {
		Process running = this.process;
		if (running == null) {
			return;
		}
		running.destroyForcibly();
		try {
			if (!running.waitFor(Duration.ofSeconds(30))) {
				throw new IllegalStateException("Worker process " + running.pid() + " survived SIGKILL");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		STARTED.remove(this);
	}

	public boolean isAlive() {
		Process running = this.process;
		return running != null && running.isAlive();
	}

	public long pid() {
		return this.process.pid();
	}

	public String model() {
		return this.model;
	}

	public String url() {
		return "http://127.0.0.1:" + this.port;
	}

	@Override
	public void close() {
		kill();
	}

	private synchronized void launch() {
		if (isAlive()) {
			throw new IllegalStateException("Worker process " + this.process.pid() + " is running already");
		}
		String classes;
		try {
			classes = Path.of(TestWorkerProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI())
				.toString();
			Files.createDirectories(this.log.getParent());
		}
		catch (IOException | java.net.URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
		// A small heap and the quick JIT: these processes do little, and several share a
		// busy machine with the gateway under test.
		List<String> command = List.of(TestWorkers.java(), "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
				"-Xshare:auto", "-cp", classes, TestWorkerProcess.class.getName(), Integer.toString(this.port),
				this.model, this.fault.name(), Long.toString(this.delayMillis));
		try {
			this.process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(this.log.toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not start a worker process", ex);
		}
		STARTED.add(this);
	}

	private void awaitReady() {
		HttpClient http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(2))
			.build();
		HttpRequest status = HttpRequest.newBuilder(URI.create(url() + "/status"))
			.timeout(Duration.ofSeconds(5))
			.build();
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		try (http) {
			while (System.nanoTime() < deadline) {
				if (!this.process.isAlive()) {
					throw new IllegalStateException("Worker process exited; its output:\n" + output());
				}
				try {
					if (http.send(status, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
						return;
					}
				}
				catch (IOException ex) {
					// Not listening yet.
				}
				Thread.sleep(50);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		kill();
		throw new IllegalStateException("Worker process did not answer in 60 s; its output:\n" + output());
	}

	private String output() {
		try {
			return Files.readString(this.log);
		}
		catch (IOException ex) {
			return ex.toString();
		}
	}

	/**
	 * The worker process.
	 * @param args port, base model, {@link Fault} name, delay in milliseconds
	 * @throws IOException if it cannot listen
	 */
	public static void main(String[] args) throws IOException {
		Server server = new Server(args[1], Fault.valueOf(args[2]), Long.parseLong(args[3]));
		// Never outlive the test JVM, however it ends.
		ProcessHandle.current()
			.parent()
			.ifPresent((parent) -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(0)));
		ServerSocket listener = new ServerSocket();
		listener.setReuseAddress(true);
		listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])), 512);
		System.out.printf("Worker process %d serving %s (%s, %s ms) on %s%n", ProcessHandle.current().pid(), args[1],
				args[2], args[3], listener.getLocalSocketAddress());
		while (true) {
			Socket socket = listener.accept();
			Thread.ofVirtual().start(() -> server.serve(socket));
		}
	}

	/** The worker protocol over one connection after another. */
	private static final class Server {

		private final String model;

		private final Fault fault;

		private final long delayMillis;

		private final AtomicInteger inFlight = new AtomicInteger();

		private Server(String model, Fault fault, long delayMillis) {
			this.model = model;
			this.fault = fault;
			this.delayMillis = delayMillis;
		}

		void serve(Socket socket) {
			try (socket) {
				socket.setTcpNoDelay(true);
				InputStream in = new BufferedInputStream(socket.getInputStream());
				OutputStream out = new BufferedOutputStream(socket.getOutputStream());
				Request request;
				while ((request = Request.read(in)) != null) {
					if (!answer(request, socket, out)) {
						return;
					}
				}
			}
			catch (IOException ex) {
				// The gateway went away, or a fault cut the connection on purpose.
			}
		}

		/**
		 * @return whether the connection stays open for the next request
		 */
		private boolean answer(Request request, Socket socket, OutputStream out) throws IOException {
			if (request.path().equals("/status")) {
				plain(out, 200, "application/json",
						"{\"base_model\":\"" + this.model + "\",\"queue_depth\":" + this.inFlight.get()
								+ ",\"running_sequences\":0,\"kv_cache_usage\":0.1,\"adapters\":[],"
								+ "\"capacity\":{\"max_running\":64},\"draining\":false}");
				return true;
			}
			if (request.path().equals("/v1/models")) {
				plain(out, 200, "application/json",
						"{\"object\":\"list\",\"data\":[{\"id\":\"" + this.model + "\",\"object\":\"model\"}]}");
				return true;
			}
			if (!request.path().equals("/v1/chat/completions") && !request.path().equals("/v1/completions")) {
				plain(out, 404, "application/json", "{\"error\":{\"message\":\"Not found\"}}");
				return true;
			}
			this.inFlight.incrementAndGet();
			try {
				if (this.delayMillis > 0) {
					Thread.sleep(this.delayMillis);
				}
				return generate(request, socket, out);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
			finally {
				this.inFlight.decrementAndGet();
			}
		}

		private boolean generate(Request request, Socket socket, OutputStream out)
				throws IOException, InterruptedException {
			String answer = "{\"id\":\"cmpl-1\",\"object\":\"chat.completion\",\"model\":\"" + this.model
					+ "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hello\"},"
					+ "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,"
					+ "\"total_tokens\":7}}";
			byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
			switch (this.fault) {
				case GARBAGE -> {
					plain(out, 200, "application/json", "<html><body>upstream exploded</body></html>");
					return true;
				}
				case TRUNCATED_JSON -> {
					plain(out, 200, "application/json", answer.substring(0, answer.length() / 2));
					return true;
				}
				case WRONG_CONTENT_TYPE -> {
					plain(out, 200, "text/html", "<!doctype html><title>Bad gateway</title><h1>upstream exploded</h1>");
					return true;
				}
				case SHORT_BODY -> {
					head(out, 200, "application/json", bytes.length);
					out.write(bytes, 0, bytes.length / 2);
					out.flush();
					return false;
				}
				case RESET_MIDSTREAM -> {
					if (request.streamed()) {
						head(out, 200, "text/event-stream", -1);
						chunk(out, event("hel"));
					}
					else {
						head(out, 200, "application/json", bytes.length);
						out.write(bytes, 0, bytes.length / 2);
						out.flush();
					}
					// Let the first bytes reach the gateway before the reset, which
					// discards whatever the receiver has not read yet.
					Thread.sleep(200);
					socket.setSoLinger(true, 0);
					socket.close();
					return false;
				}
				case NONE -> {
					if (!request.streamed()) {
						plain(out, 200, "application/json", answer);
						return true;
					}
					head(out, 200, "text/event-stream", -1);
					chunk(out, event("hel"));
					chunk(out, event("lo"));
					chunk(out, "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
							+ "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\n");
					chunk(out, "data: [DONE]\n\n");
					out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
					out.flush();
					return true;
				}
				default -> throw new IllegalStateException(this.fault.name());
			}
		}

		private static String event(String text) {
			return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
					+ "{\"content\":\"" + text + "\"}}]}\n\n";
		}

		private static void plain(OutputStream out, int status, String contentType, String body) throws IOException {
			byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
			head(out, status, contentType, bytes.length);
			out.write(bytes);
			out.flush();
		}

		/**
		 * @param contentLength the body's length, or -1 for a chunked body
		 */
		private static void head(OutputStream out, int status, String contentType, long contentLength)
				throws IOException {
			String length = (contentLength >= 0) ? "Content-Length: " + contentLength
					: "Transfer-Encoding: chunked\r\nCache-Control: no-cache";
			out.write(("HTTP/1.1 " + status + ((status == 200) ? " OK" : " Not Found") + "\r\nContent-Type: "
					+ contentType + "\r\n" + length + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
		}

		/**
		 * Writes one chunk of a chunked body and sends it at once, as a worker streams
		 * tokens.
		 */
		private static void chunk(OutputStream out, String data) throws IOException {
			byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
			out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
			out.write(bytes);
			out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
		}

	}

	/**
	 * What the worker needs of a request: its path and whether it asks for a stream.
	 *
	 * @param path the request path
	 * @param streamed whether the body says {@code "stream":true}
	 */
	private record Request(String path, boolean streamed) {

		/**
		 * @return the next request on the connection, or {@code null} when the other side
		 * closed it
		 */
		static Request read(InputStream in) throws IOException {
			String requestLine = line(in);
			if (requestLine == null || requestLine.isEmpty()) {
				return null;
			}
			int contentLength = 0;
			String header;
			while ((header = line(in)) != null && !header.isEmpty()) {
				int colon = header.indexOf(':');
				if (colon > 0 && header.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
					contentLength = Integer.parseInt(header.substring(colon + 1).trim());
				}
			}
			String body = new String(in.readNBytes(contentLength), StandardCharsets.UTF_8);
			String[] parts = requestLine.split(" ");
			String path = (parts.length > 1) ? URI.create(parts[1]).getPath() : "/";
			return new Request(path, body.replace(" ", "").contains("\"stream\":true"));
		}

		private static String line(InputStream in) throws IOException {
			ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
			int b;
			while ((b = in.read()) >= 0) {
				if (b == '\n') {
					String text = bytes.toString(StandardCharsets.US_ASCII);
					return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
				}
				bytes.write(b);
			}
			return (bytes.size() > 0) ? bytes.toString(StandardCharsets.US_ASCII) : null;
		}

	}

}
