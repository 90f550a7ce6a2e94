package io.quiver.worker.scheduler;

/**
 * One sequence's share of a step.
 *
 * @param id the sequence
 * @param adapter its adapter id, or null for the base model
 * @param start the position of its first row (tokens before it are cached)
 * @param tokens the tokens to feed, one row each
 * @param blockTable its KV-cache blocks, covering {@code start + tokens.length} positions
 * @param samples whether this step ends at its newest token, so its last row's logits
 * choose the next token
 */
public record ScheduledSequence(long id, String adapter, int start, int[] tokens, int[] blockTable, boolean samples) {

	public boolean decode() {
		return this.tokens.length == 1;
	}

}
