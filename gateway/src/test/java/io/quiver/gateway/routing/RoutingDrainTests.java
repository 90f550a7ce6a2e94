package io.quiver.gateway.routing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiver.gateway.openai.OpenAiException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Gateway shutdown: streams in flight finish, new requests are refused with a 503 that
 * tells the client to retry elsewhere.
 */
class RoutingDrainTests {

	private final TestWorker worker = TestWorker.serving("base").behave(TestWorker.Behaviour.SLOW, 600);

	private WorkerPool pool;

	private InferenceProxy proxy;

	private RoutingDrain drain;

	@BeforeEach
	void start() {
		RoutingProperties properties = TestRouting.properties("workers", this.worker.url());
		JsonMapper json = JsonMapper.builder().build();
		this.pool = new WorkerPool(properties, json, CircuitBreakerRegistry.ofDefaults());
		WorkerRouter router = new WorkerRouter(this.pool, properties);
		this.proxy = new InferenceProxy(this.pool, router, new AdapterPreloader(this.pool, router),
				BulkheadRegistry.ofDefaults(), new RoutingMetrics(new SimpleMeterRegistry(), this.pool), json,
				properties);
		this.drain = new RoutingDrain(this.proxy, this.pool, Duration.ofSeconds(5));
		this.drain.start();
		this.pool.refresh();
	}

	@AfterEach
	void stop() {
		this.proxy.close();
		this.pool.destroy();
		this.worker.close();
	}

	@Test
	void whenTheGatewayStopsThenRequestsInFlightFinishAndNewOnesAreRefused() throws Exception {
		MockHttpServletResponse inFlight = new MockHttpServletResponse();
		CompletableFuture<Void> running = CompletableFuture.runAsync(() -> this.proxy.forward(call(), inFlight));
		long deadline = System.nanoTime() + 2_000_000_000L;
		while (this.proxy.active() == 0 && System.nanoTime() < deadline) {
			Thread.sleep(5);
		}
		this.drain.stop();
		assertThat(running).isDone();
		assertThat(inFlight.getStatus()).isEqualTo(200);
		assertThat(inFlight.getContentAsString()).contains("chat.completion");
		assertThat(this.drain.isRunning()).isFalse();
		MockHttpServletResponse late = new MockHttpServletResponse();
		assertThatExceptionOfType(OpenAiException.class).isThrownBy(() -> this.proxy.forward(call(), late))
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo("gateway_draining"));
		assertThat(late.getHeader("Connection")).isEqualTo("close");
	}

	@Test
	void whenStoppedAndStartedAgainThenRequestsAreTakenAgain() {
		this.drain.stop();
		this.drain.start();
		MockHttpServletResponse response = new MockHttpServletResponse();
		this.proxy.forward(call(), response);
		assertThat(response.getStatus()).isEqualTo(200);
	}

	private static InferenceCall call() {
		return new InferenceCall("acme", "base", null, "/v1/chat/completions",
				"{\"model\":\"base\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
					.getBytes(StandardCharsets.UTF_8),
				Map.of(), null);
	}

}
