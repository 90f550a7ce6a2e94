package io.quiver.worker.tensor;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
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

	// work loops handed out and not yet taken, one per helper that may take part
	private static final Queue<Runnable> WORK = new ConcurrentLinkedQueue<>();

	// how many hot scopes are open: while any is, idle helpers spin rather than park
	private static final AtomicInteger HOT = new AtomicInteger();

	// empty looks at the queue between a hot helper's yields of its core
	private static final int SPINS_BEFORE_YIELD = 1 << 12;

	private static final Helper[] POOL = new Helper[HELPERS];

	static {
		for (int i = 0; i < HELPERS; i++) {
			POOL[i] = new Helper();
			POOL[i].start();
		}
	}

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
		int helpers = Math.min(HELPERS, items - 1);
		for (int i = 0; i < helpers; i++) {
			WORK.add(work);
		}
		if (helpers > 0) {
			for (Helper helper : POOL) {
				helper.wake();
			}
		}
	}

	/**
	 * How many threads take part in a job: the caller and the helpers.
	 * @return the count
	 */
	static int threads() {
		return HELPERS + 1;
	}

	/**
	 * Whether the calling thread is one of the helpers.
	 * @return whether it is
	 */
	static boolean isHelper() {
		return Thread.currentThread() instanceof Helper;
	}

	/**
	 * Keeps the helpers awake until the scope is closed: between jobs they spin on the
	 * queue rather than park, so that each job finds them running (a parked thread takes
	 * tens of microseconds to wake on a VM, a fifth of a LoRA job of a decode layer). A
	 * forward pass that hands the helpers a job every few hundred microseconds opens one;
	 * they park again once every scope is closed. A hot helper yields its core now and
	 * then, so that a process beside it still gets it.
	 * @return the scope, to close when the burst of jobs is over
	 */
	public static Hot hot() {
		HOT.incrementAndGet();
		for (Helper helper : POOL) {
			helper.wake();
		}
		return new Hot();
	}

	/** A scope that keeps the helpers awake, see {@link #hot()}. */
	public static final class Hot implements AutoCloseable {

		private final AtomicBoolean open = new AtomicBoolean(true);

		private Hot() {
		}

		@Override
		public void close() {
			if (this.open.compareAndSet(true, false)) {
				HOT.decrementAndGet();
			}
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

	/**
	 * A helper thread: takes work loops from the queue and runs them; with nothing to do
	 * it spins while a scope is hot, else parks until a job or a scope wakes it.
	 */
	private static final class Helper extends Thread {

		// whether the thread is parked or about to park, so that a sharer unparks it
		private volatile boolean parking;

		Helper() {
			super("quiver-row-work");
			setDaemon(true);
		}

		void wake() {
			if (this.parking) {
				LockSupport.unpark(this);
			}
		}

		@Override
		public void run() {
			int spins = 0;
			while (true) {
				Runnable work = WORK.poll();
				if (work != null) {
					spins = 0;
					try {
						work.run();
					}
					catch (RuntimeException | Error ex) {
						// a job records its items' failures for its caller; the helper
						// goes on
					}
				}
				else if (HOT.get() > 0) {
					if (++spins % SPINS_BEFORE_YIELD == 0) {
						Thread.yield();
					}
					else {
						Thread.onSpinWait();
					}
				}
				else {
					this.parking = true;
					// a job or scope that came before the flag was seen is seen now
					if (WORK.isEmpty() && HOT.get() == 0) {
						LockSupport.park(this);
					}
					this.parking = false;
				}
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
