package io.quiver.worker.adapter;

import ai.djl.ndarray.NDArray;

/**
 * An adapter in the device tier: its slot in the bank of its rank bucket.
 */
public final class LoraAdapter {

	private final LoraWeights weights;

	private final LoraBank bank;

	private final int slot;

	/**
	 * @param weights the adapter's host factors
	 * @param bank the bank holding them
	 * @param slot their slot in the bank
	 */
	public LoraAdapter(LoraWeights weights, LoraBank bank, int slot) {
		this.weights = weights;
		this.bank = bank;
		this.slot = slot;
	}

	public String id() {
		return this.weights.id();
	}

	public LoraWeights weights() {
		return this.weights;
	}

	public LoraBank bank() {
		return this.bank;
	}

	public int slot() {
		return this.slot;
	}

	/** Bytes its slot holds in the bank. */
	public long deviceBytes() {
		return this.bank.slotBytes(this.slot);
	}

	/**
	 * Adds this adapter's {@code scale·(x·Aᵀ)·Bᵀ} for a group to {@code y}, in place.
	 * @param layer the layer
	 * @param group the projection group
	 * @param x the group's input rows, {@code [rows, in]}
	 * @param y the group's output rows (a view into the batch's output),
	 * {@code [rows, out]}
	 */
	public void addDelta(int layer, LoraGroup group, NDArray x, NDArray y) {
		this.bank.addSegment(layer, group, this.slot, x, y);
	}

}
