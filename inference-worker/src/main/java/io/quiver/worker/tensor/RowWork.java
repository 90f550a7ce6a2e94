package io.quiver.worker.tensor;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Independent items of a kernel (rows, sequences) shared between the calling thread and
 * helper threads, one item at a time: the caller starts at once and never waits for a
 * parked helper to wake (tens of microseconds on a VM, as long as a small job), only for
 * items a helper has already taken. Kernels with more than one phase build their own job
 * on {@link #share} and {@link #await}.
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
		share(job::work, count);
		job.work();
		await(job.done, count);
		Throwable failed = job.failure;
		if (failed != null) {
			throw new IllegalStateException("a kernel's item failed", failed);
		}
	}

	/**
	 * Hands a job's work loop to as many helpers as could take part in {@code items}
	 * items beside the caller; the caller then runs the same loop itself. The helpers are
	 * shared by every kernel of the process (the engine thread runs one at a time).
	 * @param work a loop that takes items until none are left
	 * @param items how many items the job has
	 */
	public static void share(Runnable work, int items) {
		for (int i = 0; i < Math.min(HELPERS, items - 1); i++) {
			POOL.execute(work);
		}
	}

	/**
	 * Waits, spinning briefly and then yielding, until {@code counter} reaches
	 * {@code count}: what a caller waits for is items a helper is already working on.
	 * @param counter items done
	 * @param count items to wait for
	 */
	public static void await(AtomicInteger counter, int count) {
		for (int spins = 0; counter.get() < count; spins++) {
			if (spins < 10_000) {
				Thread.onSpinWait();
			}
			else {
				Thread.yield();
			}
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
