package io.quiver.worker.tensor;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@link RowWork}'s helpers: every item done once, failures reported to the caller, and
 * helpers that spin while a scope is hot and park once none is.
 */
class RowWorkTests {

	@Test
	void everyItemRunsOnceAndHelpersTakeSomeWhileAScopeIsHot() {
		Set<Thread> threads = ConcurrentHashMap.newKeySet();
		AtomicIntegerArray runs = new AtomicIntegerArray(20_000);
		try (RowWork.Hot hot = RowWork.hot()) {
			int jobItems = 400;
			for (int job = 0; job < 50; job++) {
				int first = job * jobItems;
				RowWork.run(jobItems, () -> null, (item, none) -> {
					runs.incrementAndGet(first + item);
					// long enough an item that a running helper takes some
					long until = System.nanoTime() + 20_000;
					while (System.nanoTime() < until) {
						Thread.onSpinWait();
					}
					threads.add(Thread.currentThread());
				});
			}
		}
		for (int i = 0; i < runs.length(); i++) {
			assertThat(runs.get(i)).as("item %d", i).isEqualTo(1);
		}
		if (RowWork.threads() > 1) {
			assertThat(threads).anyMatch((thread) -> thread != Thread.currentThread());
		}
	}

	@Test
	void anItemsFailureReachesTheCallerAndTheHelpersGoOn() {
		assertThatIllegalStateException().isThrownBy(() -> RowWork.run(8, () -> null, (item, none) -> {
			if (item == 5) {
				throw new IllegalArgumentException("item 5");
			}
		})).withRootCauseInstanceOf(IllegalArgumentException.class);
		AtomicIntegerArray runs = new AtomicIntegerArray(64);
		RowWork.run(64, () -> null, (item, none) -> runs.incrementAndGet(item));
		for (int i = 0; i < runs.length(); i++) {
			assertThat(runs.get(i)).isEqualTo(1);
		}
	}

	@Test
	void helpersParkOnceNoScopeIsHot() throws InterruptedException {
		try (RowWork.Hot hot = RowWork.hot()) {
			RowWork.run(16, () -> null, (item, none) -> {
			});
		}
		long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (!helpersAllWaiting() && System.nanoTime() < until) {
			Thread.sleep(10);
		}
		assertThat(helpersAllWaiting()).as("every quiver-row-work thread parked").isTrue();
	}

	private static boolean helpersAllWaiting() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().equals("quiver-row-work"))
			.allMatch((thread) -> thread.getState() == Thread.State.WAITING);
	}

}
