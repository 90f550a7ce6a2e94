package io.quiver.worker.scheduler;

/**
 * Limits the scheduler plans within.
 *
 * @param maxRunning sequences that may hold KV-cache blocks at once
 * @param maxBatchTokens rows one step may run (decode rows plus prefill chunk rows); this
 * is the prefill chunk size
 * @param maxWaiting sequences that may wait for admission beyond {@code maxRunning}
 * before new ones are refused
 */
public record SchedulerConfig(int maxRunning, int maxBatchTokens, int maxWaiting) {

	public SchedulerConfig {
		if (maxRunning < 1 || maxBatchTokens < 1 || maxWaiting < 0) {
			throw new IllegalArgumentException("scheduler limits must be positive");
		}
		if (maxBatchTokens < maxRunning) {
			throw new IllegalArgumentException("maxBatchTokens must be at least maxRunning, so every running "
					+ "sequence can decode in each step");
		}
	}

}
