package io.quiver.gateway.routing;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.quiver.gateway.TestCallers;
import io.quiver.gateway.TestCallers.TenantKey;
import io.quiver.gateway.TestHttp;
import io.quiver.gateway.routing.TestWorkerProcess.Fault;
import io.quiver.gateway.usage.UsageRecorder;
import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.limit.LimitService;
import io.quiver.tenancy.limit.Limits;
import io.quiver.tenancy.tenant.TenantService;
import io.quiver.tenancy.usage.DailyUsage;
import io.quiver.tenancy.usage.UsageRepository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Worker failures with real processes: each worker is an OS process of its own
 * ({@link TestWorkerProcess}), killed with SIGKILL and started again on its port, in
 * front of the real gateway with every production feature on (API key authentication,
 * tenant limits, the bulkhead, audit, usage metering, PostgreSQL). Time limits are
 * asserted only against the configured ones, so a busy machine makes these tests slower,
 * not red.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "quiver.routing.refresh-interval=200ms", "quiver.routing.connect-timeout=1s",
				"quiver.routing.first-byte-timeout=4s", "quiver.routing.idle-timeout=2s",
				"quiver.routing.total-timeout=" + WorkerProcessFaultTests.TOTAL_TIMEOUT_MILLIS + "ms",
				"quiver.routing.circuit-minimum-calls=6", "quiver.routing.circuit-open-duration=1s",
				"quiver.routing.pending-timeout=3s" })
@DirtiesContext
class WorkerProcessFaultTests {

	static final long TOTAL_TIMEOUT_MILLIS = 6000;

	/**
	 * What a request may take beyond the total time limit: authentication, limits and
	 * relaying, on a busy machine.
	 */
	private static final long SLACK_MILLIS = 2000;

	private static final long SLOW_MILLIS = 1500;

	private static boolean warm;

	private static final TestWorkerProcess KILLED = TestWorkerProcess.serving("kill-model");

	private static final TestWorkerProcess SURVIVOR = TestWorkerProcess.serving("kill-model");

	/**
	 * Slow, yet within every time limit: it is routed around by load, not by timeouts.
	 */
	private static final TestWorkerProcess SLOW = TestWorkerProcess.serving("slow-model").delay(SLOW_MILLIS);

	private static final TestWorkerProcess FAST = TestWorkerProcess.serving("slow-model");

	private static final List<TestWorkerProcess> FAULTY = Arrays.stream(Fault.values())
		.filter((fault) -> fault != Fault.NONE)
		.map((fault) -> TestWorkerProcess.serving(fault.model()).fault(fault))
		.toList();

	private static final List<TestWorkerProcess> ALL = Stream
		.concat(Stream.of(KILLED, SURVIVOR, SLOW, FAST), FAULTY.stream())
		.toList();

	private final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	private int port;

	@Autowired
	private TenantService tenants;

	@Autowired
	private ApiKeyService keys;

	@Autowired
	private LimitService limits;

	@Autowired
	private UsageRecorder usageRecorder;

	@Autowired
	private UsageRepository usage;

	@Autowired
	private WorkerPool pool;

	private TestHttp http;

	private TenantKey caller;

	@DynamicPropertySource
	static void workers(DynamicPropertyRegistry registry) {
		// Started before the gateway, so that it never sees them down (and opens no
		// circuit) at start-up.
		TestWorkerProcess.startAll(ALL);
		registry.add("quiver.routing.workers",
				() -> String.join(",", ALL.stream().map(TestWorkerProcess::url).toList()));
	}

	@AfterAll
	static void killWorkers() {
		ALL.forEach(TestWorkerProcess::close);
	}

	@BeforeEach
	void warmGatewayAndCaller() throws InterruptedException {
		this.http = new TestHttp(this.port);
		if (!warm) {
			// A fresh gateway's first requests pay for class loading, JIT and the
			// limits store's first connection; on a busy machine that alone takes
			// seconds, which is not what these tests measure.
			this.caller = limitedCaller();
			awaitReady(KILLED, SURVIVOR);
			Load.start(this, KILLED.model(), 8, 64).join(Duration.ofSeconds(120));
			warm = true;
		}
		this.caller = limitedCaller();
	}

	@Test
	@Timeout(300)
	void whenOneOfTwoWorkerProcessesIsKilledUnderLoadThenNearlyAllRequestsSucceedWithinTheLimitAndItsCircuitOpensThenClosesOnRestart()
			throws Exception {
		awaitReady(KILLED, SURVIVOR);
		// Only a stream that has sent bytes when its worker dies cannot be retried: at
		// most the 8 streaming clients' requests, 1% of 800.
		Load load = Load.start(this, KILLED.model(), 16, 800);
		await(() -> load.completed() >= 200, 120_000);
		long pid = KILLED.pid();
		KILLED.kill();
		List<Outcome> outcomes = load.join(Duration.ofSeconds(180));
		long ok = outcomes.stream().filter(Outcome::ok).count();
		long slowest = outcomes.stream().mapToLong(Outcome::millis).max().orElseThrow();
		System.out.printf(
				"Killed worker process %d (SIGKILL) under load: %d requests from 16 clients, half streamed; %d failed;"
						+ " success %.2f%%; slowest %d ms (total limit %d ms)%n",
				pid, outcomes.size(), outcomes.size() - ok, 100.0 * ok / outcomes.size(), slowest,
				TOTAL_TIMEOUT_MILLIS);
		outcomes.stream()
			.filter((outcome) -> !outcome.ok())
			.forEach((outcome) -> System.out.println("  failed: " + outcome));
		assertThat(outcomes).hasSize(800);
		assertThat((double) ok / outcomes.size()).isGreaterThanOrEqualTo(0.99);
		assertThat(slowest).isLessThan(TOTAL_TIMEOUT_MILLIS + SLACK_MILLIS);

		CircuitBreaker breaker = worker(KILLED).breaker();
		await(() -> breaker.getState() == CircuitBreaker.State.OPEN, 30_000);
		KILLED.start();
		await(() -> breaker.getState() == CircuitBreaker.State.CLOSED && worker(KILLED).isReady(), 30_000);
		// Concurrent clients, so that the router balances on load: with one request at a
		// time every worker is equally idle, and ties say little.
		List<Outcome> afterRestart = Load.start(this, KILLED.model(), 8, 80).join(Duration.ofSeconds(120));
		String restarted = worker(KILLED).id();
		long toRestarted = afterRestart.stream().filter((outcome) -> outcome.worker().equals(restarted)).count();
		System.out.printf(
				"Restarted worker process %d on the same port: circuit closed, %d of %d requests went to it%n",
				KILLED.pid(), toRestarted, afterRestart.size());
		assertThat(afterRestart).allSatisfy((outcome) -> assertThat(outcome.ok()).as(outcome.toString()).isTrue());
		assertThat(toRestarted).isGreaterThanOrEqualTo(8);

		// Every request, failed or not, is metered once.
		int requests = outcomes.size() + afterRestart.size();
		await(() -> {
			this.usageRecorder.flush();
			return meteredRequests() == requests;
		}, 30_000);
	}

	@Test
	@Timeout(300)
	void whenAWorkerProcessIsSlowThenMostTrafficGoesToTheFastOne() throws Exception {
		awaitReady(SLOW, FAST);
		List<Outcome> outcomes = Load.start(this, SLOW.model(), 8, 240).join(Duration.ofSeconds(180));
		String fast = worker(FAST).id();
		long toFast = outcomes.stream().filter((outcome) -> outcome.worker().equals(fast)).count();
		long slowest = outcomes.stream().mapToLong(Outcome::millis).max().orElseThrow();
		System.out.printf(
				"Slow worker process (%d ms per answer) beside a fast one: %d of %d requests (%.1f%%) went to the"
						+ " fast one; slowest %d ms (total limit %d ms)%n",
				SLOW_MILLIS, toFast, outcomes.size(), 100.0 * toFast / outcomes.size(), slowest, TOTAL_TIMEOUT_MILLIS);
		assertThat(outcomes).allSatisfy((outcome) -> assertThat(outcome.ok()).as(outcome.toString()).isTrue());
		assertThat((double) toFast / outcomes.size()).isGreaterThanOrEqualTo(0.8);
		assertThat(slowest).isLessThan(TOTAL_TIMEOUT_MILLIS + SLACK_MILLIS);
	}

	@Test
	@Timeout(300)
	void whenAWorkerProcessAnswersMalformedThenAClean502EnvelopeOrAnErrorEventEndsTheStreamNeverAHang()
			throws Exception {
		awaitReady(FAULTY.toArray(TestWorkerProcess[]::new));
		for (TestWorkerProcess worker : FAULTY) {
			for (boolean stream : new boolean[] { false, true }) {
				Outcome outcome = chat(worker.model(), stream);
				System.out.printf("%s, %s: %d in %d ms%n", worker.model(), stream ? "streamed" : "not streamed",
						outcome.status(), outcome.millis());
				assertThat(outcome.millis()).as(outcome.toString()).isLessThan(TOTAL_TIMEOUT_MILLIS + SLACK_MILLIS);
				if (stream && worker.model().equals(Fault.RESET_MIDSTREAM.model())) {
					// The first event went to the client: the stream ends with an error
					// event, not [DONE].
					assertThat(outcome.status()).as(outcome.toString()).isEqualTo(200);
					assertThat(outcome.body()).contains("hel").doesNotContain("[DONE]");
					String[] events = outcome.body().trim().split("\n\n");
					JsonNode error = this.json.readTree(events[events.length - 1].substring("data: ".length()))
						.path("error");
					assertThat(error.path("type").asString()).isEqualTo("server_error");
					assertThat(error.path("code").asString()).isEqualTo("worker_error");
					continue;
				}
				assertThat(outcome.status()).as(outcome.toString()).isEqualTo(502);
				assertThat(outcome.contentType()).startsWith("application/json");
				JsonNode error = this.json.readTree(outcome.body()).path("error");
				assertThat(error.path("type").asString()).isEqualTo("server_error");
				assertThat(error.path("code").asString()).isEqualTo("worker_error");
				assertThat(error.path("message").asString()).isNotBlank();
				assertThat(outcome.body()).doesNotContain("exploded", "chat.completion");
			}
		}
	}

	private Outcome chat(String model, boolean stream) {
		HttpRequest request = HttpRequest.newBuilder(this.http.uri("/v1/chat/completions"))
			// Bounded beyond the gateway's own limit: a hang fails the test, never stalls
			// it.
			.timeout(Duration.ofMillis(TOTAL_TIMEOUT_MILLIS + 10_000))
			.header("Authorization", "Bearer " + this.caller.secret())
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"stream\":" + stream
					+ ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
			.build();
		long start = System.nanoTime();
		try {
			HttpResponse<String> response = this.http.send(request);
			String body = response.body();
			boolean ok = response.statusCode() == 200 && !body.contains("\"error\"")
					&& (stream ? body.contains("data: [DONE]") : body.contains("\"chat.completion\""));
			return new Outcome(response.statusCode(), ok, (System.nanoTime() - start) / 1_000_000,
					response.headers().firstValue(InferenceProxy.WORKER_HEADER).orElse(""),
					response.headers().firstValue("x-request-id").orElse(""),
					response.headers().firstValue("Content-Type").orElse(""), body);
		}
		catch (RuntimeException ex) {
			return new Outcome(-1, false, (System.nanoTime() - start) / 1_000_000, "", "", "", ex.toString());
		}
	}

	/**
	 * @return a new tenant with a key, and limits that are enforced on every request but
	 * far above what the tests send
	 */
	private TenantKey limitedCaller() {
		TenantKey caller = TestCallers.tenantWithKey(this.tenants, this.keys, "inference");
		this.limits.setForTenant(caller.tenant(), new Limits(1_000_000, 100_000_000L, 64, 1_000_000_000L, "day"),
				"test");
		return caller;
	}

	private long meteredRequests() {
		LocalDate today = LocalDate.now(ZoneOffset.UTC);
		return this.usage.daily(this.caller.tenant().getId(), today.minusDays(1), today.plusDays(1))
			.stream()
			.mapToLong(DailyUsage::requests)
			.sum();
	}

	private Worker worker(TestWorkerProcess process) {
		return this.pool.workers()
			.stream()
			.filter((worker) -> worker.baseUri().toString().equals(process.url()))
			.findFirst()
			.orElseThrow();
	}

	private void awaitReady(TestWorkerProcess... processes) throws InterruptedException {
		await(() -> Arrays.stream(processes).allMatch((process) -> worker(process).isReady()), 30_000);
	}

	private static void await(BooleanSupplier condition, long millis) throws InterruptedException {
		long deadline = System.nanoTime() + millis * 1_000_000;
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("condition not met within " + millis + " ms");
			}
			Thread.sleep(20);
		}
	}

	/**
	 * What a client saw of one request.
	 *
	 * @param status the HTTP status, or -1 when the request itself failed
	 * @param ok whether it is a complete, successful answer
	 * @param millis how long it took, as the client measured
	 * @param worker the {@code x-quiver-worker} that answered, or empty
	 * @param requestId the gateway's {@code x-request-id}, to find the request in its
	 * logs
	 * @param contentType the answer's content type
	 * @param body the answer
	 */
	private record Outcome(int status, boolean ok, long millis, String worker, String requestId, String contentType,
			String body) {

		@Override
		public String toString() {
			return this.status + " in " + this.millis + " ms from " + this.worker + " (request " + this.requestId
					+ "): " + ((this.body.length() > 300) ? this.body.substring(0, 300) + "..." : this.body);
		}

	}

	/**
	 * Concurrent clients sending a bounded number of requests between them, every other
	 * client streaming.
	 */
	private static final class Load {

		private final AtomicInteger issued = new AtomicInteger();

		private final List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());

		private final List<Thread> clients = new ArrayList<>();

		static Load start(WorkerProcessFaultTests test, String model, int clients, int requests) {
			Load load = new Load();
			for (int c = 0; c < clients; c++) {
				boolean stream = c % 2 == 0;
				load.clients.add(Thread.ofVirtual().start(() -> {
					while (load.issued.getAndIncrement() < requests) {
						load.outcomes.add(test.chat(model, stream));
					}
				}));
			}
			return load;
		}

		int completed() {
			return this.outcomes.size();
		}

		List<Outcome> join(Duration timeout) throws InterruptedException {
			long deadline = System.nanoTime() + timeout.toNanos();
			for (Thread client : this.clients) {
				if (!client.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
					throw new AssertionError("The load did not finish within " + timeout);
				}
			}
			return List.copyOf(this.outcomes);
		}

	}

}
