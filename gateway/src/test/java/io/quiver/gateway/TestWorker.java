package io.quiver.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stand-in inference worker on a random port: serves {@value #BASE_MODEL}, answers
 * completions with a fixed text and usage (7 prompt, 5 completion tokens), streams when
 * asked (with a usage chunk when {@code stream_options.include_usage}), and remembers
 * what it was sent.
 */
public final class TestWorker {

	/** The one base model this worker serves. */
	public static final String BASE_MODEL = "test-base";

	private static volatile TestWorker instance;

	private final HttpServer server;

	private final List<Received> received = new CopyOnWriteArrayList<>();

	private final Set<String> adapters = ConcurrentHashMap.newKeySet();

	private final JsonMapper json = JsonMapper.builder().build();

	private TestWorker() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
		this.server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
		this.server.createContext("/v1/models", (exchange) -> respond(exchange, 200, "application/json",
				"{\"object\":\"list\",\"data\":[{\"id\":\"" + BASE_MODEL + "\",\"object\":\"model\"}]}"));
		// A Quiver worker's /status, so the pool speaks the Quiver dialect to it:
		// adapters
		// are fetched by the worker from the request's source and digest headers, which
		// the tests then read back, and reported held from then on, as a real one does.
		this.server
			.createContext("/status", (exchange) -> respond(exchange, 200, "application/json", "{\"base_model\":\""
					+ BASE_MODEL + "\",\"queue_depth\":0,\"running_sequences\":0,"
					+ "\"kv_cache_usage\":0.0,\"adapters\":["
					+ String.join(",",
							this.adapters.stream().map((id) -> "{\"id\":\"" + id + "\",\"tier\":\"device\"}").toList())
					+ "],\"capacity\":{\"max_running\":64},\"draining\":false}"));
		this.server.createContext("/v1/chat/completions", this::complete);
		this.server.createContext("/v1/completions", this::complete);
		this.server.start();
	}

	/**
	 * @return the worker shared by every test in this JVM
	 */
	public static TestWorker get() {
		TestWorker result = instance;
		if (result == null) {
			synchronized (TestWorker.class) {
				result = instance;
				if (result == null) {
					try {
						result = new TestWorker();
					}
					catch (IOException ex) {
						throw new IllegalStateException(ex);
					}
					instance = result;
				}
			}
		}
		return result;
	}

	public String url() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	/**
	 * @param requestId the gateway's {@code x-request-id}
	 * @return what the worker received for that request
	 */
	public Received received(String requestId) {
		return this.received.stream()
			.filter((request) -> requestId.equals(request.headers().get("x-request-id")))
			.findFirst()
			.orElseThrow(() -> new AssertionError("The worker received no request " + requestId));
	}

	private void complete(HttpExchange exchange) throws IOException {
		byte[] bytes = exchange.getRequestBody().readAllBytes();
		JsonNode body = this.json.readTree(bytes);
		Map<String, String> headers = new java.util.HashMap<>();
		exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
		this.received.add(new Received(body, headers));
		if (this.received.size() > 10_000) {
			this.received.remove(0);
		}
		String model = body.path("model").asString();
		if (headers.containsKey("quiver-adapter-source")) {
			this.adapters.add(model);
		}
		String usage = "{\"prompt_tokens\":7,\"completion_tokens\":5,\"total_tokens\":12}";
		if (!body.path("stream").asBoolean(false)) {
			respond(exchange, 200, "application/json",
					"{\"id\":\"cmpl-1\",\"object\":\"chat.completion\",\"model\":\"" + model
							+ "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hello\"},"
							+ "\"finish_reason\":\"stop\"}],\"usage\":" + usage + "}");
			return;
		}
		exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
		exchange.sendResponseHeaders(200, 0);
		try (OutputStream out = exchange.getResponseBody()) {
			String chunk = "{\"id\":\"cmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model
					+ "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hel\"}}]}";
			write(out, "data: " + chunk + "\n\n");
			write(out, "data: " + chunk.replace("hel", "lo") + "\n\n");
			if (body.path("stream_options").path("include_usage").asBoolean(false)) {
				write(out, "data: {\"id\":\"cmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model
						+ "\",\"choices\":[],\"usage\":" + usage + "}\n\n");
			}
			write(out, "data: [DONE]\n\n");
		}
	}

	private static void write(OutputStream out, String text) throws IOException {
		out.write(text.getBytes(StandardCharsets.UTF_8));
		out.flush();
	}

	private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", contentType);
		exchange.sendResponseHeaders(status, bytes.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(bytes);
		}
	}

	/**
	 * @param body the JSON body the worker received
	 * @param headers its headers, names in lower case
	 */
	public record Received(JsonNode body, Map<String, String> headers) {
	}

}
