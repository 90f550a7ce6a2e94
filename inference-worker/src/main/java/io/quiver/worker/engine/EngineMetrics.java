package io.quiver.worker.engine;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters the engine thread updates and the metrics endpoint reads: steps, batch rows,
 * tokens, time to first token and time per step.
 */
public final class EngineMetrics {

	private final LongAdder steps = new LongAdder();

	private final LongAdder rows = new LongAdder();

	private final LongAdder sampledTokens = new LongAdder();

	private final LongAdder stepNanos = new LongAdder();

	private final LongAdder firstTokens = new LongAdder();

	private final LongAdder firstTokenNanos = new LongAdder();

	private final AtomicLong lastBatchRows = new AtomicLong();

	void step(int rows, int sampled, long nanos) {
		this.steps.increment();
		this.rows.add(rows);
		this.sampledTokens.add(sampled);
		this.stepNanos.add(nanos);
		this.lastBatchRows.set(rows);
	}

	void firstToken(long nanos) {
		this.firstTokens.increment();
		this.firstTokenNanos.add(nanos);
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

	public long firstTokens() {
		return this.firstTokens.sum();
	}

	public double firstTokenSeconds() {
		return this.firstTokenNanos.sum() / 1e9;
	}

	public long lastBatchRows() {
		return this.lastBatchRows.get();
	}

}
