package io.quiver.gateway.routing;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failures of real workers, through the real gateway: what a client sees and what the
 * gateway does about it.
 */
class RoutingFaultTests extends TestGatewayWithWorkers {

	@Test
	void whenOneOfTwoWorkersIsKilledUnderLoadThenNearlyAllRequestsSucceedAndItsCircuitOpensThenCloses()
			throws Exception {
		AtomicInteger ok = new AtomicInteger();
		AtomicInteger failed = new AtomicInteger();
		AtomicLong slowest = new AtomicLong();
		long end = System.nanoTime() + 3_000_000_000L;
		List<Thread> clients = new ArrayList<>();
		for (int c = 0; c < 8; c++) {
			boolean stream = c % 2 == 0;
			clients.add(Thread.ofVirtual().start(() -> {
				while (System.nanoTime() < end) {
					long start = System.nanoTime();
					try {
						HttpResponse<String> response = chat("base-model", stream);
						boolean good = response.statusCode() == 200 && (!stream
								|| (response.body().contains("[DONE]") && !response.body().contains("\"error\"")));
						(good ? ok : failed).incrementAndGet();
					}
					catch (Exception ex) {
						failed.incrementAndGet();
					}
					slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
				}
			}));
		}
		Thread.sleep(1000);
		HEALTHY_TWO.stop();
		for (Thread client : clients) {
			client.join();
		}
		int total = ok.get() + failed.get();
		System.out.printf(
				"Kill one of two workers under load: %d requests, %d failed (%.2f%% success), slowest %d ms%n", total,
				failed.get(), 100.0 * ok.get() / total, slowest.get() / 1_000_000);
		assertThat(total).isGreaterThan(100);
		assertThat((double) ok.get() / total).isGreaterThanOrEqualTo(0.99);
		// No request hangs beyond its time limit (5 s total).
		assertThat(slowest.get() / 1_000_000).isLessThan(5_500);
		CircuitBreaker breaker = worker(HEALTHY_TWO).breaker();
		await(() -> breaker.getState() == CircuitBreaker.State.OPEN, 3000);
		HEALTHY_TWO.start();
		await(() -> breaker.getState() == CircuitBreaker.State.CLOSED, 8000);
		await(() -> worker(HEALTHY_TWO).isReady(), 2000);
	}

	@Test
	void whenAWorkerIsSlowThenRequestsAreRoutedAroundIt() throws Exception {
		String fast = worker(FAST).id();
		int toFast = 0;
		long slowest = 0;
		for (int i = 0; i < 20; i++) {
			long start = System.nanoTime();
			HttpResponse<String> response = chat("slow-model", i % 2 == 0);
			slowest = Math.max(slowest, System.nanoTime() - start);
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			if (fast.equals(response.headers().firstValue(InferenceProxy.WORKER_HEADER).orElse(""))) {
				toFast++;
			}
		}
		assertThat(toFast).isEqualTo(20);
		// At worst one first-byte timeout (1 s) before the retry on the fast worker.
		assertThat(slowest / 1_000_000).isLessThan(2_500);
	}

	@Test
	void whenAWorkerAnswersMalformedThenClean502Envelope() throws Exception {
		assertWorkerError(chat("bad-model", false), "upstream exploded");
	}

	@Test
	void whenAWorkerAnswerEndsBeforeItsLengthThenClean502Envelope() throws Exception {
		assertWorkerError(chat("cut-model", false), "cmpl-1");
	}

	/**
	 * A 502 in the OpenAI envelope that passes on nothing of what the worker sent.
	 */
	private static void assertWorkerError(HttpResponse<String> response, String workerText) {
		assertThat(response.statusCode()).isEqualTo(502);
		assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
		assertThat(response.body()).contains("\"type\":\"server_error\"")
			.contains("\"code\":\"worker_error\"")
			.doesNotContain(workerText);
	}

	@Test
	void whenAStreamBreaksMidwayThenItEndsWithAnErrorEvent() throws Exception {
		HttpResponse<String> response = chat("broken-model", true);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("hel").doesNotContain("[DONE]");
		assertThat(lastEvent(response.body())).contains("\"error\"").contains("worker_error");
	}

	@Test
	void whenAStreamStallsThenItEndsWithATimeoutEventWithinTheIdleLimit() throws Exception {
		long start = System.nanoTime();
		HttpResponse<String> response = chat("stall-model", true);
		long millis = (System.nanoTime() - start) / 1_000_000;
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(lastEvent(response.body())).contains("worker_timeout");
		assertThat(millis).isLessThan(2_000);
	}

	@Test
	void whenAWorkerDrainsThenNewRequestsGoToTheOther() throws Exception {
		DRAINING_ONE.draining(true);
		try {
			await(() -> !worker(DRAINING_ONE).isUp(), 2000);
			String other = worker(DRAINING_TWO).id();
			for (int i = 0; i < 10; i++) {
				HttpResponse<String> response = chat("drain-model", false);
				assertThat(response.headers().firstValue(InferenceProxy.WORKER_HEADER)).hasValue(other);
			}
		}
		finally {
			DRAINING_ONE.draining(false);
		}
	}

	@Test
	void whenNoWorkerOfTheModelIsUpThenRequestsWaitAndAreServedOnceOneIs() throws Exception {
		await(() -> this.pool.knownModels().contains("sleepy-model"), 2000);
		SLEEPY.stop();
		await(() -> !this.pool.serves("sleepy-model"), 2000);
		CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(() -> {
			try {
				return chat("sleepy-model", false);
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
		await(() -> this.pool.pending() == 1, 2000);
		assertThat(prometheus()).contains("quiver_gateway_pending_requests 1.0");
		SLEEPY.start();
		HttpResponse<String> response = waiting.get();
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(this.pool.pending()).isZero();
	}

	@Test
	void whenRoutedThenDecisionHeadersTraceContextAndMetricsAreThere() throws Exception {
		String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
		HttpResponse<String> response = send(request("/v1/chat/completions",
				"{\"model\":\"base-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
			.header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01"));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue(InferenceProxy.ROUTE_HEADER)).hasValue("base");
		assertThat(response.headers().firstValue(InferenceProxy.WORKER_HEADER).orElse("")).startsWith("w-");
		String forwarded = (HEALTHY_ONE.lastHeader("traceparent") != null
				&& HEALTHY_ONE.lastHeader("traceparent").contains(traceId)) ? HEALTHY_ONE.lastHeader("traceparent")
						: HEALTHY_TWO.lastHeader("traceparent");
		assertThat(forwarded).startsWith("00-" + traceId + "-").endsWith("-01").doesNotContain("00f067aa0ba902b7");
		String metrics = prometheus();
		assertThat(metrics).contains("quiver_gateway_requests_total{", "quiver_gateway_pending_requests",
				"quiver_gateway_routing_decisions_total{outcome=\"base\"}", "gen_ai_server_request_duration_seconds",
				"gen_ai_client_token_usage_tokens", "resilience4j_circuitbreaker_state",
				"quiver_gateway_workers_ready");
	}

	private String prometheus() throws Exception {
		return this.http
			.send(java.net.http.HttpRequest.newBuilder(uri("/actuator/prometheus")).build(),
					HttpResponse.BodyHandlers.ofString())
			.body();
	}

	private static String lastEvent(String body) {
		String[] events = body.trim().split("\n\n");
		return events[events.length - 1];
	}

}
