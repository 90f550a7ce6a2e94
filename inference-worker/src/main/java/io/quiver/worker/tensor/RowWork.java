package io.quiver.worker.tensor;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Independent items of a kernel (rows, sequences) shared between the calling thread and
 * helper threads, one item at a time: the caller starts at once and never waits for a
 * parked helper to wake (tens of microseconds on a VM, as long as a small job), only for
 * items a helper has already taken.
 */
public final class RowWork {

	private static final int HELPERS = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);

	private static final ExecutorService POOL = Executors.newFixedThreadPool(HELPERS, (task) -> {
		Thread thread = new Thread(task, "quiver-row-work");
		thread.setDaemon(true);
		return thread;
	});

	private RowWork() {
	}

	/**
	 * One item's work.
	 *
	 * @param <S> the scratch space a thread reuses from item to item
	 */
	@FunctionalInterface
	public interface Task<S> {

		void run(int item, S scratch);

	}

	/**
	 * Runs {@code task} for every item in {@code [0, count)} and returns when all are
	 * done.
	 * @param <S> the scratch type
	 * @param count the items
	 * @param scratch makes one thread's scratch space
	 * @param task the work of one item; items must not depend on each other
	 * @throws IllegalStateException if an item failed
	 */
	public static <S> void run(int count, Supplier<S> scratch, Task<S> task) {
		Job<S> job = new Job<>(count, scratch, task);
		for (int i = 0; i < Math.min(HELPERS, count - 1); i++) {
			POOL.execute(job::work);
		}
		job.work();
		for (int spins = 0; job.done.get() < count; spins++) {
			if (spins < 10_000) {
				Thread.onSpinWait();
			}
			else {
				Thread.yield();
			}
		}
		Throwable failed = job.failure;
		if (failed != null) {
			throw new IllegalStateException("a kernel's item failed", failed);
		}
	}

	private static final class Job<S> {

		private final int count;

		private final Supplier<S> scratch;

		private final Task<S> task;

		private final AtomicInteger next = new AtomicInteger();

		private final AtomicInteger done = new AtomicInteger();

		private volatile Throwable failure;

		Job(int count, Supplier<S> scratch, Task<S> task) {
			this.count = count;
			this.scratch = scratch;
			this.task = task;
		}

		void work() {
			S space = null;
			for (int i = this.next.getAndIncrement(); i < this.count; i = this.next.getAndIncrement()) {
				try {
					if (space == null) {
						space = this.scratch.get();
					}
					this.task.run(i, space);
				}
				catch (RuntimeException | Error ex) {
					this.failure = ex;
				}
				this.done.incrementAndGet();
			}
		}

	}

}
