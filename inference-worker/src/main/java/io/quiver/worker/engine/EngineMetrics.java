package io.quiver.worker.engine;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters the engine thread updates and the metrics endpoint reads: steps, batch rows,
 * tokens and time per step; and each sequence's latencies, handed to a
 * {@link LatencyListener} (the API layer records them as histograms).
 */
public final class EngineMetrics {

	/**
	 * Receives each sequence's latencies, on the engine thread; must be quick and never
	 * block.
	 */
	public interface LatencyListener {

		/**
		 * A sequence drew its first token.
		 * @param nanos since its request arrived
		 */
		void timeToFirstToken(long nanos);

		/**
		 * A sequence finished with at least two tokens.
		 * @param nanos the time from its first token to its last, divided by the tokens
		 * after the first
		 */
		void timePerOutputToken(long nanos);

	}

	private static final LatencyListener NONE = new LatencyListener() {

		@Override
		public void timeToFirstToken(long nanos) {
		}

		@Override
		public void timePerOutputToken(long nanos) {
		}

	};

	private volatile LatencyListener latencies = NONE;

	private final LongAdder steps = new LongAdder();

	private final LongAdder rows = new LongAdder();

	private final LongAdder sampledTokens = new LongAdder();

	private final LongAdder stepNanos = new LongAdder();

	private final AtomicLong lastBatchRows = new AtomicLong();

	void step(int rows, int sampled, long nanos) {
		this.steps.increment();
		this.rows.add(rows);
		this.sampledTokens.add(sampled);
		this.stepNanos.add(nanos);
		this.lastBatchRows.set(rows);
	}

	void firstToken(long nanos) {
		this.latencies.timeToFirstToken(nanos);
	}

	void finished(int tokens, long firstToLastNanos) {
		if (tokens >= 2) {
			this.latencies.timePerOutputToken(firstToLastNanos / (tokens - 1));
		}
	}

	/**
	 * Sets who receives each sequence's latencies.
	 * @param listener the listener
	 */
	public void listen(LatencyListener listener) {
		this.latencies = (listener != null) ? listener : NONE;
	}

	public long steps() {
		return this.steps.sum();
	}

	public long rows() {
		return this.rows.sum();
	}

	public long sampledTokens() {
		return this.sampledTokens.sum();
	}

	public double stepSeconds() {
		return this.stepNanos.sum() / 1e9;
	}

	public long lastBatchRows() {
		return this.lastBatchRows.get();
	}

}
