package io.quiver.worker.engine;

import java.util.List;

import io.quiver.worker.adapter.LoraAdapter;

/**
 * One forward pass's rows, in plain arrays: the decode rows of many sequences first (one
 * row each), then the prefill chunks (several rows each).
 *
 * @param tokens the input token of each row, {@code [rows]}
 * @param positions each row's position in its sequence, {@code [rows]}
 * @param writeSlots the flat KV-cache slot each row's key and value go to, {@code [rows]}
 * @param sequences the sequences, in row order, tiling the rows
 * @param lora runs of rows that share an adapter; rows in no run use the base model
 * @param logitRows the rows whose next-token logits are wanted
 */
public record ForwardBatch(int[] tokens, int[] positions, long[] writeSlots, List<SequenceRows> sequences,
		List<LoraRows> lora, int[] logitRows) {

	/**
	 * One sequence's rows.
	 *
	 * @param firstRow its first row
	 * @param rows how many rows it has in this pass (1 for decode)
	 * @param contextSlots the flat KV slots of all its positions so far, this pass's
	 * included, {@code [context]}
	 */
	public record SequenceRows(int firstRow, int rows, long[] contextSlots) {
	}

	/**
	 * A run of rows that share an adapter.
	 *
	 * @param firstRow the first row
	 * @param rows how many rows
	 * @param adapter the adapter
	 */
	public record LoraRows(int firstRow, int rows, LoraAdapter adapter) {
	}

}
