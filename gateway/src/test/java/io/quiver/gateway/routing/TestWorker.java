package io.quiver.gateway.routing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server on loopback that speaks the worker protocol with canned answers, so
 * the gateway can be driven through failures a real worker would be slow to reproduce. It
 * can be stopped (killed: open connections are cut) and started again on the same port.
 */
public final class TestWorker implements AutoCloseable {

	/** How the worker answers generation requests. */
	public enum Behaviour {

		/** At once, well formed. */
		OK,

		/** Well formed, after {@link TestWorker#delayMillis}. */
		SLOW,

		/** A non-streaming answer that is not JSON. */
		MALFORMED,

		/**
		 * A non-streaming answer that ends, connection closed, before its declared
		 * length.
		 */
		TRUNCATED,

		/** A stream that breaks off after its first chunk. */
		BREAK_STREAM,

		/** A stream that stops sending after its first chunk but stays open. */
		STALL_STREAM

	}

	private final String baseModel;

	private final int port;

	private final AtomicInteger inFlight = new AtomicInteger();

	private final AtomicInteger served = new AtomicInteger();

	private final Set<String> adapters = ConcurrentHashMap.newKeySet();

	private final Map<String, String> lastHeaders = new ConcurrentHashMap<>();

	private volatile Behaviour behaviour = Behaviour.OK;

	private volatile long delayMillis = 0;

	private volatile boolean draining;

	private HttpServer server;

	private TestWorker(String baseModel, int port) {
		this.baseModel = baseModel;
		this.port = port;
	}

	/**
	 * @param baseModel the base model it serves
	 * @return a started worker on a free port
	 */
	public static TestWorker serving(String baseModel) {
		TestWorker worker = new TestWorker(baseModel, freePort());
		worker.start();
		return worker;
	}

	/**
	 * @param baseModel the base model it will serve
	 * @return a worker with a port reserved but not started (a pool scaled to zero)
	 */
	public static TestWorker notStarted(String baseModel) {
		return new TestWorker(baseModel, freePort());
	}

	public TestWorker behave(Behaviour behaviour, long delayMillis) {
		this.behaviour = behaviour;
		this.delayMillis = delayMillis;
		return this;
	}

	public String url() {
		return "http://127.0.0.1:" + this.port;
	}

	public int served() {
		return this.served.get();
	}

	public Set<String> adapters() {
		return this.adapters;
	}

	public String lastHeader(String name) {
		return this.lastHeaders.get(name.toLowerCase(java.util.Locale.ROOT));
	}

	public void draining(boolean draining) {
		this.draining = draining;
	}

	/** Starts (or restarts) the server on its port. */
	public synchronized void start() {
		try {
			this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", this.port), 256);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		this.server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
		this.server.createContext("/", this::handle);
		this.server.start();
	}

	/** Kills it: the port closes and open exchanges are cut. */
	public synchronized void stop() {
		if (this.server != null) {
			this.server.stop(0);
			this.server = null;
		}
	}

	@Override
	public void close() {
		stop();
	}

	private void handle(HttpExchange exchange) throws IOException {
		String path = exchange.getRequestURI().getPath();
		try (exchange) {
			if (path.equals("/status")) {
				String adapters = String.join(",",
						this.adapters.stream().map((id) -> "{\"id\":\"" + id + "\",\"tier\":\"device\"}").toList());
				send(exchange, 200, "application/json",
						"{\"base_model\":\"" + this.baseModel + "\",\"queue_depth\":" + this.inFlight.get()
								+ ",\"running_sequences\":0,\"kv_cache_usage\":0.1,\"adapters\":[" + adapters
								+ "],\"capacity\":{\"max_running\":8},\"draining\":" + this.draining + "}");
				return;
			}
			if (path.equals("/v1/models")) {
				send(exchange, 200, "application/json",
						"{\"object\":\"list\",\"data\":[{\"id\":\"" + this.baseModel + "\",\"object\":\"model\"}]}");
				return;
			}
			if (path.startsWith("/adapters/") && exchange.getRequestMethod().equals("PUT")) {
				this.adapters.add(path.substring("/adapters/".length()));
				send(exchange, 200, "application/json", "{}");
				return;
			}
			if (path.equals("/v1/chat/completions") || path.equals("/v1/completions")) {
				generate(exchange);
				return;
			}
			send(exchange, 404, "application/json", "{\"error\":{\"message\":\"not found\"}}");
		}
	}

	private void generate(HttpExchange exchange) throws IOException {
		this.inFlight.incrementAndGet();
		try {
			byte[] body;
			try (InputStream in = exchange.getRequestBody()) {
				body = in.readAllBytes();
			}
			exchange.getRequestHeaders()
				.forEach(
						(name, values) -> this.lastHeaders.put(name.toLowerCase(java.util.Locale.ROOT), values.get(0)));
			String text = new String(body, StandardCharsets.UTF_8).replace(" ", "");
			boolean stream = text.contains("\"stream\":true");
			// Like a Quiver worker, load an adapter named with its source on demand, and
			// report it held from then on.
			int model = text.indexOf("\"model\":\"");
			if (exchange.getRequestHeaders().containsKey("Quiver-Adapter-Source") && model >= 0) {
				int from = model + "\"model\":\"".length();
				this.adapters.add(text.substring(from, text.indexOf('"', from)));
			}
			if (this.behaviour == Behaviour.SLOW) {
				sleep(this.delayMillis);
			}
			if (this.behaviour == Behaviour.MALFORMED) {
				send(exchange, 200, "application/json", "<html>upstream exploded</html>");
				return;
			}
			if (this.behaviour == Behaviour.TRUNCATED) {
				exchange.getResponseHeaders().add("Content-Type", "application/json");
				exchange.sendResponseHeaders(200, 200);
				OutputStream out = exchange.getResponseBody();
				out.write("{\"id\":\"cmpl-1\",\"object\":\"chat.completion\"".getBytes(StandardCharsets.UTF_8));
				// closing short of the length closes the connection
				out.close();
				return;
			}
			if (!stream) {
				send(exchange, 200, "application/json",
						"{\"id\":\"cmpl-1\",\"object\":\"chat.completion\"," + "\"model\":\"" + this.baseModel
								+ "\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
								+ "\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}],"
								+ "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}}");
				this.served.incrementAndGet();
				return;
			}
			exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
			exchange.sendResponseHeaders(200, 0);
			OutputStream out = exchange.getResponseBody();
			out.write(chunk("hel"));
			out.flush();
			if (this.behaviour == Behaviour.BREAK_STREAM) {
				// Cut the connection without ending the chunked body.
				throw new IOException("worker died midway");
			}
			if (this.behaviour == Behaviour.STALL_STREAM) {
				sleep(30_000);
			}
			out.write(chunk("lo"));
			out.write(("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":"
					+ "{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\ndata: [DONE]\n\n")
				.getBytes(StandardCharsets.UTF_8));
			out.flush();
			this.served.incrementAndGet();
		}
		finally {
			this.inFlight.decrementAndGet();
		}
	}

	private static byte[] chunk(String text) {
		return ("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
				+ "{\"content\":\"" + text + "\"}}]}\n\n")
			.getBytes(StandardCharsets.UTF_8);
	}

	private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().add("Content-Type", contentType);
		exchange.sendResponseHeaders(status, bytes.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(bytes);
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
