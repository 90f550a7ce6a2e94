package io.quiver.worker.scheduler;

import java.util.List;

/**
 * What one step runs: decode sequences first (one row each, grouped by adapter), then
 * prefill chunks; and who was preempted to make room (their cache is dropped and they
 * wait to be recomputed).
 *
 * @param sequences the scheduled sequences in row order
 * @param preempted sequences moved back to waiting
 */
public record StepPlan(List<ScheduledSequence> sequences, List<Long> preempted) {

	public boolean isEmpty() {
		return this.sequences.isEmpty();
	}

	public int rows() {
		int rows = 0;
		for (ScheduledSequence s : this.sequences) {
			rows += s.tokens().length;
		}
		return rows;
	}

}
