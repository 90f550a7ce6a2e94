package io.quiver.gateway.routing;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pool membership and health against real loopback workers.
 */
class WorkerPoolTests {

	private final TestWorker listed = TestWorker.serving("base");

	private final TestWorker named = TestWorker.serving("base");

	private WorkerPool pool;

	@AfterEach
	void stop() {
		if (this.pool != null) {
			this.pool.destroy();
		}
		this.listed.close();
		this.named.close();
	}

	@Test
	void whenStaticListAndDnsNameAreBothSetThenEveryAddressIsAWorker() {
		String port = this.named.url().substring(this.named.url().lastIndexOf(':') + 1);
		this.pool = pool("workers", this.listed.url(), "dns-name", "localhost", "dns-port", port);
		this.pool.refresh();
		List<String> uris = this.pool.workers().stream().map((worker) -> worker.baseUri().toString()).toList();
		assertThat(uris).contains(this.listed.url(), "http://127.0.0.1:" + port);
		assertThat(this.pool.workers().stream().filter(Worker::isReady).count()).isEqualTo(2);
	}

	@Test
	void whenOnlyADnsNameIsSetThenNoDefaultWorkerIsAdded() {
		String port = this.named.url().substring(this.named.url().lastIndexOf(':') + 1);
		this.pool = pool("workers", "", "dns-name", "localhost", "dns-port", port);
		this.pool.refresh();
		assertThat(this.pool.workers())
			.allSatisfy((worker) -> assertThat(worker.baseUri().getPort()).isEqualTo(Integer.parseInt(port)));
	}

	@Test
	void whenAWorkerStopsAnsweringThenItIsEjectedAndProbedBackIn() {
		this.pool = pool("workers", this.listed.url());
		this.pool.refresh();
		Worker worker = this.pool.workers().get(0);
		assertThat(worker.isReady()).isTrue();
		assertThat(worker.status().baseModels()).containsExactly("base");
		this.listed.stop();
		// the JDK's server may still answer on a connection the pool kept alive, once,
		// while it closes it: the first poll after a stop can still succeed
		refreshUntil(() -> !worker.isUp());
		assertThat(worker.isUp()).isFalse();
		assertThat(this.pool.serves("base")).isFalse();
		this.listed.start();
		refreshUntil(worker::isReady);
		assertThat(worker.isReady()).isTrue();
		assertThat(this.pool.knownModels()).containsExactly("base");
	}

	/** Polls the pool until {@code done} holds, for at most ten seconds. */
	private void refreshUntil(BooleanSupplier done) {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		do {
			this.pool.refresh();
		}
		while (!done.getAsBoolean() && System.nanoTime() < deadline);
	}

	private WorkerPool pool(String... overrides) {
		String[] all = new String[overrides.length + 2];
		System.arraycopy(overrides, 0, all, 0, overrides.length);
		all[overrides.length] = "refresh-interval";
		all[overrides.length + 1] = "1h";
		return new WorkerPool(TestRouting.properties(all), JsonMapper.builder().build(),
				CircuitBreakerRegistry.ofDefaults());
	}

}
