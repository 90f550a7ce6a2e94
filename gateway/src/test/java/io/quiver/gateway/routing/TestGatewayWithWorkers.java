package io.quiver.gateway.routing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import io.quiver.gateway.TestCallers;
import io.quiver.gateway.TestCallers.TenantKey;
import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.tenant.TenantService;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The real gateway (security, database, routing) in front of a pool of real loopback
 * {@link TestWorker}s, one base model per failure to stage. Test classes that extend this
 * share one application context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "quiver.database.embedded=false", "quiver.home=target/quiver-home",
				"quiver.routing.refresh-interval=200ms", "quiver.routing.connect-timeout=500ms",
				"quiver.routing.first-byte-timeout=1s", "quiver.routing.idle-timeout=500ms",
				"quiver.routing.total-timeout=5s", "quiver.routing.circuit-minimum-calls=4",
				"quiver.routing.circuit-open-duration=1s", "quiver.routing.pending-timeout=5s" })
public abstract class TestGatewayWithWorkers {

	protected static final TestWorker HEALTHY_ONE = TestWorker.serving("base-model");

	protected static final TestWorker HEALTHY_TWO = TestWorker.serving("base-model");

	protected static final TestWorker SLOW = TestWorker.serving("slow-model").behave(TestWorker.Behaviour.SLOW, 3000);

	protected static final TestWorker FAST = TestWorker.serving("slow-model");

	protected static final TestWorker MALFORMED = TestWorker.serving("bad-model")
		.behave(TestWorker.Behaviour.MALFORMED, 0);

	protected static final TestWorker TRUNCATED = TestWorker.serving("cut-model")
		.behave(TestWorker.Behaviour.TRUNCATED, 0);

	protected static final TestWorker BREAKING = TestWorker.serving("broken-model")
		.behave(TestWorker.Behaviour.BREAK_STREAM, 0);

	protected static final TestWorker STALLING = TestWorker.serving("stall-model")
		.behave(TestWorker.Behaviour.STALL_STREAM, 0);

	protected static final TestWorker DRAINING_ONE = TestWorker.serving("drain-model");

	protected static final TestWorker DRAINING_TWO = TestWorker.serving("drain-model");

	protected static final TestWorker SLEEPY = TestWorker.serving("sleepy-model");

	static final List<TestWorker> ALL = List.of(HEALTHY_ONE, HEALTHY_TWO, SLOW, FAST, MALFORMED, TRUNCATED, BREAKING,
			STALLING, DRAINING_ONE, DRAINING_TWO, SLEEPY);

	@LocalServerPort
	protected int port;

	@Autowired
	protected TenantService tenants;

	@Autowired
	protected ApiKeyService keys;

	@Autowired
	protected WorkerPool pool;

	protected final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	protected TenantKey caller;

	@DynamicPropertySource
	static void workers(DynamicPropertyRegistry registry) {
		registry.add("quiver.routing.workers", () -> String.join(",", ALL.stream().map(TestWorker::url).toList()));
	}

	@BeforeEach
	void callerAndReadyPool() throws InterruptedException {
		this.caller = TestCallers.tenantWithKey(this.tenants, this.keys, "inference");
		long deadline = System.nanoTime() + 10_000_000_000L;
		while (this.pool.workers().stream().filter(Worker::isUp).count() < 3 && System.nanoTime() < deadline) {
			Thread.sleep(50);
		}
	}

	protected HttpResponse<String> chat(String model, boolean stream) throws Exception {
		return send(request("/v1/chat/completions", "{\"model\":\"" + model + "\",\"stream\":" + stream
				+ ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
	}

	protected HttpRequest.Builder request(String path, String body) {
		return HttpRequest.newBuilder(uri(path))
			.timeout(Duration.ofSeconds(15))
			.header("Authorization", "Bearer " + this.caller.secret())
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body));
	}

	protected HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	protected URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	protected Worker worker(TestWorker testWorker) {
		return this.pool.workers()
			.stream()
			.filter((worker) -> worker.baseUri().toString().equals(testWorker.url()))
			.findFirst()
			.orElseThrow();
	}

	protected static void await(java.util.function.BooleanSupplier condition, long millis) throws InterruptedException {
		long deadline = System.nanoTime() + millis * 1_000_000;
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("condition not met within " + millis + " ms");
			}
			Thread.sleep(20);
		}
	}

}
