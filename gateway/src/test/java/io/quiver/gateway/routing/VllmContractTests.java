package io.quiver.gateway.routing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The vLLM dialect against its contract: a loopback server answers with the vLLM shapes
 * in {@code src/test/resources/vllm/}, and the pool, router and proxy are driven as the
 * gateway drives them.
 */
class VllmContractTests {

	private static final String BASE = "meta-llama/Llama-3.2-1B-Instruct";

	private final List<String> loads = new CopyOnWriteArrayList<>();

	private final JsonMapper json = JsonMapper.builder().build();

	private HttpServer vllm;

	private WorkerPool pool;

	private InferenceProxy proxy;

	@BeforeEach
	void startVllmAndGateway() throws IOException {
		this.vllm = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
		this.vllm.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
		this.vllm.createContext("/", this::answer);
		this.vllm.start();
		// A plain URL: the dialect is detected from /status answering 404.
		RoutingProperties properties = TestRouting.properties("workers",
				"http://127.0.0.1:" + this.vllm.getAddress().getPort(), "refresh-interval", "100ms");
		this.pool = new WorkerPool(properties, this.json, CircuitBreakerRegistry.ofDefaults());
		WorkerRouter router = new WorkerRouter(this.pool, properties);
		this.proxy = new InferenceProxy(this.pool, router, new AdapterPreloader(this.pool, router),
				BulkheadRegistry.ofDefaults(), new RoutingMetrics(new SimpleMeterRegistry(), this.pool), this.json,
				properties);
		this.pool.refresh();
	}

	@AfterEach
	void stop() {
		this.proxy.close();
		this.pool.destroy();
		this.vllm.stop(0);
	}

	@Test
	void whenPolledThenLoadAndHeldAdaptersAreReadFromModelsAndMetrics() {
		Worker worker = this.pool.workers().get(0);
		assertThat(worker.isReady()).isTrue();
		assertThat(worker.dialect()).isEqualTo(WorkerDialect.VLLM);
		WorkerStatus status = worker.status();
		assertThat(status.baseModels()).containsExactly(BASE);
		assertThat(status.holds("acme/support-bot@v3")).isTrue();
		assertThat(status.queueDepth()).isEqualTo(2);
		assertThat(status.running()).isEqualTo(3);
		assertThat(status.kvCacheUsage()).isEqualTo(0.42);
	}

	@Test
	void whenAnAdapterIsNotLoadedThenItIsLoadedThroughLoadLoraAdapterBeforeTheRequest() throws IOException {
		MockHttpServletResponse response = new MockHttpServletResponse();
		this.proxy.forward(call("acme/faq@v1", false), response);
		assertThat(this.loads)
			.containsExactly("{\"lora_name\":\"acme/faq@v1\",\"lora_path\":\"/adapters/acme/faq/v1\"}");
		assertThat(response.getStatus()).isEqualTo(200);
		assertThat(response.getContentAsString()).isEqualTo(fixture("chat-completion.json").trim());
		assertThat(response.getHeader(InferenceProxy.ROUTE_HEADER)).isEqualTo("placed");
		// Now held: the next request neither loads again nor misses.
		MockHttpServletResponse again = new MockHttpServletResponse();
		this.proxy.forward(call("acme/faq@v1", false), again);
		assertThat(this.loads).hasSize(1);
		assertThat(again.getHeader(InferenceProxy.ROUTE_HEADER)).isEqualTo("hit");
	}

	@Test
	void whenAStreamIsAskedOfAHeldAdapterThenItIsRelayedByteForByte() throws IOException {
		MockHttpServletResponse response = new MockHttpServletResponse();
		this.proxy.forward(call("acme/support-bot@v3", true), response);
		assertThat(this.loads).isEmpty();
		assertThat(response.getContentType()).startsWith("text/event-stream");
		assertThat(response.getContentAsString()).isEqualTo(fixture("chat-stream.txt"));
		assertThat(response.getHeader(InferenceProxy.ROUTE_HEADER)).isEqualTo("hit");
	}

	@Test
	void whenVllmAnswersItsOwnErrorShapeThenTheClientGetsTheOpenAiEnvelope() throws IOException {
		MockHttpServletResponse response = new MockHttpServletResponse();
		this.pool.workers().get(0).held("acme/missing@v1");
		this.proxy.forward(call("acme/missing@v1", false), response);
		assertThat(response.getStatus()).isEqualTo(404);
		var error = this.json.readTree(response.getContentAsString()).path("error");
		assertThat(error.path("message").asString()).contains("does not exist");
		assertThat(error.path("type").asString()).isEqualTo("invalid_request_error");
		assertThat(error.path("code").asString()).isEqualTo("model_not_found");
	}

	@Test
	void whenTheAdapterIsAlreadyLoadedThenVllmsRefusalCountsAsLoaded() {
		Worker worker = this.pool.workers().get(0);
		AdapterPreloader preloader = new AdapterPreloader(this.pool,
				new WorkerRouter(this.pool, this.pool.properties()));
		assertThat(preloader.load(worker, "acme/support-bot@v3", "file:///adapters/acme/support-bot/v3", null))
			.isTrue();
	}

	private InferenceCall call(String adapterId, boolean stream) {
		String body = "{\"model\":\"" + adapterId + "\",\"stream\":" + stream
				+ ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
		String source = "file:///adapters/" + adapterId.replace('@', '/');
		return new InferenceCall("acme", BASE, adapterId, "/v1/chat/completions", body.getBytes(StandardCharsets.UTF_8),
				Map.of(InferenceCall.ADAPTER_SOURCE, source), null);
	}

	private void answer(HttpExchange exchange) throws IOException {
		try (exchange) {
			String path = exchange.getRequestURI().getPath();
			String body;
			try (InputStream in = exchange.getRequestBody()) {
				body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			}
			switch (path) {
				case "/v1/models" -> send(exchange, 200, "application/json", fixture("models.json"));
				case "/metrics" -> send(exchange, 200, "text/plain; version=0.0.4", fixture("metrics.txt"));
				case "/v1/load_lora_adapter" -> {
					if (body.contains("acme/support-bot@v3")) {
						send(exchange, 400, "application/json", fixture("load-lora-adapter-already.json"));
					}
					else {
						this.loads.add(body);
						send(exchange, 200, "text/plain", fixture("load-lora-adapter-ok.txt"));
					}
				}
				case "/v1/chat/completions" -> {
					if (body.contains("acme/missing@v1")) {
						send(exchange, 404, "application/json", fixture("model-not-found.json"));
					}
					else if (body.contains("\"stream\":true")) {
						send(exchange, 200, "text/event-stream; charset=utf-8", fixture("chat-stream.txt"));
					}
					else {
						send(exchange, 200, "application/json", fixture("chat-completion.json").trim());
					}
				}
				// vLLM has no /status: the 404 it answers is what tells the dialect.
				default -> send(exchange, 404, "application/json", "{\"detail\":\"Not Found\"}");
			}
		}
	}

	private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().add("Content-Type", contentType);
		exchange.sendResponseHeaders(status, bytes.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(bytes);
		}
	}

	private static String fixture(String name) {
		try (InputStream in = VllmContractTests.class.getResourceAsStream("/vllm/" + name)) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
