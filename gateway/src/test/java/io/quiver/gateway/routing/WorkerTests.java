package io.quiver.gateway.routing;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a worker is known to hold: a load the gateway saw is not undone by a status poll
 * that was sent before it, only by one sent after.
 */
class WorkerTests {

	@Test
	void whenAPollSentBeforeALoadAnswersAfterItThenTheLoadIsKept() {
		Worker worker = TestRouting.worker("w1", "base");
		WorkerStatus withoutAdapter = new WorkerStatus(Set.of("base"), 0, 0, 0, Map.of(), 0, false);
		long pollSent = System.nanoTime();
		worker.held("t/bot@v1");
		worker.update(WorkerDialect.QUIVER, withoutAdapter, pollSent);
		assertThat(worker.status().holds("t/bot@v1")).isTrue();
		assertThat(worker.status().queueDepth()).isZero();

		// A poll sent after the load is the worker's word: it has evicted the adapter.
		worker.update(WorkerDialect.QUIVER, withoutAdapter, System.nanoTime());
		assertThat(worker.status().holds("t/bot@v1")).isFalse();

		// Later polls keep it gone.
		worker.update(WorkerDialect.QUIVER, withoutAdapter, System.nanoTime());
		assertThat(worker.status().holds("t/bot@v1")).isFalse();
	}

	@Test
	void whenAPollReportsTheAdapterThenItsTierIsThePolls() {
		Worker worker = TestRouting.worker("w1", "base");
		worker.held("t/bot@v1");
		long pollSent = System.nanoTime() - 1_000_000_000L;
		worker.update(WorkerDialect.QUIVER, new WorkerStatus(Set.of("base"), 3, 1, 0.5,
				Map.of("t/bot@v1", WorkerStatus.AdapterTier.HOST), 0, false), pollSent);
		assertThat(worker.status().adapters()).containsEntry("t/bot@v1", WorkerStatus.AdapterTier.HOST);
		assertThat(worker.status().queueDepth()).isEqualTo(3);
	}

}
